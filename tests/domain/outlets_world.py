"""What the service-outlet tests share: a small fixture (a branch, an outlet with its
engineer, parts and price standards) made in a transaction the test rolls back, and jobs on
it at chosen times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories
from tests.factories import unique
from wellspring.domain.actor import Actor
from wellspring.domain.clock import FixedClock
from wellspring.domain.models import (
    Customer,
    Job,
    Technician,
    Ticket,
    User,
)
from wellspring.domain.models.enums import (
    JobStatus,
    Role,
    TicketStatus,
    TicketType,
)
from wellspring.domain.outlets import outlets

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
SH = dt.timezone(dt.timedelta(hours=8))


def in_rollback(url: str, body: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """``factories.in_rollback`` with the clock fixed at ``NOW``."""
    return factories.in_rollback(url, body, clock=FixedClock(NOW))


@dataclass
class Fixture:
    hq: Actor
    clerk_sh: Actor
    clerk_bj: Actor
    engineer: Actor  # attached to the outlet
    stranger: Actor  # an engineer of the same branch, not attached
    outlet_id: str
    customer_id: str
    branch_id: str


async def actor_of(session: AsyncSession, username: str) -> Actor:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one()
    tech = await session.scalar(select(Technician.id).where(Technician.user_id == user.id))
    return Actor(user.id, user.username, user.role, user.branch_id, technician_id=tech)


async def add_engineer(session: AsyncSession, branch_id: str) -> Actor:
    user = User(
        username=unique("o"), display_name="网点工程师", password_hash="x", role=Role.TECHNICIAN
    )
    user.branch_id = branch_id
    session.add(user)
    await session.flush()
    tech = Technician(user_id=user.id, branch_id=branch_id)
    session.add(tech)
    await session.flush()
    return Actor(user.id, user.username, Role.TECHNICIAN, branch_id, technician_id=tech.id)


async def fixture(session: AsyncSession) -> Fixture:
    hq, clerk = await actor_of(session, "hq"), await actor_of(session, "clerk-sh")
    clerk_bj = await actor_of(session, "clerk-bj")
    assert clerk.branch_id
    engineer = await add_engineer(session, clerk.branch_id)
    stranger = await add_engineer(session, clerk.branch_id)
    outlet = await outlets.upsert_outlet(
        session,
        clerk,
        change=outlets.OutletChange(
            code=unique("OUT"),
            name="浦东服务网点",
            branch_id=clerk.branch_id,
            email="pd@example.com",
            city="上海市",
            rate_card={"REPAIR": Decimal("80"), "INSTALL": Decimal("150.5")},
            technician_ids=[str(engineer.technician_id)],
        ),
    )
    customer = await session.scalar(
        select(Customer.id).where(Customer.branch_id == clerk.branch_id).limit(1)
    )
    assert customer
    return Fixture(hq, clerk, clerk_bj, engineer, stranger, outlet.id, customer, clerk.branch_id)


async def add_job(
    session: AsyncSession,
    f: Fixture,
    tech: Actor,
    kind: TicketType,
    completed: dt.datetime,
    *,
    ticket: Ticket | None = None,
    window_end: dt.datetime | None = None,
    arrived: dt.datetime | None = None,
) -> Job:
    if ticket is None:
        ticket = Ticket(
            number=unique("T"),
            type=kind,
            status=TicketStatus.COMPLETED,
            customer_id=f.customer_id,
            branch_id=f.branch_id,
            created_by_id=f.hq.user_id,
        )
        session.add(ticket)
        await session.flush()
    job = Job(
        number=unique("J"),
        ticket_id=ticket.id,
        branch_id=f.branch_id,
        technician_id=tech.technician_id,
        status=JobStatus.COMPLETED,
        completed_at=completed,
        appointment_end=window_end,
        arrived_at=arrived,
    )
    session.add(job)
    await session.flush()
    return job
