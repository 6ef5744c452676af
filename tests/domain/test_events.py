"""Domain events ride on the unit of work: a move says what happened, a rollback unsays it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from tests.domain.test_workflow_rules import _actors, _fresh_ticket
from wellspring.domain import events
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.events import EventKind
from wellspring.domain.workflow import dispatching


def test_moves_emit_events_in_order_and_a_rollback_drops_them(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                actors = await _actors(s)
            ticket_id = await _fresh_ticket(factory, actors)
            seen: list[events.DomainEvent] = []
            async with transaction(factory) as session:
                await dispatching.approve_ticket(session, actors["clerk-sh"], ticket_id=ticket_id)
                ticket = await session.get(m.Ticket, ticket_id)
                assert ticket is not None
                await dispatching.dispatch_ticket(
                    session, actors["clerk-sh"], ticket_id=ticket_id, branch_id=ticket.branch_id
                )
                seen = events.pending(session)
            kinds = [(e.kind, e.data.get("to_status")) for e in seen]
            assert kinds[:2] == [
                (EventKind.TICKET_STATUS_CHANGED, "APPROVED"),
                (EventKind.TICKET_STATUS_CHANGED, "DISPATCHED"),
            ]
            created = [e for e in seen if e.kind is EventKind.JOB_CREATED]
            assert len(created) == 1
            async with factory() as s:
                job = (
                    await s.execute(select(m.Job).where(m.Job.ticket_id == ticket_id))
                ).scalar_one()
            assert created[0].job_id == job.id
            assert created[0].ticket_id == ticket_id
            assert created[0].branch_id == job.branch_id
            assert len({e.id for e in seen}) == len(seen)

            other = await _fresh_ticket(factory, actors)
            leftover: list[events.DomainEvent] = []

            async def give_up() -> None:
                nonlocal leftover, session
                async with transaction(factory) as session:
                    await dispatching.approve_ticket(session, actors["clerk-sh"], ticket_id=other)
                    leftover = events.pending(session)
                    raise RuntimeError("the caller gives up")

            with pytest.raises(RuntimeError):
                await give_up()
            assert len(leftover) == 1
            assert events.pending(session) == []
        finally:
            await engine.dispose()

    asyncio.run(scenario())
