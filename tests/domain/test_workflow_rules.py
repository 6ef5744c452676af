"""The workflow services under concurrency and random sequences of allowed and forbidden moves."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import exists, select

from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, declare_writes, session_factory, transaction
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models.enums import DeviceStatus, OwnerKind, TicketType
from wellspring.domain.workflow import dispatching, engineer_moves, follow_ups, opening
from wellspring.domain.workflow.requests import OpenTicketRequest

ACTORS = ("hotline", "clerk-sh", "clerk-bj", "tech-sh-1", "tech-sh-2", "customer-1")


async def _actors(session: Any) -> dict[str, Actor]:
    rows = await session.execute(
        select(m.User, m.Technician.id).outerjoin(m.Technician, m.Technician.user_id == m.User.id)
    )
    return {
        user.username: Actor(
            user_id=user.id,
            username=user.username,
            role=user.role,
            branch_id=user.branch_id,
            agent_id=user.agent_id,
            customer_id=user.customer_id,
            technician_id=tech_id,
        )
        for user, tech_id in rows
        if user.username in ACTORS
    }


async def _fresh_ticket(factory: Any, actors: dict[str, Actor], branch: str = "SH") -> str:
    async with transaction(factory) as session:
        sh = (
            await session.execute(select(m.Branch.id).where(m.Branch.code == branch))
        ).scalar_one()
        device = (
            await session.execute(
                select(m.Device)
                .join(m.Customer, m.Customer.id == m.Device.customer_id)
                .where(
                    m.Customer.branch_id == sh,
                    m.Customer.owner_kind == OwnerKind.BRANCH,
                    m.Device.status == DeviceStatus.INSTALLED,
                    # A customer without a login (reached by SMS): other tests make customers
                    # with logins, whose ids may sort first, and who hear what this opens.
                    ~exists().where(m.User.customer_id == m.Customer.id),
                )
                .order_by(m.Device.id)
                .limit(1)
            )
        ).scalar_one()
        ticket = await opening.open_ticket(
            session,
            actors["hotline"],
            request=OpenTicketRequest(
                type=TicketType.REPAIR,
                customer_id=device.customer_id,
                device_id=device.id,
                allow_duplicate=True,  # every run opens another on the same device
            ),
        )
        return ticket.id


def test_two_dispatchers_approving_at_once_one_wins(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                actors = await _actors(s)
            ticket_id = await _fresh_ticket(factory, actors)
            async with factory() as first:
                await declare_writes(first)
                await dispatching.approve_ticket(first, actors["hotline"], ticket_id=ticket_id)

                async def second() -> DomainError:
                    async with factory() as other:
                        await declare_writes(other)
                        try:
                            await dispatching.approve_ticket(
                                other, actors["clerk-sh"], ticket_id=ticket_id
                            )
                        except DomainError as error:
                            await other.rollback()
                            return error
                        raise AssertionError("the second approval went through")

                loser = asyncio.create_task(second())
                await asyncio.sleep(0.3)  # the second is now waiting on the first's lock
                await first.commit()
                error = await asyncio.wait_for(loser, timeout=30)
            # PostgreSQL: the UPDATE found the revision changed; SQLite: the second writer
            # began after the first committed. Either way it is told the current state.
            assert error.code in ("STALE_OBJECT", "INVALID_TRANSITION")
            assert error.params["status"] == "APPROVED"
            async with factory() as s:
                moves = (
                    (
                        await s.execute(
                            select(m.TicketStatusChange.to_status).where(
                                m.TicketStatusChange.ticket_id == ticket_id
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            assert sorted(moves) == ["APPROVED", "CREATED"]
        finally:
            await engine.dispose()

    asyncio.run(scenario())


MOVES = (
    "approve",
    "reject",
    "dispatch",
    "assign",
    "cancel",
    "accept",
    "start",
    "arrive",
    "complete",
    "fail",
    "follow_up",
)


async def _apply(
    session: Any, actor: Actor, move: str, ticket_id: str, ids: dict[str, str]
) -> None:
    job_id = (
        await session.execute(
            select(m.Job.id)
            .where(m.Job.ticket_id == ticket_id)
            .order_by(m.Job.created_at.desc(), m.Job.id)
            .limit(1)
        )
    ).scalar_one_or_none() or "00000000-0000-0000-0000-000000000000"
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "approve": lambda: dispatching.approve_ticket(session, actor, ticket_id=ticket_id),
        "reject": lambda: dispatching.reject_ticket(
            session, actor, ticket_id=ticket_id, reason="r"
        ),
        "dispatch": lambda: dispatching.dispatch_ticket(
            session, actor, ticket_id=ticket_id, branch_id=ids["SH"]
        ),
        "assign": lambda: dispatching.assign_job(
            session,
            actor,
            job_id=job_id,
            technician_id=ids["tech-sh-1"],
            appointment_start=soon,
            appointment_end=soon + dt.timedelta(hours=2),
        ),
        "cancel": lambda: dispatching.cancel_ticket(
            session, actor, ticket_id=ticket_id, reason="c"
        ),
        "accept": lambda: engineer_moves.accept_job(session, actor, job_id=job_id),
        "start": lambda: engineer_moves.start_travel(session, actor, job_id=job_id),
        "arrive": lambda: engineer_moves.arrive_on_site(session, actor, job_id=job_id),
        "complete": lambda: engineer_moves.complete_job(
            session,
            actor,
            job_id=job_id,
            report={"fault_symptom": "漏水", "fault_code": "E01", "repair_level": "LEVEL_1"},
        ),
        "fail": lambda: engineer_moves.fail_job(session, actor, job_id=job_id, reason="absent"),
        "follow_up": lambda: follow_ups.record_follow_up(
            session, actor, ticket_id=ticket_id, score=4
        ),
    }
    await calls[move]()


def _chained(rows: list[tuple[Any, ...]], current: Any) -> None:
    assert rows, "no history"
    assert rows[0][0] is None
    for before, after in pairwise(rows):
        assert after[0] == before[1], rows
    assert rows[-1][1] == current, rows


@settings(
    max_examples=int(os.environ.get("WELLSPRING_HYPOTHESIS_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(MOVES)), max_size=14))
def test_random_moves_never_break_a_history(
    database_url: str, steps: list[tuple[str, str]]
) -> None:
    """Whatever anyone tries, each history row starts where the previous one ended."""

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                actors = await _actors(s)
                ids = {
                    "SH": (
                        await s.execute(select(m.Branch.id).where(m.Branch.code == "SH"))
                    ).scalar_one(),
                    "tech-sh-1": actors["tech-sh-1"].technician_id or "",
                }
            ticket_id = await _fresh_ticket(factory, actors)
            for username, move in steps:
                try:
                    async with transaction(factory) as session:
                        await _apply(session, actors[username], move, ticket_id, ids)
                except (DomainError, PermissionDenied):
                    pass
            async with factory() as s:
                ticket = await s.get(m.Ticket, ticket_id)
                assert ticket is not None
                rows = (
                    await s.execute(
                        select(m.TicketStatusChange.from_status, m.TicketStatusChange.to_status)
                        .where(m.TicketStatusChange.ticket_id == ticket_id)
                        .order_by(m.TicketStatusChange.at, m.TicketStatusChange.id)
                    )
                ).all()
                _chained([tuple(r) for r in rows], ticket.status)
                jobs = (
                    await s.execute(select(m.Job).where(m.Job.ticket_id == ticket_id))
                ).scalars()
                for job in jobs:
                    job_rows = (
                        await s.execute(
                            select(m.JobStatusChange.from_status, m.JobStatusChange.to_status)
                            .where(m.JobStatusChange.job_id == job.id)
                            .order_by(m.JobStatusChange.at, m.JobStatusChange.id)
                        )
                    ).all()
                    _chained([tuple(r) for r in job_rows], job.status)
        finally:
            await engine.dispose()

    asyncio.run(scenario())
