"""The replay after a cursor follows commit order, not write order: a transaction that wrote
its outbox row first and committed last is heard by a client resuming with a cursor taken
between the two commits, exactly once (PostgreSQL, where writers overlap; SQLite has one
writer at a time)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from wellspring.domain import events
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models import OutboxMessage
from wellspring.domain.models.enums import Role
from wellspring.domain.notifications.live import Audience, Watch
from wellspring.notifications import bus as live_bus
from wellspring.notifications import live


def _event(tech: str, number: str) -> events.DomainEvent:
    return events.DomainEvent(
        kind=events.EventKind.JOB_REASSIGNED_AWAY,
        technician_id=tech,
        job_id=str(uuid.uuid4()),
        data={"number": number},
    )


def test_a_transaction_committing_last_is_replayed_once_after_a_later_cursor(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("overlapping writers need PostgreSQL")
    tech = str(uuid.uuid4())
    watch = Watch(Audience.MY_JOBS, Actor("u", "t", Role.TECHNICIAN, technician_id=tech))

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        bus = live_bus.Bus()
        live_bus.install(factory, bus)
        try:
            listening = live.stream(factory, bus, watch, None)
            first = asyncio.create_task(anext(listening))
            await asyncio.sleep(0.2)  # subscribed
            a, event_a, event_b = factory(), _event(tech, "A"), _event(tech, "B")
            events.emit(a, event_a)
            async with a.begin_nested():
                pass  # the savepoint's release writes A's row now, in A's open transaction
            async with factory() as b:  # B writes later and commits first
                events.emit(b, event_b)
                await b.commit()
            heard_b = await asyncio.wait_for(first, 10)
            assert heard_b["number"] == "B"
            await listening.aclose()
            await asyncio.sleep(1.5)  # seconds later, A commits
            await a.commit()
            await a.close()
            async with factory() as c:
                events.emit(c, _event(tech, "C"))
                await c.commit()
            resumed = live.stream(factory, bus, watch, live.parse_after(heard_b["cursor"]))
            heard: list[dict[str, Any]] = [await asyncio.wait_for(anext(resumed), 10)]
            heard.append(await asyncio.wait_for(anext(resumed), 10))
            assert [e["number"] for e in heard] == ["A", "C"]  # A once, B not again
            await resumed.aclose()
            # Write order (the former cursor's) puts A before B: it alone would have lost A.
            async with factory() as session:
                rows = dict(
                    (
                        await session.execute(
                            select(OutboxMessage.event_id, OutboxMessage.created_at).where(
                                OutboxMessage.event_id.in_([event_a.id, event_b.id])
                            )
                        )
                    ).all()
                )
            assert rows[event_a.id] < rows[event_b.id]
        finally:
            await engine.dispose()

    asyncio.run(scenario())
