"""A small branch of its own for the dispatch tests: engineers, customers and jobs at known
places in Shanghai, written straight to the database (the demo data stays as it is)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tests.factories import unique
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import (
    BranchKind,
    JobStatus,
    LedgerKind,
    Priority,
    Role,
    StockBin,
    TicketStatus,
    TicketType,
    WarehouseKind,
)
from wellspring.domain.users import create_user
from wellspring.geo import cells

if TYPE_CHECKING:
    from tests.conftest import GraphQL

PASSWORD = "password-123"
# Places in Shanghai (WGS-84): People's Square, Lujiazui, Xujiahui, Wujiaochang, Hongqiao ...
PLACES = {
    "people_square": (31.2317, 121.4726),
    "lujiazui": (31.2397, 121.4998),
    "xujiahui": (31.1950, 121.4370),
    "wujiaochang": (31.2990, 121.5140),
    "hongqiao": (31.1940, 121.3200),
    "zhangjiang": (31.2040, 121.5900),
    "minhang": (31.1120, 121.3810),
    "jingan": (31.2290, 121.4480),
    "putuo": (31.2490, 121.3970),
    "yangpu": (31.2600, 121.5260),
    "huangpu": (31.2200, 121.4900),
    "changning": (31.2200, 121.4240),
}


@dataclass
class Site:
    url: str
    branch_id: str
    branch_code: str
    clerk: str
    techs: dict[str, str] = field(default_factory=dict)  # name -> technician id
    usernames: dict[str, str] = field(default_factory=dict)  # name -> username
    jobs: dict[str, str] = field(default_factory=dict)  # name -> job id
    kinds: dict[str, str] = field(default_factory=dict)  # job name -> ticket type
    places: dict[str, tuple[float, float]] = field(default_factory=dict)  # job name -> site
    customer_id: str = ""


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI).astimezone(dt.UTC)


def next_day(weekdays: set[int]) -> dt.date:
    """The first day after today (Asia/Shanghai) whose ISO weekday is one of ``weekdays``."""
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    while day.isoweekday() not in weekdays:
        day += dt.timedelta(days=1)
    return day


def signed_in(gql: GraphQL, username: str) -> str:
    """``username``, signed in to ``gql`` with the site's password if not yet."""
    if username not in gql.tokens:
        gql.sign_in(username, PASSWORD)
    return username


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _session_do(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await work(session)
    finally:
        await engine.dispose()


def make_branch(url: str, *, lat: float = 31.2304, lon: float = 121.4737) -> Site:
    code = unique("T").upper()[:12]

    async def work(session: Any) -> Site:
        branch = m.Branch(
            code=code,
            name=f"测试{code}",
            kind=BranchKind.BRANCH,
            province="上海市",
            city="上海市",
            latitude=lat,
            longitude=lon,
        )
        session.add(branch)
        await session.flush()
        clerk = unique("clerk")
        await create_user(
            session,
            SYSTEM,
            username=clerk,
            password=PASSWORD,
            role=Role.CLERK,
            display_name=clerk,
            branch_code=code,
        )
        customer = m.Customer(
            code=unique("C"), name="测试客户", phone="13800000000", branch_id=branch.id
        )
        session.add(customer)
        await session.flush()
        return Site(url, branch.id, code, clerk, customer_id=customer.id)

    return run(_session_do(url, work))


def add_technician(
    site: Site,
    name: str,
    *,
    home: tuple[float, float] | None,
    skills: list[TicketType] | None = None,
    shift: tuple[dt.time, dt.time] = (dt.time(8, 30), dt.time(17, 30)),
    work_days: list[int] | None = None,
) -> str:
    username = unique(f"tech-{name}")

    async def work(session: Any) -> str:
        user = await create_user(
            session,
            SYSTEM,
            username=username,
            password=PASSWORD,
            role=Role.TECHNICIAN,
            display_name=f"工程师{name}",
            branch_code=site.branch_code,
        )
        tech = (
            await session.execute(select(m.Technician).where(m.Technician.user_id == user.id))
        ).scalar_one()
        tech.skills = [t.value for t in (skills or list(TicketType))]
        tech.home_latitude, tech.home_longitude = home if home else (None, None)
        tech.home_cell = cells.cell(*home) if home else None
        tech.shift_start, tech.shift_end = shift
        tech.work_days = work_days if work_days is not None else [1, 2, 3, 4, 5, 6, 7]
        await session.flush()
        return str(tech.id)

    tech_id = run(_session_do(site.url, work))
    site.techs[name] = tech_id
    site.usernames[name] = username
    return tech_id


def add_job(
    site: Site,
    name: str,
    *,
    at: tuple[float, float] | None,
    kind: TicketType = TicketType.REPAIR,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    technician: str | None = None,
    status: JobStatus = JobStatus.PENDING,
    priority: Priority = Priority.NORMAL,
    district: str = "黄浦区",
    city: str = "上海市",
    details: dict[str, Any] | None = None,
    device_id: str | None = None,
) -> str:
    async def work(session: Any) -> str:
        address = m.Address(
            customer_id=site.customer_id,
            province=city,
            city=city,
            district=district,
            street="测试街道",
            latitude=at[0] if at else None,
            longitude=at[1] if at else None,
            coordinate_source="client" if at else "",
        )
        session.add(address)
        await session.flush()
        ticket_status = {
            JobStatus.PENDING: TicketStatus.DISPATCHED,
            JobStatus.ASSIGNED: TicketStatus.APPOINTED if window else TicketStatus.ASSIGNED,
            JobStatus.ACCEPTED: TicketStatus.APPOINTED if window else TicketStatus.ASSIGNED,
            JobStatus.EN_ROUTE: TicketStatus.EN_ROUTE,
            JobStatus.ON_SITE: TicketStatus.ON_SITE,
        }[status]
        ticket = m.Ticket(
            number=unique("TK"),
            type=kind,
            status=ticket_status,
            priority=priority,
            customer_id=site.customer_id,
            branch_id=site.branch_id,
            address_id=address.id,
            device_id=device_id,
            created_by_id=(await session.scalar(select(m.User.id).limit(1))),
            details=details or {},
        )
        session.add(ticket)
        await session.flush()
        now = dt.datetime.now(dt.UTC)
        job = m.Job(
            id=str(uuid.uuid4()),
            number=unique("JB"),
            ticket_id=ticket.id,
            branch_id=site.branch_id,
            technician_id=site.techs[technician] if technician else None,
            status=status,
            appointment_start=window[0] if window else None,
            appointment_end=window[1] if window else None,
            started_travel_at=now if status in (JobStatus.EN_ROUTE, JobStatus.ON_SITE) else None,
            arrived_at=now if status is JobStatus.ON_SITE else None,
        )
        session.add(job)
        await session.flush()
        # The histories a real ticket and job would have, so the invariants hold.
        ticket_chain = [None, TicketStatus.CREATED, TicketStatus.APPROVED, TicketStatus.DISPATCHED]
        ticket_chain += {
            TicketStatus.DISPATCHED: [],
            TicketStatus.ASSIGNED: [TicketStatus.ASSIGNED],
            TicketStatus.APPOINTED: [TicketStatus.APPOINTED],
            TicketStatus.EN_ROUTE: [TicketStatus.ASSIGNED, TicketStatus.EN_ROUTE],
            TicketStatus.ON_SITE: [
                TicketStatus.ASSIGNED,
                TicketStatus.EN_ROUTE,
                TicketStatus.ON_SITE,
            ],
        }[ticket_status]
        order = [JobStatus.PENDING, JobStatus.ASSIGNED, JobStatus.ACCEPTED, JobStatus.EN_ROUTE]
        order.append(JobStatus.ON_SITE)
        job_chain: list[JobStatus | None] = [None, *order[: order.index(status) + 1]]
        start = now - dt.timedelta(hours=1)
        for i, (before, after) in enumerate(itertools.pairwise(ticket_chain)):
            session.add(
                m.TicketStatusChange(
                    ticket_id=ticket.id,
                    from_status=before,
                    to_status=after,
                    at=start + dt.timedelta(seconds=i),
                )
            )
        for i, (job_before, job_after) in enumerate(itertools.pairwise(job_chain)):
            session.add(
                m.JobStatusChange(
                    job_id=job.id,
                    from_status=job_before,
                    to_status=job_after,
                    at=start + dt.timedelta(seconds=i),
                    technician_id=None if job_after is JobStatus.PENDING else job.technician_id,
                )
            )
        await session.flush()
        return job.id

    job_id = run(_session_do(site.url, work))
    site.jobs[name] = job_id
    site.kinds[name] = kind.value
    if at is not None:
        site.places[name] = at
    return job_id


def set_rows(url: str, model: Any, row_id: str, **values: Any) -> None:
    async def work(session: Any) -> None:
        row = await session.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        await session.flush()

    run(_session_do(url, work))


def stock_van(site: Site, tech: str, part_id: str, quantity: int) -> None:
    """Put parts in an engineer's van (a van is made on first use)."""

    async def work(session: Any) -> None:
        tech_id = site.techs[tech]
        van = await session.scalar(select(m.Warehouse).where(m.Warehouse.technician_id == tech_id))
        if van is None:
            van = m.Warehouse(
                code=unique("VAN"),
                name=f"{tech} van",
                kind=WarehouseKind.VAN,
                branch_id=site.branch_id,
                technician_id=tech_id,
            )
            session.add(van)
            await session.flush()
        if quantity > 0:
            await ledger.post(
                session,
                SYSTEM,
                warehouse_id=van.id,
                part_id=part_id,
                bin_=StockBin.GOOD,
                delta=quantity,
                kind=LedgerKind.RECEIPT,
            )
        else:
            await ledger.ensure_balance(session, van.id, part_id, StockBin.GOOD)

    run(_session_do(site.url, work))


def any_part(url: str) -> str:
    async def work(session: Any) -> str:
        return str(await session.scalar(select(m.Part.id).order_by(m.Part.sku).limit(1)))

    return str(run(_session_do(url, work)))


def live_device(url: str) -> str:
    """A device not soft-deleted (another test's deleted one, tests/deleted_rows.py, may
    otherwise sort first), of a model ``any_part`` fits (other tests put devices on models of
    their own, which may sort first), the same one each time."""

    async def work(session: Any) -> str:
        part = await session.scalar(select(m.Part).order_by(m.Part.sku).limit(1))
        first = (
            select(m.Device.id)
            .join(m.DeviceModel, m.DeviceModel.id == m.Device.device_model_id)
            .where(m.Device.deleted_at.is_(None))
            .order_by(m.Device.id)
        )
        if part is not None and part.compatible_models:
            first = first.where(m.DeviceModel.code.in_(part.compatible_models))
        return str(await session.scalar(first.limit(1)))

    return str(run(_session_do(url, work)))
