"""The synthetic company ``bench.dispatch`` measures: branches and engineers with homes, phone
positions and last sites, loaded with Core bulk inserts in batches; its customers, tickets
and history of jobs are in ``dispatch_history.py``."""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, text, update

from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import (
    BranchKind,
    Role,
    TicketType,
)
from wellspring.domain.users import create_user
from wellspring.geo import cells

CHUNK = 5_000  # rows per executemany
BATCH = 20_000  # tickets (and their jobs) generated at a time, to bound memory
CITY_KM = 25.0  # homes, positions, sites and customers lie within this of the branch centre
OPEN_SHARE = 0.05


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


def log(text_: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout to the results."""
    print(text_, file=sys.stderr, flush=True)


def new_id() -> str:
    return str(uuid.uuid4())


def near(rng: Any, lat: float, lon: float, km: float) -> tuple[float, float]:
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


async def insert_rows(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Core executemany in chunks: every row carries the same keys, defaults fill the rest."""
    stmt = insert(model.__table__)
    for start in range(0, len(rows), CHUNK):
        await conn.execute(stmt, rows[start : start + CHUNK])


def tally(world: World, name: str, rows: int, seconds: float) -> None:
    world.rows[name] = world.rows.get(name, 0) + rows
    world.load_seconds[name] = world.load_seconds.get(name, 0.0) + seconds


async def create_hq_login(url: str, password: str) -> str:
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


async def load_branches(url: str, world: World) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            rows = []
            for place in BRANCHES:
                world.branch_ids.append(new_id())
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
            await insert_rows(conn, m.Branch, rows)
    finally:
        await engine.dispose()


async def add_engineers(url: str, world: World, count: int, rng: Any) -> float:
    """``count`` more engineers (users and technicians), spread over branches by weight."""
    now = dt.datetime.now(dt.UTC)
    users: list[dict[str, Any]] = []
    techs: list[dict[str, Any]] = []
    for n in range(world.engineer_count, world.engineer_count + count):
        b = rng.choices(range(len(BRANCHES)), weights=WEIGHTS)[0]
        place = BRANCHES[b]
        user_id, tech_id = new_id(), new_id()
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
        home = near(rng, place.lat, place.lon, CITY_KM)
        # About half the engineers have a fresh phone fix, a fifth have reached a job today.
        position = near(rng, place.lat, place.lon, CITY_KM) if rng.random() < 0.5 else None
        site = near(rng, place.lat, place.lon, CITY_KM) if rng.random() < 0.2 else None
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
            await insert_rows(conn, m.User, users)
            await insert_rows(conn, m.Technician, techs)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def refresh_positions(url: str) -> None:
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


async def analyze(url: str) -> float:
    """Fresh statistics (PostgreSQL), so plans don't depend on when autovacuum last ran."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started
