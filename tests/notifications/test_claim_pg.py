"""Two workers claiming from one outbox on PostgreSQL: ``FOR UPDATE SKIP LOCKED`` hands every
row to exactly one of them, and a claim never waits on rows another worker is taking."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from sqlalchemy import delete

from tests.conftest import BACKEND
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.notifications import outbox

ROWS = 120
LEASE = dt.timedelta(seconds=60)


@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks only exist on PostgreSQL")
def test_two_workers_claim_each_row_once(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        channel = f"T{uuid.uuid4().hex[:8]}"  # a channel of this test's own
        now = utcnow()
        try:
            async with transaction(factory) as s:
                await s.execute(
                    outbox.insert_ignoring_duplicates(s),
                    [
                        {
                            "id": str(uuid.uuid4()),
                            "event_id": f"e{i}",
                            "kind": "JOB_ASSIGNED",
                            "channel": channel,
                            "recipient": "",
                            "payload": {},
                            "available_at": now,
                            "created_at": now,
                        }
                        for i in range(ROWS)
                    ],
                )

            async def claim(worker: str, limit: int) -> list[str]:
                async with transaction(factory) as s:
                    rows = await outbox.claim(
                        s,
                        worker_id=worker,
                        now=utcnow(),
                        lease=LEASE,
                        limit=limit,
                        channels=[channel],
                    )
                    return [r.id for r in rows]

            # A claim in flight (uncommitted, rows locked) does not block the other worker.
            async with factory() as holding:
                held = await outbox.claim(
                    holding, worker_id="a", now=utcnow(), lease=LEASE, limit=10, channels=[channel]
                )
                other = await asyncio.wait_for(claim("b", 10), timeout=10)
                assert len(held) == len(other) == 10
                assert not {r.id for r in held} & set(other)
                await holding.commit()

            async def drain(worker: str) -> list[str]:
                taken: list[str] = []
                while batch := await claim(worker, 7):
                    taken.extend(batch)
                return taken

            first, second = await asyncio.gather(drain("a"), drain("b"))
            everything = [r.id for r in held] + other + first + second
            assert len(everything) == ROWS
            assert len(set(everything)) == ROWS  # each row claimed once
            assert first
            assert second
            async with transaction(factory) as s:
                await s.execute(delete(m.OutboxMessage).where(m.OutboxMessage.channel == channel))
        finally:
            await engine.dispose()

    asyncio.run(scenario())
