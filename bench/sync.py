"""Phone sync at two database sizes: a pull of 5,000 changes and a push of 500 mutations.

A pull reads what the engineer may hold and what changed after the cursor, so its cost should
follow the engineer's jobs and the changes, not the size of the database (docs/sync.md). For
each engine and each size (demo scale, then ``--factor`` times the rows) a fresh database gets
the demo data, one busy engineer with ``--jobs`` assigned jobs, and at the larger size unrelated
work of other engineers and their phones. The real app then serves ``POST /sync/pull`` and
``POST /sync/push`` in process (Starlette's ``TestClient``). Run from the repository root:

    python -m bench.sync [--engines postgresql,sqlite] [--scale 200] [--factor 10] [--repeat 5]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
import secrets
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Table, event, func, insert, select, text, update
from starlette.testclient import TestClient

from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import (
    DeviceStatus,
    JobStatus,
    LedgerKind,
    Role,
    StockBin,
    TicketStatus,
    TicketType,
)
from wellspring.domain.users import create_user
from wellspring.domain.versioning import current_version, mark_changed

from .database import ROOT, ThrowawayDatabase

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
LOGIN_DOCUMENT = (ROOT / "clients" / "everyone" / "Login.graphql").read_text("utf-8")
SCHEMA_VERSION = 2
CHUNK = 2_000  # rows per executemany
EMPTY_PULLS = 5  # empty pulls per round: the empty pull is short, so it is taken more often
PUSH_NOTES = 250  # a push: this many notes and as many ACCEPT events, on as many jobs
BUSY_USERNAME = "bench-sync-tech"
# What a busy engineer's phone holds per job: the job, its ticket, the ticket's customer,
# address and device. 1,000 jobs make a pull of 5,000 records.
PER_JOB = ("jobs", "tickets", "customers", "addresses", "devices")
COUNTED = (m.Job, m.Ticket, m.Customer, m.Address, m.Device, m.SyncHeld)


def _log(text_: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout to the results."""
    print(text_, file=sys.stderr, flush=True)


def _id() -> str:
    return str(uuid.uuid4())


def _chunks(rows: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# -- databases ---------------------------------------------------------------------------


async def _load_demo(url: str, scale: int) -> None:
    from wellspring.demo import load_demo_data

    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await load_demo_data(session, scale=scale)
    finally:
        await engine.dispose()


async def _analyze(url: str) -> None:
    """Fresh statistics (PostgreSQL), so plans don't depend on when autovacuum last ran."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                model.__tablename__: int(
                    await conn.scalar(select(func.count()).select_from(model)) or 0
                )
                for model in COUNTED
            }
    finally:
        await engine.dispose()


# -- the busy engineer -------------------------------------------------------------------


@dataclass
class Busy:
    """The engineer whose phone is measured, and the records their jobs bring."""

    username: str
    password: str
    user_id: str
    technician_id: str
    ids: dict[str, list[str]] = field(default_factory=dict)  # phone table -> ids


async def _first(conn: Any, stmt: Any) -> Any:
    value = await conn.scalar(stmt)
    if value is None:
        raise SystemExit(f"the demo data lacks a row for: {stmt}")
    return value


def _work_rows(
    prefix: str,
    count: int,
    branch_id: str,
    model_id: str,
    created_by: str,
    technician_ids: list[str],
) -> dict[str, list[dict[str, Any]]]:
    """``count`` jobs with their ticket, customer, address and device (each its own)."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in range(count):
        customer, address, device, ticket = _id(), _id(), _id(), _id()
        rows["customers"].append(
            {
                "id": customer,
                "code": f"{prefix}C{n:07d}",
                "name": f"基准客户{n}",
                "phone": f"139{n:08d}",
                "branch_id": branch_id,
            }
        )
        rows["addresses"].append(
            {
                "id": address,
                "customer_id": customer,
                "province": "上海市",
                "city": "上海市",
                "district": "黄浦区",
                "street": "南京东路",
                "community": f"{n % 97}弄",
                "building": f"{n % 31}号",
                "room": f"{n % 1301}室",
                "latitude": 31.2 + (n % 1000) / 10_000,
                "longitude": 121.4 + (n % 997) / 10_000,
                "coordinate_source": "client",
            }
        )
        rows["devices"].append(
            {
                "id": device,
                "serial_number": f"{prefix}SN{n:08d}",
                "device_model_id": model_id,
                "status": DeviceStatus.INSTALLED,
                "branch_id": branch_id,
                "customer_id": customer,
                "address_id": address,
                "supply_mode": "MONTHLY",
            }
        )
        rows["tickets"].append(
            {
                "id": ticket,
                "number": f"{prefix}TK{n:08d}",
                "type": TicketType.REPAIR,
                "status": TicketStatus.ASSIGNED,
                "customer_id": customer,
                "branch_id": branch_id,
                "address_id": address,
                "device_id": device,
                "created_by_id": created_by,
                "description": "净水机漏水，需上门检修",
            }
        )
        rows["jobs"].append(
            {
                "id": _id(),
                "number": f"{prefix}JB{n:08d}",
                "ticket_id": ticket,
                "branch_id": branch_id,
                "technician_id": technician_ids[n % len(technician_ids)],
                "status": JobStatus.ASSIGNED,
            }
        )
    return rows


def _table(model: type[m.Base]) -> Table:
    """A model's table, typed as one (the declarative attribute is a mere FromClause)."""
    table = model.__table__
    assert isinstance(table, Table), model
    return table


MODELS_BY_TABLE: dict[str, type[m.Base]] = {
    "customers": m.Customer,
    "addresses": m.Address,
    "devices": m.Device,
    "tickets": m.Ticket,
    "jobs": m.Job,
}


async def add_busy_engineer(url: str, jobs: int) -> Busy:
    """A technician in branch SH with ``jobs`` ASSIGNED jobs, each with its own ticket,
    customer, address and device: bulk inserts in one ORM session, stamped by the change
    clock at commit (``mark_changed``), as a bulk statement in the app must be."""
    password = secrets.token_urlsafe(18)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            user = await create_user(
                session,
                SYSTEM,
                username=BUSY_USERNAME,
                password=password,
                role=Role.TECHNICIAN,
                display_name="基准工程师",
                branch_code="SH",
            )
            tech_id = await _first(
                session, select(m.Technician.id).where(m.Technician.user_id == user.id)
            )
            branch_id = await _first(session, select(m.Branch.id).where(m.Branch.code == "SH"))
            model_id = await _first(
                session, select(m.DeviceModel.id).order_by(m.DeviceModel.code).limit(1)
            )
            rows = _work_rows("BS", jobs, branch_id, model_id, user.id, [tech_id])
            for table in ("customers", "addresses", "devices", "tickets", "jobs"):
                model = MODELS_BY_TABLE[table]
                for part in _chunks(rows[table]):
                    await session.execute(insert(_table(model)), part)
                mark_changed(session, _table(model), [r["id"] for r in rows[table]])
    finally:
        await engine.dispose()
    return Busy(
        username=BUSY_USERNAME,
        password=password,
        user_id=user.id,
        technician_id=tech_id,
        ids={t: [r["id"] for r in rows[t]] for t in PER_JOB},
    )


async def add_other_work(url: str, units: int, busy: Busy) -> dict[str, int]:
    """Unrelated rows to grow the database: ``units`` jobs of the demo's other engineers
    (every branch), each with its ticket, customer, address and device, a note, an ACCEPT
    event and a parts consumption; and one phone installation per engineer that holds its
    jobs' records (``sync_held``). Plain Core inserts, versioned as already synced."""
    engine = create_engine(url)
    added: dict[str, int] = defaultdict(int)
    try:
        async with engine.begin() as conn:
            version = int(
                await conn.scalar(select(m.ChangeClock.value).where(m.ChangeClock.id == 1)) or 1
            )
            techs = (
                await conn.execute(
                    select(m.Technician.id, m.Technician.user_id, m.Technician.branch_id)
                    .where(m.Technician.id != busy.technician_id)
                    .order_by(m.Technician.id)
                )
            ).all()
            if not techs:
                raise SystemExit("the demo data has no other engineers")
            model_id = await _first(
                conn, select(m.DeviceModel.id).order_by(m.DeviceModel.code).limit(1)
            )
            warehouse_id = await _first(conn, select(m.Warehouse.id).order_by(m.Warehouse.code))
            part_id = await _first(conn, select(m.Part.id).order_by(m.Part.sku))
            clients = {t.id: f"bench-other-{t.id[:8]}-{n}" for n, t in enumerate(techs)}
            await conn.execute(
                insert(_table(m.SyncClient)),
                [
                    {"id": clients[t.id], "user_id": t.user_id, "last_cursor": version}
                    for t in techs
                ],
            )
            added["sync_clients"] += len(techs)
            # One batch per engineer branch group keeps every row's branch its engineer's.
            by_branch: dict[str, list[Any]] = defaultdict(list)
            for t in techs:
                by_branch[t.branch_id].append(t)
            shares = _split(units, [len(v) for v in by_branch.values()])
            groups = zip(by_branch.items(), shares, strict=True)
            for index, ((branch_id, group), share) in enumerate(groups):
                tech_ids = [t.id for t in group]
                user_of = {t.id: t.user_id for t in group}
                prefix = f"OW{index:02d}"
                rows = _work_rows(prefix, share, branch_id, model_id, busy.user_id, tech_ids)
                for table in ("customers", "addresses", "devices", "tickets", "jobs"):
                    for row in rows[table]:
                        row["version"] = version
                    for part in _chunks(rows[table]):
                        await conn.execute(insert(_table(MODELS_BY_TABLE[table])), part)
                    added[table] += len(rows[table])
                now = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
                extra: dict[Any, list[dict[str, Any]]] = defaultdict(list)
                held: list[dict[str, Any]] = []
                for n, job in enumerate(rows["jobs"]):
                    tech, user = job["technician_id"], user_of[job["technician_id"]]
                    extra[m.JobNote].append(
                        {
                            "id": _id(),
                            "version": version,
                            "job_id": job["id"],
                            "author_id": user,
                            "body": "客户不在家，已电话联系",
                            "recorded_at": now,
                        }
                    )
                    extra[m.JobEvent].append(
                        {
                            "id": _id(),
                            "version": version,
                            "job_id": job["id"],
                            "actor_id": user,
                            "action": "ACCEPT",
                            "recorded_at": now,
                        }
                    )
                    extra[m.StockEntry].append(
                        {
                            "id": _id(),
                            "version": version,
                            "warehouse_id": warehouse_id,
                            "part_id": part_id,
                            "bin": StockBin.GOOD,
                            "delta": -1,
                            "kind": LedgerKind.CONSUMPTION,
                            "job_id": job["id"],
                            "actor_id": user,
                        }
                    )
                    for table in PER_JOB:
                        held.append(
                            {
                                "id": _id(),
                                "client_id": clients[tech],
                                "table_name": table,
                                "record_id": rows[table][n]["id"],
                                "sent_at": version,
                            }
                        )
                for model, extra_rows in extra.items():
                    for part in _chunks(extra_rows):
                        await conn.execute(insert(_table(model)), part)
                    added[model.__tablename__] += len(extra_rows)
                for part in _chunks(held):
                    await conn.execute(insert(_table(m.SyncHeld)), part)
                added["sync_held"] += len(held)
    finally:
        await engine.dispose()
    return dict(added)


def _split(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (whole numbers adding up to ``total``)."""
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    shares[0] += total - sum(shares)
    return shares


async def _touch(url: str, busy: Busy) -> int:
    """The 5,000 changes: every record of the busy engineer's jobs changes on the server
    (one transaction, stamped with one new version, as a dispatcher's bulk edit would be)."""
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            now = dt.datetime.now(dt.UTC)
            for table_name, ids in busy.ids.items():
                table = _table(MODELS_BY_TABLE[table_name])
                for part in _chunks(ids, 500):
                    await session.execute(
                        update(table).where(table.c.id.in_(part)).values(updated_at=now)
                    )
                mark_changed(session, table, ids)
        async with session_factory(engine)() as session:
            return await current_version(session)
    finally:
        await engine.dispose()


async def _reset_jobs(url: str, job_ids: list[str]) -> None:
    """Put jobs back to ASSIGNED so that a push can accept them again (histories aside)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(_table(m.Job))
                .where(_table(m.Job).c.id.in_(job_ids))
                .values(status=JobStatus.ASSIGNED, accepted_at=None)
            )
    finally:
        await engine.dispose()


async def _job_statuses(url: str, job_ids: list[str]) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(m.Job.status, func.count())
                .where(m.Job.id.in_(job_ids))
                .group_by(m.Job.status)
            )
            return {str(getattr(s, "value", s)): int(c) for s, c in rows.all()}
    finally:
        await engine.dispose()


async def _row_counts(url: str, *models: Any) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                model.__tablename__: int(
                    await conn.scalar(select(func.count()).select_from(model)) or 0
                )
                for model in models
            }
    finally:
        await engine.dispose()


# -- statements ----------------------------------------------------------------------------

_PARAM_LIST = re.compile(r"\((?:\s*(?:\$\d+(?:::[A-Z ]+(?:\(\d+\))?)?|\?)\s*,?)+\)")
_SPACES = re.compile(r"\s+")


def _shape(statement: str) -> str:
    """A statement without its IN-list length, so each kind is counted together."""
    return _SPACES.sub(" ", _PARAM_LIST.sub("(…)", statement)).strip()


class StatementTimer:
    """Time per statement shape, between ``before_`` and ``after_cursor_execute``."""

    def __init__(self, sync_engine: Any) -> None:
        self.engine = sync_engine
        self.by_shape: dict[str, list[float]] = defaultdict(list)

    def _before(self, conn: Any, _cur: Any, _stmt: str, *_a: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        began = conn.info["bench_started"].pop()
        self.by_shape[_shape(statement)].append((time.perf_counter() - began) * 1000)

    def __enter__(self) -> StatementTimer:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def summary(self, top: int = 8) -> dict[str, Any]:
        ranked = sorted(self.by_shape.items(), key=lambda kv: -sum(kv[1]))
        return {
            "statements": sum(len(v) for v in self.by_shape.values()),
            "sql_ms": round(sum(sum(v) for v in self.by_shape.values()), 1),
            "top": [
                {"statement": shape, "count": len(v), "ms": round(sum(v), 2)}
                for shape, v in ranked[:top]
            ],
        }


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Pulled:
    ms: float
    status: int
    timestamp: int
    created: int
    updated: int
    deleted: int
    bytes: int
    problem: str = ""

    @property
    def records(self) -> int:
        return self.created + self.updated + self.deleted


def _pull(client: TestClient, headers: dict[str, str], cursor: int | None) -> Pulled:
    body = {"lastPulledAt": cursor, "schemaVersion": SCHEMA_VERSION, "migration": None}
    began = time.perf_counter()
    response = client.post("/sync/pull", json=body, headers=headers)
    ms = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        return Pulled(ms, response.status_code, 0, 0, 0, 0, 0, response.text[:500])
    answer = response.json()
    changes = answer["changes"].values()
    return Pulled(
        ms=ms,
        status=200,
        timestamp=int(answer["timestamp"]),
        created=sum(len(c["created"]) for c in changes),
        updated=sum(len(c["updated"]) for c in changes),
        deleted=sum(len(c["deleted"]) for c in changes),
        bytes=len(response.content),
    )


def _push_body(job_ids: list[str], cursor: int) -> dict[str, Any]:
    now_ms = int(time.time() * 1000)
    notes = [
        {
            "id": _id(),
            "job_id": job_id,
            "body": f"已与客户确认上门时间 ({n})",
            "recorded_at": now_ms - 120_000 + n,
        }
        for n, job_id in enumerate(job_ids)
    ]
    events = [
        {
            "id": _id(),
            "job_id": job_id,
            "action": "ACCEPT",
            "reason": None,
            "report_json": None,
            "recorded_at": now_ms - 240_000 + n,
        }
        for n, job_id in enumerate(job_ids)
    ]
    return {
        "changes": {
            "job_notes": {"created": notes, "updated": [], "deleted": []},
            "job_events": {"created": events, "updated": [], "deleted": []},
        },
        "lastPulledAt": cursor,
    }


def _push(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> tuple[float, str]:
    began = time.perf_counter()
    response = client.post("/sync/push", json=body, headers=headers)
    ms = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        return ms, f"HTTP {response.status_code}: {response.text[:500]}"
    answer = response.json()
    if answer.get("rejected") or answer.get("experimentalRejectedIds"):
        return ms, f"rejected: {json.dumps(answer, ensure_ascii=False)[:500]}"
    return ms, ""


def _login(client: TestClient, busy: Busy) -> str:
    variables = {"username": busy.username, "password": busy.password}
    answer = client.post("/graphql", json={"query": LOGIN_DOCUMENT, "variables": variables}).json()
    token = ((answer.get("data") or {}).get("login") or {}).get("token")
    if not token:
        raise SystemExit(f"login failed: {json.dumps(answer, ensure_ascii=False)[:2000]}")
    return str(token)


def _headers(token: str) -> dict[str, str]:
    install = f"bench-phone-{uuid.uuid4().hex[:16]}"
    return {"Authorization": f"Bearer {token}", "X-Sync-Client": install, "Accept-Language": "en"}


@dataclass
class Figures:
    engine: str
    size: str  # "1x" or "<factor>x"
    scale: int  # the demo scale loaded
    rows: dict[str, int]  # jobs, tickets, customers, addresses, devices, sync_held
    repeat: int
    first_pull_ms: float  # median; lastPulledAt null, everything created
    first_pull_min_ms: float
    first_pull_records: int
    first_pull_bytes: int
    pull_ms: float  # median; the pull of 5,000 changes (updated since the cursor)
    pull_min_ms: float
    pull_records: int
    pull_bytes: int
    empty_pull_ms: float  # median; nothing changed since the cursor
    empty_pull_min_ms: float
    push_ms: float  # median; 500 records
    push_min_ms: float
    push_records: int
    push_ms_per_record: float
    replay_ms: float  # median; the same push again (every record already there)
    replay_min_ms: float
    errors: int
    first_error: str = ""
    statements: dict[str, Any] = field(default_factory=dict)  # per kind of request


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else 0.0


def _least(values: list[float]) -> float:
    return round(min(values), 1) if values else 0.0


class Site:
    """One database (one size) with the app serving it, measured round by round."""

    def __init__(self, kind: str, admin_url: str, size: str, scale: int) -> None:
        self.db = ThrowawayDatabase(kind, admin_url, f"sync_{size}")
        self.size = size
        self.scale = scale
        self.rows: dict[str, int] = {}
        self.busy: Busy | None = None
        self.client: TestClient | None = None
        self.token = ""
        self.headers: dict[str, str] = {}
        self.cursor = 0
        self.changes_cursor = 0
        self.errors: list[str] = []
        self.first: list[Pulled] = []
        self.changed: list[Pulled] = []
        self.empty: list[Pulled] = []
        self.pushes: list[float] = []
        self.replays: list[float] = []
        self.statements: dict[str, Any] = {}

    @property
    def label(self) -> str:
        return f"{self.db.kind} {self.size}"

    def build(self, jobs: int, target_jobs: int | None) -> None:
        """Demo data at the scale, the busy engineer, and (when ``target_jobs`` is set) other
        engineers' work until the jobs table holds that many."""
        _log(f"{self.label}: fresh database {self.db.name}")
        self.db.create()
        started = time.perf_counter()
        asyncio.run(_load_demo(self.db.url, self.scale))
        _log(
            f"{self.label}: demo data at scale {self.scale} ({time.perf_counter() - started:.1f} s)"
        )
        self.busy = asyncio.run(add_busy_engineer(self.db.url, jobs))
        if target_jobs is not None:
            units = max(0, target_jobs - asyncio.run(_counts(self.db.url))["jobs"])
            started = time.perf_counter()
            added = asyncio.run(add_other_work(self.db.url, units, self.busy))
            seconds = time.perf_counter() - started
            _log(f"{self.label}: other engineers' work: {added} ({seconds:.1f} s)")
        if self.db.kind == "postgresql":
            asyncio.run(_analyze(self.db.url))
        self.rows = asyncio.run(_counts(self.db.url))
        _log(f"{self.label}: rows {self.rows}")

    def open(self) -> None:
        from wellspring.api.app import create_app
        from wellspring.settings import Mode, Settings

        settings = Settings(
            database_url=self.db.url,
            mode=Mode.PRODUCTION,
            secret_key=secrets.token_urlsafe(32),
            log_json=True,
            access_token_minutes=24 * 60,
        )
        app = create_app(settings)
        # create_app logs every request at INFO; in process that would only clutter the console.
        logging.getLogger().setLevel(logging.WARNING)
        self.client = TestClient(app)
        self.client.__enter__()
        assert self.busy is not None
        self.token = _login(self.client, self.busy)
        # Untimed warm-up, one of each, so that caches and prepared statements are there.
        headers = _headers(self.token)
        warm = _pull(self.client, headers, None)
        asyncio.run(_touch(self.db.url, self.busy))
        _pull(self.client, headers, warm.timestamp)

    def close(self) -> None:
        try:
            if self.client is not None:
                self.client.__exit__(None, None, None)
        finally:
            self.db.drop()

    def _timer(self, profiled: bool) -> Any:
        assert self.client is not None
        engine = self.client.app.state.engine.sync_engine  # type: ignore[attr-defined]
        return StatementTimer(engine) if profiled else contextlib.nullcontext()

    def _check(self, kind: str, p: Pulled, created: int | None, updated: int) -> None:
        if p.problem:
            self.errors.append(f"{kind}: HTTP {p.status}: {p.problem}")
        elif (created is not None and p.created < created) or p.updated != updated or p.deleted:
            self.errors.append(
                f"{kind}: {p.created} created, {p.updated} updated, {p.deleted} deleted; "
                f"expected {'at least ' + str(created) if created is not None else 'any'} "
                f"created, {updated} updated, 0 deleted"
            )

    def pull_round(self, name: str, profiled: bool = False) -> None:
        """A new installation's first pull (timed), the 5,000 changes (not timed), the pull of
        those changes from the first pull's cursor (timed), then one pull with nothing changed
        (checked; the empty pulls are timed in ``empty_pull``). A profiled round times each
        statement instead and is not counted."""
        assert self.client is not None
        assert self.busy is not None
        expected = len(self.busy.ids["jobs"]) * len(PER_JOB)
        self.headers = _headers(self.token)
        timers = [self._timer(profiled) for _ in range(3)]
        with timers[0]:
            p1 = _pull(self.client, self.headers, None)
        self._check("first pull", p1, expected, 0)
        asyncio.run(_touch(self.db.url, self.busy))
        with timers[1]:
            p2 = _pull(self.client, self.headers, p1.timestamp)
        self._check("pull of changes", p2, 0, expected)
        with timers[2]:
            p3 = _pull(self.client, self.headers, p2.timestamp)
        self._check("empty pull", p3, 0, 0)
        self.changes_cursor, self.cursor = p2.timestamp, p3.timestamp
        if profiled:
            for kind, timer in zip(("first_pull", "pull", "empty_pull"), timers, strict=True):
                self.statements[kind] = timer.summary()
        else:
            self.first.append(p1)
            self.changed.append(p2)
        _log(
            f"{self.label} {name}: first pull {p1.ms:.0f} ms ({p1.records} records), "
            f"pull of changes {p2.ms:.0f} ms ({p2.records}), empty pull {p3.ms:.0f} ms"
        )

    def empty_pull(self) -> None:
        """The last installation pulls again, as a phone does, with the cursor its last pull
        returned: nothing has changed (the server's fast path, docs/sync.md)."""
        assert self.client is not None
        p = _pull(self.client, self.headers, self.cursor)
        self._check("empty pull", p, 0, 0)
        self.empty.append(p)
        self.cursor = p.timestamp

    def push_round(self, index: int, name: str, profiled: bool = False) -> None:
        """From the last installation: 250 notes and 250 ACCEPTs on 250 ASSIGNED jobs (timed),
        then the same push again (timed). The jobs are put back to ASSIGNED first."""
        assert self.client is not None
        assert self.busy is not None
        url = self.db.url
        job_ids = self.busy.ids["jobs"]
        start = (index * PUSH_NOTES) % len(job_ids)
        jobs = (job_ids[start:] + job_ids[:start])[:PUSH_NOTES]
        asyncio.run(_reset_jobs(url, jobs))
        body = _push_body(jobs, self.cursor)
        before = asyncio.run(_row_counts(url, m.JobNote, m.JobEvent))
        timers = [self._timer(profiled) for _ in range(2)]
        with timers[0]:
            ms, problem = _push(self.client, self.headers, body)
        after = asyncio.run(_row_counts(url, m.JobNote, m.JobEvent))
        with timers[1]:
            replay_ms, replay_problem = _push(self.client, self.headers, body)
        again = asyncio.run(_row_counts(url, m.JobNote, m.JobEvent))
        statuses = asyncio.run(_job_statuses(url, jobs))
        for kind, found in (("push", problem), ("replay", replay_problem)):
            if found:
                self.errors.append(f"{kind}: {found}")
        grown = {k: after[k] - before[k] for k in after}
        if grown != {"job_notes": PUSH_NOTES, "job_events": PUSH_NOTES}:
            self.errors.append(f"push added {grown}, expected {PUSH_NOTES} notes and events")
        if again != after:
            self.errors.append(f"the replay changed rows: {after} -> {again}")
        if statuses != {"ACCEPTED": PUSH_NOTES}:
            self.errors.append(f"after the push the jobs are {statuses}")
        if profiled:
            self.statements["push"] = timers[0].summary()
            self.statements["replay"] = timers[1].summary()
        else:
            self.pushes.append(ms)
            self.replays.append(replay_ms)
        _log(f"{self.label} {name}: push {ms:.0f} ms, replay {replay_ms:.0f} ms")

    def figures(self, repeat: int) -> Figures:
        records = 2 * PUSH_NOTES
        last_first, last_changed = self.first[-1], self.changed[-1]
        return Figures(
            engine=self.db.kind,
            size=self.size,
            scale=self.scale,
            rows=self.rows,
            repeat=repeat,
            first_pull_ms=_median([p.ms for p in self.first]),
            first_pull_min_ms=_least([p.ms for p in self.first]),
            first_pull_records=last_first.records,
            first_pull_bytes=last_first.bytes,
            pull_ms=_median([p.ms for p in self.changed]),
            pull_min_ms=_least([p.ms for p in self.changed]),
            pull_records=last_changed.records,
            pull_bytes=last_changed.bytes,
            empty_pull_ms=_median([p.ms for p in self.empty]),
            empty_pull_min_ms=_least([p.ms for p in self.empty]),
            push_ms=_median(self.pushes),
            push_min_ms=_least(self.pushes),
            push_records=records,
            push_ms_per_record=round(statistics.median(self.pushes) / records, 2),
            replay_ms=_median(self.replays),
            replay_min_ms=_least(self.replays),
            errors=len(self.errors),
            first_error=self.errors[0] if self.errors else "",
            statements=self.statements,
        )


# -- one engine --------------------------------------------------------------------------


def run_engine(kind: str, args: argparse.Namespace) -> list[Figures]:
    """Both sizes built, then measured in alternating rounds (small-large, large-small ...)
    so that load from elsewhere on a shared machine falls on both alike."""
    small = Site(kind, args.admin_url, "1x", args.scale)
    large = Site(kind, args.admin_url, f"{args.factor}x", args.scale * args.factor)
    try:
        small.build(args.jobs, None)
        large.build(args.jobs, small.rows["jobs"] * args.factor)
        for site in (small, large):
            site.open()
        for n in range(args.repeat):
            for site in (small, large) if n % 2 == 0 else (large, small):
                site.pull_round(f"round {n + 1}")
        # The empty pull is short, so it is taken many times, the sizes one after the other.
        for n in range(args.repeat * EMPTY_PULLS):
            for site in (small, large) if n % 2 == 0 else (large, small):
                site.empty_pull()
        for site in (small, large):
            times = ", ".join(f"{p.ms:.0f}" for p in site.empty)
            _log(f"{site.label}: empty pulls {times} ms")
        for site in (small, large):
            site.pull_round("profile", profiled=True)
        for n in range(args.repeat):
            for site in (small, large) if n % 2 == 0 else (large, small):
                site.push_round(n, f"push {n + 1}")
        for site in (small, large):
            site.push_round(args.repeat, "profile", profiled=True)
        figures = [small.figures(args.repeat), large.figures(args.repeat)]
    finally:
        for site in (small, large):
            site.close()
    for f in figures:
        _log(f"{kind} {f.size}: pull of changes {f.pull_ms} ms, push {f.push_ms} ms")
    return figures


# -- reporting ---------------------------------------------------------------------------

RATIOS = ("first_pull_ms", "pull_ms", "empty_pull_ms", "push_ms", "replay_ms")


def _growth(small: Figures, large: Figures) -> dict[str, Any]:
    out: dict[str, Any] = {"engine": small.engine, "from": small.size, "to": large.size}
    out["rows_ratio"] = {
        k: round(large.rows[k] / small.rows[k], 2) for k in small.rows if small.rows[k]
    }
    for name in RATIOS:
        key = name.removesuffix("_ms")
        for suffix, field_ in (("ratio", name), ("min_ratio", key + "_min_ms")):
            low, high = getattr(small, field_), getattr(large, field_)
            out[f"{key}_{suffix}"] = round(high / low, 2) if low else None
    return out


# Issue 19 §2's targets, on both engines (milliseconds, statements per pushed record).
TARGETS = {
    "pull_ms": ("pull of 5,000 changes", 300.0),
    "empty_pull_ms": ("empty pull", 20.0),
    "push_ms": ("push of 500", 1000.0),
    "replay_ms": ("its replay", 300.0),
}
STATEMENTS_PER_RECORD = 5.0


def targets(f: Figures) -> list[dict[str, Any]]:
    """Each figure beside its target, and whether it meets it (printed, never asserted)."""
    out = [
        {"figure": name, "value": getattr(f, key), "target": limit, "met": getattr(f, key) <= limit}
        for key, (name, limit) in TARGETS.items()
    ]
    push = f.statements.get("push")
    if push:
        per = round(push["statements"] / f.push_records, 2)
        out.append(
            {
                "figure": "statements per pushed record",
                "value": per,
                "target": STATEMENTS_PER_RECORD,
                "met": per <= STATEMENTS_PER_RECORD,
            }
        )
        replay = f.statements["replay"]["statements"]
        out.append({"figure": "replay statements", "value": replay, "target": None, "met": None})
    return out


def _print_targets(figures: list[Figures]) -> None:
    print("Targets (issue 19 §2), median of this run:")
    for f in figures:
        cells = []
        for t in targets(f):
            mark = "" if t["met"] is None else (" ok" if t["met"] else " MISSED")
            limit = "" if t["target"] is None else f" (target <= {t['target']:g})"
            cells.append(f"{t['figure']} {t['value']:g}{limit}{mark}")
        print(f"  {f.engine} {f.size}: " + "; ".join(cells))


def _print_table(figures: list[Figures]) -> None:
    print(
        f"{'engine':<11}{'size':>5}{'jobs':>8}{'tickets':>9}{'custs':>8}{'held':>8}"
        f"{'first ms':>10}{'recs':>6}{'pull ms':>9}{'min':>7}{'recs':>6}{'KiB':>6}"
        f"{'empty ms':>9}{'push ms':>9}{'ms/rec':>7}{'replay ms':>10}{'errors':>7}"
    )
    for f in figures:
        r = f.rows
        print(
            f"{f.engine:<11}{f.size:>5}{r['jobs']:>8,}{r['tickets']:>9,}{r['customers']:>8,}"
            f"{r['sync_held']:>8,}{f.first_pull_ms:>10.0f}{f.first_pull_records:>6}"
            f"{f.pull_ms:>9.0f}{f.pull_min_ms:>7.0f}{f.pull_records:>6}"
            f"{f.pull_bytes / 1024:>6.0f}{f.empty_pull_ms:>9.1f}{f.push_ms:>9.0f}"
            f"{f.push_ms_per_record:>7.2f}{f.replay_ms:>10.0f}{f.errors:>7}"
        )
        if f.first_error:
            print(f"  first error: {f.first_error}")
    for engine in dict.fromkeys(f.engine for f in figures):
        own = [f for f in figures if f.engine == engine]
        if len(own) == 2:
            g = _growth(*own)
            ratios = ", ".join(
                f"{key} x{g[key + '_ratio']} (min x{g[key + '_min_ratio']})"
                for key in (name.removesuffix("_ms") for name in RATIOS)
            )
            print(f"{engine}: {g['from']} -> {g['to']}, median (min) time ratios: {ratios}")
    for f in figures:
        s = f.statements.get("pull")
        if not s:
            continue
        print(
            f"{f.engine} {f.size}, pull of changes: {s['statements']} statements, "
            f"{s['sql_ms']} ms in the driver; most expensive:"
        )
        for top in s["top"][:5]:
            print(f"    {top['ms']:>8.1f} ms {top['count']:>4}x  {top['statement'][:110]}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync",
        description="Phone sync pull and push at demo scale and at --factor times the rows.",
    )
    parser.add_argument("--engines", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--scale", type=int, default=200, help="demo scale (customers) at 1x")
    parser.add_argument("--factor", type=int, default=10, help="the larger database's size")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per measurement")
    parser.add_argument("--jobs", type=int, default=1_000, help="the busy engineer's jobs")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL admin database")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or not set(engines) <= {"postgresql", "sqlite"}:
        raise SystemExit("--engines takes postgresql and/or sqlite")
    if args.scale < 20 or args.factor < 2 or args.repeat < 1 or args.jobs < PUSH_NOTES:
        raise SystemExit(
            f"--scale must be >= 20, --factor >= 2, --repeat >= 1, --jobs >= {PUSH_NOTES}"
        )
    figures: list[Figures] = []
    for kind in engines:
        figures += run_engine(kind, args)
    if args.json:
        for f in figures:
            line = {"benchmark": "sync"} | asdict(f) | {"targets": targets(f)}
            print(json.dumps(line, ensure_ascii=False))
        for engine in engines:
            own = [f for f in figures if f.engine == engine]
            print(json.dumps({"benchmark": "sync", "growth": _growth(*own)}))
    else:
        print(
            f"Phone sync, in process: a busy engineer with {args.jobs:,} jobs "
            f"({args.jobs * len(PER_JOB):,} records); median of {args.repeat} rounds "
            f"({args.repeat * EMPTY_PULLS} empty pulls); "
            f"push = {PUSH_NOTES} notes + {PUSH_NOTES} ACCEPT events"
        )
        _print_table(figures)
        _print_targets(figures)
    return 1 if any(f.errors for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
