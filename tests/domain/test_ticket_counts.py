"""The maintained ticket counts equal ``count(*)`` whatever happens to tickets (issue 19 §3)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import BACKEND
from tests.domain.test_workflow_rules import ACTORS, MOVES, _actors, _apply, _fresh_ticket
from wellspring.domain import models as m
from wellspring.domain import ticket_counts
from wellspring.domain.db import create_engine, declare_writes, session_factory, transaction
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models.enums import TicketStatus
from wellspring.domain.workflow import dispatching

# Beyond the workflow's moves: a branch change, a deletion, a move undone by a savepoint,
# a transaction rolled back, and a new ticket.
EXTRA = ("dispatch_bj", "delete", "savepoint", "rollback", "open")


async def _agree(factory: Any) -> None:
    async with factory() as s:
        assert await ticket_counts.differences(s) == {}
        for branch in (None, *(await s.execute(select(m.Branch.id))).scalars()):
            for statuses in ([], [TicketStatus.CANCELLED, TicketStatus.DISPATCHED]):
                stmt = select(func.count()).where(m.Ticket.deleted_at.is_(None))
                if branch is not None:
                    stmt = stmt.where(m.Ticket.branch_id == branch)
                if statuses:
                    stmt = stmt.where(m.Ticket.status.in_(statuses))
                kept = await ticket_counts.total(s, branch_id=branch, statuses=statuses)
                assert kept == (await s.execute(stmt)).scalar_one()


async def _step(
    factory: Any, actors: dict[str, Any], ids: dict[str, str], who: str, kind: str, t: str
) -> str | None:
    """One step in its own transaction; returns a new ticket's id for "open"."""
    if kind == "open":
        return await _fresh_ticket(factory, actors)
    async with transaction(factory) as session:
        if kind == "dispatch_bj":
            await dispatching.dispatch_ticket(
                session, actors["hotline"], ticket_id=t, branch_id=ids["BJ"]
            )
        elif kind == "delete":
            ticket = await session.get(m.Ticket, t)
            assert ticket is not None
            ticket.deleted_at = dt.datetime.now(dt.UTC)
        elif kind == "savepoint":
            savepoint = await session.begin_nested()
            await dispatching.cancel_ticket(session, actors["hotline"], ticket_id=t, reason="x")
            await savepoint.rollback()
        elif kind == "rollback":
            await dispatching.cancel_ticket(session, actors["hotline"], ticket_id=t, reason="x")
            raise DomainError("ROLLED_BACK")
        else:
            await _apply(session, actors[who], kind, t, ids)
    return None


@settings(
    max_examples=int(os.environ.get("WELLSPRING_HYPOTHESIS_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTORS), st.sampled_from(MOVES + EXTRA), st.integers(0, 3)),
        max_size=12,
    )
)
def test_random_opens_moves_cancels_and_deletes_keep_the_counts_exact(
    database_url: str, steps: list[tuple[str, str, int]]
) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                actors = await _actors(s)
                branches = dict((await s.execute(select(m.Branch.code, m.Branch.id))).all())
                ids = {
                    "SH": branches["SH"],
                    "BJ": branches["BJ"],
                    "tech-sh-1": actors["tech-sh-1"].technician_id or "",
                }
            pool = [await _fresh_ticket(factory, actors)]
            for who, kind, pick in steps:
                try:
                    new = await _step(factory, actors, ids, who, kind, pool[pick % len(pool)])
                except (DomainError, PermissionDenied):
                    continue
                if new is not None:
                    pool.append(new)
            await _agree(factory)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_the_demo_data_and_everything_before_leave_the_counts_exact(database_url: str) -> None:
    """The demo load (bulk statements, then ``rebuild``) and whatever earlier tests did."""

    async def scenario() -> None:
        engine = create_engine(database_url)
        try:
            await _agree(session_factory(engine))
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_transactions_moving_tickets_at_once_lose_no_update(database_url: str) -> None:
    """Two writers cross (one cancels in SH and dispatches in BJ, the other the reverse
    order), both waiting on each other's count rows at commit: both commit, counts exact.
    (A ticket goes to its customer's branch only, so each branch's are its customers'.)"""

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                actors = await _actors(s)
                branches = dict((await s.execute(select(m.Branch.code, m.Branch.id))).all())
            homes = ("SH", "SH", "BJ", "BJ")
            tickets = [await _fresh_ticket(factory, actors, home) for home in homes]
            for t in tickets:
                async with transaction(factory) as s:
                    await dispatching.approve_ticket(s, actors["hotline"], ticket_id=t)
            hotline = actors["hotline"]

            async def writer(cancel: str, send: str, to: str, pause: float) -> None:
                async with factory() as s:
                    await declare_writes(s)
                    await dispatching.cancel_ticket(s, hotline, ticket_id=cancel, reason="x")
                    await asyncio.sleep(pause)
                    await dispatching.dispatch_ticket(
                        s, hotline, ticket_id=send, branch_id=branches[to]
                    )
                    await s.commit()

            await asyncio.wait_for(
                asyncio.gather(
                    writer(tickets[0], tickets[2], "BJ", 0.2),
                    writer(tickets[3], tickets[1], "SH", 0.0),
                ),
                timeout=30,
            )
            await _agree(factory)
        finally:
            await engine.dispose()

    asyncio.run(scenario())
