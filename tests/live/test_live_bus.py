"""The bus and one subscription's stream, in this process: Redis pub/sub round trip, a slow
subscriber told to resync, replay after a cursor (paged) joined to live events without a gap
or a repeat."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from wellspring.domain import events
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.errors import DomainError
from wellspring.domain.models.enums import Role
from wellspring.domain.notifications.live import Audience, Watch
from wellspring.notifications import bus as live_bus
from wellspring.notifications import live, outbox

REDIS = "redis://127.0.0.1:6379/0"


def test_redis_carries_a_batch_and_a_lagging_subscriber_is_told_to_resync() -> None:
    async def scenario() -> None:
        bus = live_bus.build_bus(REDIS, f"wellspring-test-{uuid.uuid4().hex[:8]}:")
        assert isinstance(bus, live_bus.RedisBus)
        await bus.start()
        try:
            queue = bus.subscribe()
            bus.publish([{"id": "e1", "kind": "JOB_CREATED"}])
            assert await asyncio.wait_for(queue.get(), 10) == [{"id": "e1", "kind": "JOB_CREATED"}]
            for n in range(live_bus.QUEUE_SIZE + 1):  # nobody reads: it falls behind
                bus.deliver([{"id": str(n)}])
            assert queue.get_nowait() == live_bus.RESYNC
            assert bus.subscribers == 0
        finally:
            await bus.close()

    asyncio.run(scenario())


def test_replay_after_a_cursor_then_live_without_gap_or_repeat(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "REPLAY_PAGE", 2)  # several pages
    tech = str(uuid.uuid4())
    watch = Watch(Audience.MY_JOBS, Actor("u", "t", Role.TECHNICIAN, technician_id=tech))

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        bus = live_bus.Bus()
        live_bus.install(factory, bus)
        said: list[dict[str, Any]] = []

        async def tell(number: str) -> None:
            async with factory() as session:
                events.emit(
                    session,
                    events.DomainEvent(
                        kind=events.EventKind.JOB_REASSIGNED_AWAY,
                        technician_id=tech,
                        job_id=str(uuid.uuid4()),
                        data={"number": number},
                    ),
                )
                await session.commit()
                said.extend(session.sync_session.info[outbox.COMMITTED_KEY])

        try:
            with pytest.raises(DomainError):
                live.parse_after("not a cursor")
            for n in range(5):
                await tell(f"J{n}")
            first = live.commit_cursor(said[0])
            stream = live.stream(factory, bus, watch, live.parse_after(first))
            heard = [await anext(stream) for _ in range(4)]  # replayed: J1..J4, in order
            bus.publish([said[4]])  # the seam: an event both read and queued comes once
            await tell("J5")
            heard.append(await asyncio.wait_for(anext(stream), 10))
            assert [e["number"] for e in heard] == ["J1", "J2", "J3", "J4", "J5"]
            assert [e["id"] for e in heard] == [e["id"] for e in said[1:]]
            # Every cursor heard resumes right after its event (one transaction each, nothing
            # else in flight: nothing repeated).
            for n, event in enumerate(heard[:-1]):
                again = live.stream(factory, bus, watch, live.parse_after(event["cursor"]))
                assert (await anext(again))["number"] == f"J{n + 2}"
                await again.aclose()
            bus.resync_all()
            with pytest.raises(live.Resync):
                await anext(stream)
        finally:
            await engine.dispose()

    asyncio.run(scenario())
