"""The world of ``bench/sync``: demo data, the busy engineer with their jobs, and other
engineers' work at the larger size (see bench/README.md, Sync)."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select, text

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
from wellspring.domain.versioning import mark_changed

CHUNK = 2_000  # rows per executemany
BUSY_USERNAME = "bench-sync-tech"
# What a busy engineer's phone holds per job: the job, its ticket, the ticket's customer,
# address and device. 1,000 jobs make a pull of 5,000 records.
PER_JOB = ("jobs", "tickets", "customers", "addresses", "devices")
COUNTED = (m.Job, m.Ticket, m.Customer, m.Address, m.Device, m.SyncHeld)


def log(text_: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout to the results."""
    print(text_, file=sys.stderr, flush=True)


def _id() -> str:
    return str(uuid.uuid4())


def chunks(rows: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# -- databases ---------------------------------------------------------------------------


async def load_demo(url: str, scale: int) -> None:
    from wellspring.demo import load_demo_data

    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await load_demo_data(session, scale=scale)
    finally:
        await engine.dispose()


async def analyze(url: str) -> None:
    """Fresh statistics (PostgreSQL), so plans don't depend on when autovacuum last ran."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM (ANALYZE)"))
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


def table_of(model: type[m.Base]) -> Table:
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
                for part in chunks(rows[table]):
                    await session.execute(insert(table_of(model)), part)
                mark_changed(session, table_of(model), [r["id"] for r in rows[table]])
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
                insert(table_of(m.SyncClient)),
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
                    for part in chunks(rows[table]):
                        await conn.execute(insert(table_of(MODELS_BY_TABLE[table])), part)
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
                    for part in chunks(extra_rows):
                        await conn.execute(insert(table_of(model)), part)
                    added[model.__tablename__] += len(extra_rows)
                for part in chunks(held):
                    await conn.execute(insert(table_of(m.SyncHeld)), part)
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
