"""SuggestTechnicians latency as the engineer count grows, through the real GraphQL endpoint.

The service finds engineers near a job through indexed H3 cells, ring by ring, so its cost
should follow the engineers near the job, not the engineers in the database. For each engine
a fresh database gets ``--jobs`` jobs once; engineers are then added step by step (1,000, then
9,000 more) and the same sampled open jobs are asked for at every step. Run from the
repository root:

    python -m bench.dispatch [--engines postgresql,sqlite] [--jobs N] [--engineers 1000,10000]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import math
import os
import random
import re
import secrets
import statistics
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import event, insert, text, update
from starlette.testclient import TestClient

from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.dispatch import nearby, ranking, suggest
from wellspring.domain.models.enums import (
    BranchKind,
    Channel,
    CustomerKind,
    CustomerTier,
    JobStatus,
    OwnerKind,
    Priority,
    Role,
    TicketStatus,
    TicketType,
)
from wellspring.domain.users import create_user
from wellspring.geo import cells
from wellspring.schema.core.ids import global_id

from .database import ROOT, ThrowawayDatabase
from .dispatch_profile import profile
from .driver import percentile
from .inventory import _backend_cpu

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SUGGEST_DOCUMENT = (ROOT / "clients" / "dispatcher" / "SuggestTechnicians.graphql").read_text(
    "utf-8"
)
LOGIN_DOCUMENT = (ROOT / "clients" / "everyone" / "Login.graphql").read_text("utf-8")
WARMUP = 20
CHUNK = 5_000  # rows per executemany
BATCH = 20_000  # tickets (and their jobs) generated at a time, to bound memory
CITY_KM = 25.0  # homes, positions, sites and customers lie within this of the branch centre
OPEN_SHARE = 0.05
# The three cell indexes the search is meant to use, and the branch index it could use instead.
SCANNED_INDEXES = (
    "ix_technicians_home_cell",
    "ix_technicians_position_cell",
    "ix_technicians_site_cell",
    "ix_technicians_branch_id",
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    province: str
    city: str
    lat: float  # WGS-84 city centre
    lon: float
    weight: float  # share of engineers and customers
    districts: tuple[str, ...]


BRANCHES = (
    Place("SH", "上海分公司", "上海市", "上海市", 31.2304, 121.4737, 0.35,
          ("黄浦区", "徐汇区", "静安区", "浦东新区", "长宁区", "普陀区")),
    Place("BJ", "北京分公司", "北京市", "北京市", 39.9042, 116.4074, 0.30,
          ("东城区", "西城区", "朝阳区", "海淀区", "丰台区")),
    Place("SZ", "深圳分公司", "广东省", "深圳市", 22.5431, 114.0579, 0.18,
          ("福田区", "罗湖区", "南山区", "宝安区", "龙岗区")),
    Place("GZ", "广州分公司", "广东省", "广州市", 23.1291, 113.2644, 0.17,
          ("越秀区", "天河区", "海珠区", "白云区", "番禺区")),
)  # fmt: skip
WEIGHTS = [p.weight for p in BRANCHES]
# Ticket types of the work, with how often it comes in and how many engineers can do it.
WORK = (
    (TicketType.REPAIR, 0.35, 0.9),
    (TicketType.FILTER_CHANGE, 0.25, 0.9),
    (TicketType.INSTALL, 0.15, 0.7),
    (TicketType.WATER_TEST, 0.10, 0.7),
    (TicketType.UNINSTALL, 0.05, 0.6),
    (TicketType.RELOCATE, 0.05, 0.5),
    (TicketType.RECHARGE, 0.05, 0.5),
)
WORK_TYPES = [t for t, _, _ in WORK]
WORK_WEIGHTS = [w for _, w, _ in WORK]


def _log(text_: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout to the results."""
    print(text_, file=sys.stderr, flush=True)


def _id() -> str:
    return str(uuid.uuid4())


def _near(rng: Any, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly within ``km`` of (lat, lon)."""
    r = km * math.sqrt(rng.random())
    a = rng.uniform(0.0, 2 * math.pi)
    dlat = r * math.cos(a) / 111.32
    dlon = r * math.sin(a) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


# -- databases ---------------------------------------------------------------------------


# -- synthetic data ----------------------------------------------------------------------


@dataclass
class World:
    """What the loader keeps between steps: ids to refer to, and what was loaded how fast."""

    hq_user_id: str = ""
    branch_ids: list[str] = field(default_factory=list)
    engineers: list[list[str]] = field(default_factory=list)  # technician ids per branch
    engineer_count: int = 0
    open_job_ids: list[str] = field(default_factory=list)
    load_seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


async def _insert(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Core executemany in chunks: every row carries the same keys, defaults fill the rest."""
    stmt = insert(model.__table__)
    for start in range(0, len(rows), CHUNK):
        await conn.execute(stmt, rows[start : start + CHUNK])


def _tally(world: World, name: str, rows: int, seconds: float) -> None:
    world.rows[name] = world.rows.get(name, 0) + rows
    world.load_seconds[name] = world.load_seconds.get(name, 0.0) + seconds


async def _create_hq_login(url: str, password: str) -> str:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            user = await create_user(
                session,
                SYSTEM,
                username="bench-hq",
                password=password,
                role=Role.HQ,
                display_name="Benchmark dispatcher",
            )
            return user.id
    finally:
        await engine.dispose()


async def _load_branches(url: str, world: World) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            rows = []
            for place in BRANCHES:
                world.branch_ids.append(_id())
                world.engineers.append([])
                rows.append(
                    {
                        "id": world.branch_ids[-1],
                        "version": 1,
                        "code": place.code,
                        "name": place.name,
                        "kind": BranchKind.BRANCH,
                        "province": place.province,
                        "city": place.city,
                        "latitude": place.lat,
                        "longitude": place.lon,
                    }
                )
            await _insert(conn, m.Branch, rows)
    finally:
        await engine.dispose()


async def _add_engineers(url: str, world: World, count: int, rng: Any) -> float:
    """``count`` more engineers (users and technicians), spread over branches by weight."""
    now = dt.datetime.now(dt.UTC)
    users: list[dict[str, Any]] = []
    techs: list[dict[str, Any]] = []
    for n in range(world.engineer_count, world.engineer_count + count):
        b = rng.choices(range(len(BRANCHES)), weights=WEIGHTS)[0]
        place = BRANCHES[b]
        user_id, tech_id = _id(), _id()
        users.append(
            {
                "id": user_id,
                "version": 1,
                "username": f"bench-eng-{n:06d}",
                "display_name": f"工程师{n}",
                "password_hash": "!",  # no password: these accounts never log in
                "role": Role.TECHNICIAN,
                "branch_id": world.branch_ids[b],
            }
        )
        home = _near(rng, place.lat, place.lon, CITY_KM)
        # About half the engineers have a fresh phone fix, a fifth have reached a job today.
        position = _near(rng, place.lat, place.lon, CITY_KM) if rng.random() < 0.5 else None
        site = _near(rng, place.lat, place.lon, CITY_KM) if rng.random() < 0.2 else None
        techs.append(
            {
                "id": tech_id,
                "version": 1,
                "user_id": user_id,
                "branch_id": world.branch_ids[b],
                "skills": [str(t) for t, _, p in WORK if rng.random() < p] or ["REPAIR"],
                "home_latitude": home[0],
                "home_longitude": home[1],
                "home_cell": cells.cell(*home),
                "shift_start": dt.time(8, 30),
                "shift_end": dt.time(17, 30),
                "work_days": [1, 2, 3, 4, 5, 6],
                "is_active": True,
                "position_latitude": position[0] if position else None,
                "position_longitude": position[1] if position else None,
                "position_accuracy": 20.0 if position else None,
                "position_at": now if position else None,
                "position_cell": cells.cell(*position) if position else None,
                "site_latitude": site[0] if site else None,
                "site_longitude": site[1] if site else None,
                "site_at": now if site else None,
                "site_cell": cells.cell(*site) if site else None,
            }
        )
        world.engineers[b].append(tech_id)
    world.engineer_count += count
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            await _insert(conn, m.User, users)
            await _insert(conn, m.Technician, techs)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def _load_history(url: str, world: World, jobs: int, rng: Any) -> None:
    """Customers with one address each, then ``jobs`` tickets with one job each."""
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(SHANGHAI).date()
    engine = create_engine(url)
    try:
        customers: list[tuple[int, str, str]] = []  # branch, customer id, address id
        rows_c: list[dict[str, Any]] = []
        rows_a: list[dict[str, Any]] = []
        started = time.perf_counter()
        for n in range(max(1_000, jobs // 5)):
            b = rng.choices(range(len(BRANCHES)), weights=WEIGHTS)[0]
            place = BRANCHES[b]
            customer_id, address_id = _id(), _id()
            created = now - dt.timedelta(days=rng.uniform(30, 1500))
            customers.append((b, customer_id, address_id))
            rows_c.append(
                {
                    "id": customer_id,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "code": f"C{n:08d}",
                    "name": f"客户{n}",
                    "kind": CustomerKind.PERSON,
                    "tier": CustomerTier.IRON,
                    "phone": f"139{n:08d}",
                    "owner_kind": OwnerKind.BRANCH,
                    "branch_id": world.branch_ids[b],
                }
            )
            lat, lon = _near(rng, place.lat, place.lon, CITY_KM)
            rows_a.append(
                {
                    "id": address_id,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "customer_id": customer_id,
                    "province": place.province,
                    "city": place.city,
                    "district": rng.choice(place.districts),
                    "street": "",
                    "community": f"小区{n % 997}",
                    "latitude": lat,
                    "longitude": lon,
                    "is_approximate": False,
                    "coordinate_source": "client",
                    "is_default": True,
                }
            )
        async with engine.begin() as conn:
            t0 = time.perf_counter()
            await _insert(conn, m.Customer, rows_c)
            t1 = time.perf_counter()
            await _insert(conn, m.Address, rows_a)
            t2 = time.perf_counter()
        # Generating the rows is part of the load; charge it to the two tables pro rata.
        made = t0 - started
        _tally(world, "customers", len(rows_c), made / 2 + t1 - t0)
        _tally(world, "addresses", len(rows_a), made / 2 + t2 - t1)
        _log(f"  customers + addresses: {len(rows_c):,} each in {t2 - started:.0f} s")
        del rows_c, rows_a

        number = 0
        while number < jobs:
            made_at = time.perf_counter()
            tickets: list[dict[str, Any]] = []
            job_rows: list[dict[str, Any]] = []
            for _ in range(min(BATCH, jobs - number)):
                b, customer_id, address_id = customers[rng.randrange(len(customers))]
                branch_id = world.branch_ids[b]
                kind = rng.choices(WORK_TYPES, weights=WORK_WEIGHTS)[0]
                ticket_id, job_id = _id(), _id()
                engineer = rng.choice(world.engineers[b])
                if rng.random() < OPEN_SHARE:
                    # Open work: a two-hour window today or tomorrow, half of it assigned.
                    day = today + dt.timedelta(days=rng.randrange(2))
                    hour = rng.randrange(9, 18)
                    start = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
                    start = start.astimezone(dt.UTC)
                    created = now - dt.timedelta(hours=rng.uniform(1, 48))
                    assigned = rng.random() < 0.5
                    ticket_status = TicketStatus.ASSIGNED if assigned else TicketStatus.DISPATCHED
                    job_status = JobStatus.ASSIGNED if assigned else JobStatus.PENDING
                    technician = engineer if assigned else None
                    closed = completed = None
                    world.open_job_ids.append(job_id)
                else:
                    created = now - dt.timedelta(days=rng.uniform(3, 730))
                    start = created + dt.timedelta(days=1)
                    ticket_status, job_status = TicketStatus.CLOSED, JobStatus.COMPLETED
                    technician = engineer
                    completed = start + dt.timedelta(hours=1)
                    closed = completed + dt.timedelta(days=2)
                tickets.append(
                    {
                        "id": ticket_id,
                        "created_at": created,
                        "updated_at": closed or created,
                        "version": 1,
                        "number": f"T{number:09d}",
                        "type": kind,
                        "status": ticket_status,
                        "priority": Priority.NORMAL,
                        "channel": Channel.HOTLINE,
                        "customer_id": customer_id,
                        "branch_id": branch_id,
                        "address_id": address_id,
                        "created_by_id": world.hq_user_id,
                        "closed_at": closed,
                        "details": {},
                        "revision": 1,
                    }
                )
                job_rows.append(
                    {
                        "id": job_id,
                        "created_at": created,
                        "updated_at": completed or created,
                        "version": 1,
                        "number": f"J{number:09d}",
                        "ticket_id": ticket_id,
                        "branch_id": branch_id,
                        "technician_id": technician,
                        "status": job_status,
                        "appointment_start": start,
                        "appointment_end": start + dt.timedelta(hours=2),
                        "completed_at": completed,
                        "report": {},
                        "revision": 1,
                    }
                )
                number += 1
            t0 = time.perf_counter()
            async with engine.begin() as conn:
                await _insert(conn, m.Ticket, tickets)
                t1 = time.perf_counter()
                await _insert(conn, m.Job, job_rows)
            t2 = time.perf_counter()
            made = t0 - made_at
            _tally(world, "tickets", len(tickets), made / 2 + t1 - t0)
            _tally(world, "jobs", len(job_rows), made / 2 + t2 - t1)
            if number % 200_000 == 0 or number == jobs:
                spent = world.load_seconds["tickets"] + world.load_seconds["jobs"]
                _log(f"  tickets + jobs: {number:,} of {jobs:,} ({spent:.0f} s)")
    finally:
        await engine.dispose()


async def _refresh_positions(url: str) -> None:
    """Phone fixes and today's sites as of now: the load may take longer than their max age."""
    engine = create_engine(url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as conn:
            t = m.Technician
            await conn.execute(
                update(t).where(t.position_cell.is_not(None)).values(position_at=now)
            )
            await conn.execute(update(t).where(t.site_cell.is_not(None)).values(site_at=now))
    finally:
        await engine.dispose()


async def _analyze(url: str) -> float:
    """Fresh statistics (PostgreSQL), so plans don't depend on when autovacuum last ran."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


# -- plans and index use ----------------------------------------------------------------


async def _technician_scans(url: str) -> dict[str, int]:
    """PostgreSQL's cumulative scan counters for the technicians table and its cell indexes."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = {
                row[0]: int(row[1])
                for row in await conn.execute(
                    text(
                        "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes "
                        "WHERE relname = 'technicians'"
                    )
                )
            }
            seq = await conn.scalar(
                text("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'technicians'")
            )
    finally:
        await engine.dispose()
    scans = {name: found.get(name, 0) for name in SCANNED_INDEXES}
    scans["technicians_seq_scan"] = int(seq or 0)
    return scans


async def _app_backends(url: str) -> list[int]:
    """Process ids of the PostgreSQL backends serving the app (every other connection to it)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return [int(row[0]) for row in rows]
    finally:
        await engine.dispose()


_LONG_ARRAY = re.compile(r"'\{([^}]{120,})\}'")
_LONG_IN = re.compile(r"IN \(((?:'[0-9a-f]+'(?:, )?){6,})\)")


def _shorten(line: str) -> str:
    """Plans quote every cell of the ring: keep the shape, not thousands of cell ids."""
    line = _LONG_ARRAY.sub(lambda x: f"'{{{x.group(1).count(',') + 1} cells}}'", line)
    return _LONG_IN.sub(lambda x: f"IN ({x.group(1).count(',') + 1} cells)", line)


async def _explain(
    url: str, kind: str, statement: str, params: Any, generic: bool = False
) -> list[str]:
    """The plan of a cell lookup exactly as the service sent it (with its parameters).

    ``generic``: PostgreSQL's plan without the parameter values, which it may switch to once a
    prepared statement (asyncpg prepares every one) has run five times.
    """
    engine = create_engine(url)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
    try:
        async with engine.connect() as conn:
            if generic:
                await conn.execute(text("SET plan_cache_mode = force_generic_plan"))
            rows = (await conn.exec_driver_sql(prefix + statement, tuple(params))).all()
    finally:
        await engine.dispose()
    return [_shorten(str(row[0] if kind == "postgresql" else row[-1])) for row in rows]


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Figures:
    engine: str
    engineers: int
    jobs: int
    samples: int
    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_suggestions: float
    errors: int
    statements_per_request: float
    cell_queries_per_request: float  # rings searched
    engineers_read_per_request: float  # distinct engineers the cell queries returned
    # CPU per timed request: this process (app, GraphQL, TestClient) and PostgreSQL's backends.
    # Steadier than latency on a shared machine, where waiting for a core inflates latency.
    app_cpu_ms: float = 0.0
    db_cpu_ms: float | None = None
    load_average: float = 0.0  # the machine's 1-minute load average after the timed requests
    # Where one request's time goes (means over the counted pass, ms): statements from the
    # driver's call to its answer, H3 cells and distances, and the rest (GraphQL, ORM, app).
    sql_ms: float = 0.0
    geo_ms: float = 0.0
    rest_ms: float = 0.0
    index_scans_per_request: dict[str, float] = field(default_factory=dict)
    plans: dict[str, list[str]] = field(default_factory=dict)
    first_error: str = ""


def _token_of(password: str) -> Any:
    async def login(client: Any) -> str:
        variables = {"username": "bench-hq", "password": password}
        body = {"query": LOGIN_DOCUMENT, "variables": variables}
        answer = (await client.post("/graphql", json=body)).json()
        return str(answer["data"]["login"]["token"])

    return login


def _login(client: TestClient, password: str) -> str:
    variables = {"username": "bench-hq", "password": password}
    answer = client.post("/graphql", json={"query": LOGIN_DOCUMENT, "variables": variables}).json()
    token = ((answer.get("data") or {}).get("login") or {}).get("token")
    if not token:
        raise SystemExit(f"login failed: {json.dumps(answer, ensure_ascii=False)[:2000]}")
    return str(token)


def _problem(status: int, answer: dict[str, Any]) -> str:
    """Why an answer is not a good one ('' when it is)."""
    if status != 200 or answer.get("errors"):
        return f"HTTP {status}: {json.dumps(answer, ensure_ascii=False)[:500]}"
    payload = (answer.get("data") or {}).get("suggestTechnicians") or {}
    if payload.get("errors"):
        return json.dumps(payload["errors"], ensure_ascii=False)[:500]
    return ""


def measure(
    db: ThrowawayDatabase,
    engineers: int,
    jobs: int,
    sample: list[str],
    warmup: list[str],
    password: str,
    limit: int,
) -> Figures:
    from wellspring.api.app import create_app
    from wellspring.settings import Mode, Settings

    settings = Settings(
        database_url=db.url,
        mode=Mode.PRODUCTION,
        secret_key=secrets.token_urlsafe(32),
        log_json=True,
    )
    app = create_app(settings)
    # create_app logs every request at INFO; in process that would only clutter the console.
    logging.getLogger().setLevel(logging.WARNING)
    before = asyncio.run(_technician_scans(db.url)) if db.kind == "postgresql" else {}

    def body(job_id: str) -> dict[str, Any]:
        variables = {"jobId": global_id("Job", job_id), "limit": limit}
        return {"query": SUGGEST_DOCUMENT, "variables": variables}

    latencies: list[float] = []
    suggestions: list[int] = []
    errors: list[str] = []
    statements: list[int] = []
    cell_queries: list[int] = []
    captured: list[tuple[str, Any]] = []
    reads: list[set[str]] = []
    with TestClient(app) as client:
        headers = {"authorization": f"Bearer {_login(client, password)}"}
        for job_id in warmup:
            client.post("/graphql", json=body(job_id), headers=headers)
        pids = asyncio.run(_app_backends(db.url)) if db.kind == "postgresql" else []
        cpu, db_cpu = time.process_time(), _backend_cpu(pids)
        for job_id in sample:
            began = time.perf_counter()
            response = client.post("/graphql", json=body(job_id), headers=headers)
            latencies.append((time.perf_counter() - began) * 1000)
            answer = response.json()
            problem = _problem(response.status_code, answer)
            if problem:
                errors.append(problem)
            else:
                found = answer["data"]["suggestTechnicians"]["suggestions"]
                suggestions.append(len(found))
        cpu, db_after = time.process_time() - cpu, _backend_cpu(pids)
        load_average = os.getloadavg()[0]
        # None when a backend went away meanwhile: its CPU could not be counted.
        db_cpu = db_after - db_cpu if db_cpu is not None and db_after is not None else None

        # A second, untimed pass over the same jobs counts what each request does: statements
        # reaching the driver, cell lookups (one per ring searched) and the engineers they read.
        def record(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
            statements[-1] += 1
            spent["sql_started"] = time.perf_counter()
            if "home_cell IN (" in statement or "home_cell = ANY (" in statement:
                cell_queries[-1] += 1
                captured.append((statement, params))

        def answered(*_a: Any) -> None:
            spent["sql"] += time.perf_counter() - spent["sql_started"]

        spent = {"sql": 0.0, "geo": 0.0, "total": 0.0, "sql_started": 0.0}

        def timed(fn: Any) -> Any:
            def wrapper(*a: Any, **k: Any) -> Any:
                began = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    spent["geo"] += time.perf_counter() - began

            return wrapper

        names = [(suggest, n) for n in ("rough_km", "technician_position")]
        names += [(ranking, "km"), (ranking, "km_at_least")]
        names += [(cells, "disk"), (cells, "cell")]
        geodesy = {(module, name): getattr(module, name) for module, name in names}
        original = nearby._in_cells

        async def counting(session: Any, ring: list[str], params: Any) -> list[Any]:
            found = await original(session, ring, params)
            reads[-1].update(t.id for t in found)
            return found

        sync_engine = app.state.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", record)
        event.listen(sync_engine, "after_cursor_execute", answered)
        nearby._in_cells = counting
        for (module, name), fn in geodesy.items():
            setattr(module, name, timed(fn))
        try:
            for job_id in sample:
                statements.append(0)
                cell_queries.append(0)
                reads.append(set())
                began = time.perf_counter()
                client.post("/graphql", json=body(job_id), headers=headers)
                spent["total"] += time.perf_counter() - began
        finally:
            nearby._in_cells = original
            for (module, name), fn in geodesy.items():
                setattr(module, name, fn)
            event.remove(sync_engine, "before_cursor_execute", record)
            event.remove(sync_engine, "after_cursor_execute", answered)

    requests = len(warmup) + 2 * len(sample)
    scans: dict[str, float] = {}
    if db.kind == "postgresql":
        # The app's connections are closed now; their counters reach the statistics shortly.
        time.sleep(1.5)
        after = asyncio.run(_technician_scans(db.url))
        scans = {k: round((after[k] - before.get(k, 0)) / requests, 2) for k in after}
    plans: dict[str, list[str]] = {}
    if captured:
        first = min(captured, key=lambda c: len(c[1]))
        widest = max(captured, key=lambda c: len(c[1]))
        for name, (statement, params) in (("first_ring", first), ("widest_ring", widest)):
            plans[name] = asyncio.run(_explain(db.url, db.kind, statement, params))
        if db.kind == "postgresql":
            plans["first_ring_generic"] = asyncio.run(_explain(db.url, db.kind, *first, True))
    ordered = sorted(latencies)
    return Figures(
        engine=db.kind,
        engineers=engineers,
        jobs=jobs,
        samples=len(sample),
        median_ms=round(statistics.median(ordered), 2),
        p90_ms=round(percentile(ordered, 0.90), 2),
        p99_ms=round(percentile(ordered, 0.99), 2),
        max_ms=round(ordered[-1], 2),
        mean_suggestions=round(statistics.fmean(suggestions), 2) if suggestions else 0.0,
        errors=len(errors),
        statements_per_request=round(statistics.fmean(statements), 2),
        cell_queries_per_request=round(statistics.fmean(cell_queries), 2),
        engineers_read_per_request=round(statistics.fmean(len(r) for r in reads), 1),
        app_cpu_ms=round(cpu * 1000 / len(sample), 2),
        load_average=round(load_average, 2),
        db_cpu_ms=round(db_cpu * 1000 / len(sample), 2) if db_cpu is not None else None,
        index_scans_per_request=scans,
        plans=plans,
        first_error=errors[0] if errors else "",
        sql_ms=round(spent["sql"] * 1000 / len(sample), 2),
        geo_ms=round(spent["geo"] * 1000 / len(sample), 2),
        rest_ms=round((spent["total"] - spent["sql"] - spent["geo"]) * 1000 / len(sample), 2),
    )


# -- one engine --------------------------------------------------------------------------


def run_engine(kind: str, args: argparse.Namespace) -> tuple[list[Figures], dict[str, Any]]:
    rng = random.Random(args.seed)
    db = ThrowawayDatabase(kind, args.admin_url, "dispatch")
    _log(f"{kind}: fresh database {db.name}")
    world = World()
    figures: list[Figures] = []
    try:
        db.create()
        password = secrets.token_urlsafe(18)
        world.hq_user_id = asyncio.run(_create_hq_login(db.url, password))
        asyncio.run(_load_branches(db.url, world))
        started = time.perf_counter()
        for step, target in enumerate(args.engineers):
            added = target - world.engineer_count
            seconds = asyncio.run(_add_engineers(db.url, world, added, rng))
            _tally(world, f"engineers_to_{target}", added, seconds)
            _log(f"{kind}: {world.engineer_count:,} engineers ({seconds:.1f} s)")
            if step == 0:
                # History once, assigned to the first engineers; later steps only add engineers.
                _log(f"{kind}: loading {args.jobs:,} jobs ...")
                asyncio.run(_load_history(db.url, world, args.jobs, rng))
                world.load_seconds["initial_load"] = time.perf_counter() - started
                picked = rng.sample(
                    world.open_job_ids, min(len(world.open_job_ids), args.samples + WARMUP)
                )
                warmup, sample = picked[:WARMUP], picked[WARMUP:]
            asyncio.run(_refresh_positions(db.url))
            if kind == "postgresql":
                world.load_seconds[f"vacuum_analyze_{target}"] = asyncio.run(_analyze(db.url))
            _log(f"{kind}: measuring {len(sample)} requests at {target:,} engineers ...")
            figures.append(measure(db, target, args.jobs, sample, warmup, password, args.limit))
            f = figures[-1]
            _log(f"{kind}: median {f.median_ms} ms, p99 {f.p99_ms} ms, errors {f.errors}")
        if args.profile:
            print(
                profile(
                    db.url, sample, _token_of(password), SUGGEST_DOCUMENT, args.limit, args.profile
                )
            )
    finally:
        db.drop()
    load = {
        "engine": kind,
        "rows": world.rows,
        "seconds": {k: round(v, 1) for k, v in world.load_seconds.items()},
        "open_jobs": len(world.open_job_ids),
    }
    return figures, load


# -- reporting ---------------------------------------------------------------------------


def _growth(figures: list[Figures]) -> dict[str, Any]:
    low, high = figures[0], figures[-1]
    return {
        "engine": low.engine,
        "from_engineers": low.engineers,
        "to_engineers": high.engineers,
        "median_ratio": round(high.median_ms / low.median_ms, 2),
        "p99_ratio": round(high.p99_ms / low.p99_ms, 2),
        "cpu_ratio": round(_cpu(high) / _cpu(low), 2),
    }


def _cpu(f: Figures) -> float:
    return f.app_cpu_ms + (f.db_cpu_ms or 0.0)


P99_TARGET_MS = 10.0  # issue 19 §3


def _print_table(figures: list[Figures], loads: list[dict[str, Any]]) -> None:
    print(
        f"{'engine':<11}{'engineers':>10}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'cpu app':>9}{'cpu db':>8}{'suggested':>10}{'stmts':>7}{'rings':>7}"
        f"{'read':>7}{'errors':>8}{'load':>6}"
    )
    for f in figures:
        print(
            f"{f.engine:<11}{f.engineers:>10,}{f.median_ms:>11.1f}{f.p90_ms:>9.1f}"
            f"{f.p99_ms:>9.1f}{f.max_ms:>9.1f}{f.app_cpu_ms:>9.1f}"
            f"{'-' if f.db_cpu_ms is None else f'{f.db_cpu_ms:.1f}':>8}{f.mean_suggestions:>10.1f}"
            f"{f.statements_per_request:>7.1f}{f.cell_queries_per_request:>7.2f}"
            f"{f.engineers_read_per_request:>7.1f}{f.errors:>8}{f.load_average:>6.1f}"
        )
        if f.first_error:
            print(f"  first error: {f.first_error}")
    for f in figures:
        print(
            f"{f.engine} at {f.engineers:,}: per request SQL {f.sql_ms:.1f} ms, geodesy "
            f"{f.geo_ms:.1f} ms, GraphQL and app {f.rest_ms:.1f} ms; p99 {f.p99_ms:.1f} ms "
            f"(target <= {P99_TARGET_MS:g} ms)"
        )
    for engine in dict.fromkeys(f.engine for f in figures):
        own = [f for f in figures if f.engine == engine]
        if len(own) > 1:
            g = _growth(own)
            print(
                f"{engine}: growth {g['from_engineers']:,} -> {g['to_engineers']:,} engineers: "
                f"median x{g['median_ratio']:.2f}, p99 x{g['p99_ratio']:.2f}, "
                f"CPU per request x{g['cpu_ratio']:.2f}"
            )
    for load in loads:
        seconds = ", ".join(f"{k} {v:g} s" for k, v in load["seconds"].items())
        print(f"{load['engine']} load: {seconds}")
    for f in figures:
        if f.index_scans_per_request:
            scans = ", ".join(f"{k} {v:g}" for k, v in f.index_scans_per_request.items())
            print(f"{f.engine} at {f.engineers:,}: scans per request: {scans}")
        for name, lines in f.plans.items():
            print(f"{f.engine} at {f.engineers:,}, cell lookup plan ({name}):")
            for line in lines:
                print("    " + line)


def _counts(value: str) -> list[int]:
    counts = sorted({int(x) for x in value.split(",") if x.strip()})
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("engineer counts must be positive integers")
    return counts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dispatch",
        description="SuggestTechnicians latency at growing engineer counts (GraphQL, in process).",
    )
    parser.add_argument("--engines", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--jobs", type=int, default=1_000_000, help="jobs loaded (about 5%% open)")
    parser.add_argument(
        "--engineers", type=_counts, default=[1_000, 10_000], help="engineer counts, added in turn"
    )
    parser.add_argument("--samples", type=int, default=300, help="timed requests per step")
    parser.add_argument("--limit", type=int, default=10, help="suggestions asked for (1-50)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL admin database")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="after the last step, print the N functions with most own time (cProfile)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or not set(engines) <= {"postgresql", "sqlite"}:
        raise SystemExit("--engines takes postgresql and/or sqlite")
    if args.jobs < 1_000 or args.samples < 1 or not 1 <= args.limit <= 50:
        raise SystemExit("--jobs must be >= 1000, --samples >= 1, --limit 1 to 50")
    figures: list[Figures] = []
    loads: list[dict[str, Any]] = []
    for kind in engines:
        own, load = run_engine(kind, args)
        figures += own
        loads.append(load)
    if args.json:
        for f in figures:
            print(json.dumps({"benchmark": "dispatch"} | asdict(f), ensure_ascii=False))
        for engine in engines:
            own = [f for f in figures if f.engine == engine]
            if len(own) > 1:
                print(json.dumps({"benchmark": "dispatch", "growth": _growth(own)}))
        for load in loads:
            print(json.dumps({"benchmark": "dispatch", "load": load}))
    else:
        print(
            f"SuggestTechnicians (limit {args.limit}), {args.jobs:,} jobs, "
            f"{args.samples} requests per step after {WARMUP} warm-up, in process"
        )
        _print_table(figures, loads)
    return 1 if any(f.errors for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
