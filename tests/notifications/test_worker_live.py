"""``wellspring worker`` publishes what it commits: a periodic scan's fact reaches a live
subscriber of another process through Redis, with its place in commit order."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import update

from tests.conftest import make_settings
from tests.notifications.world import actors, dispatched_job, drain
from wellspring.api import notify_worker
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.notifications import bus as live_bus
from wellspring.notifications import outbox

REDIS = "redis://127.0.0.1:6379/0"


def test_a_worker_process_publishes_its_scan_facts_through_redis(database_url: str) -> None:
    prefix = f"wellspring-test-{uuid.uuid4().hex[:8]}:"
    settings = make_settings(database_url, redis_url=REDIS, redis_channel_prefix=prefix)

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        outbox.install(factory)
        web = live_bus.build_bus(REDIS, prefix)  # a web process's bus, listening
        await web.start()
        try:
            await drain(factory)
            people = await actors(factory)
            ticket_id, _ = await dispatched_job(factory, people)
            async with transaction(factory) as session:
                await session.execute(
                    update(m.Ticket)
                    .where(m.Ticket.id == ticket_id)
                    .values(due_at=utcnow() - dt.timedelta(hours=3))
                )
            queue = web.subscribe()
            await notify_worker.run(settings, until_idle=True)  # the worker's own loop
            heard: list[dict[str, object]] = []
            while not any(e.get("ticket_id") == ticket_id for e in heard):
                batch = await asyncio.wait_for(queue.get(), 10)
                assert isinstance(batch, list)
                heard.extend(batch)
            fact = next(e for e in heard if e.get("ticket_id") == ticket_id)
            assert fact["kind"] == "TICKET_OVERDUE"
            assert isinstance(fact["seq"], int)
            assert isinstance(fact["row"], str)
        finally:
            await web.close()
            await drain(factory)
            await engine.dispose()

    asyncio.run(scenario())
