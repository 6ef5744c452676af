"""A batch of notifications never outlasts its lease.

The fault this guards: the worker claimed up to 100 rows for 60 s and the SMS sender posted
them one by one; with a slow provider the later messages went out after the lease had ended,
by when another worker had taken those rows and sent them too: customers got duplicate SMS.
Now the worker hands its senders a deadline (the lease less a margin) and a sender starts no
request it may not finish by then; the rest go back PENDING, unsent and uncounted, and the next
pass sends each exactly once. Time here is the worker's monotonic clock, which the fake
provider moves on by ``COST`` for each message it answers: a provider that takes 20 s a message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.notifications.fakes import FakeAliyunSms, _Handler, aliyun_sender, serve
from tests.notifications.world import drain
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import OutboxStatus
from wellspring.notifications import outbox
from wellspring.notifications.worker import Worker, WorkerConfig

LEASE = 60.0  # seconds; the worker keeps its default margin (5 s), the sender its timeout (10 s)
COST = 20.0  # seconds the slow provider takes to answer one message
MESSAGES = 5


class _SlowSms(FakeAliyunSms):
    """Alibaba Cloud SMS that takes ``cost`` seconds of ``now`` to answer each message."""

    def __init__(self) -> None:
        super().__init__(secret="sms-secret")
        self.now, self.cost = 0.0, COST
        self.started: list[tuple[str, float]] = []  # (OutId, when the request came)

    def get(self, h: _Handler, path: str, params: dict[str, str]) -> None:
        self.started.append((params.get("OutId", ""), self.now))
        self.now += self.cost
        super().get(h, path, params)


async def _state(
    factory: async_sessionmaker[AsyncSession], ids: list[str]
) -> list[tuple[Any, ...]]:
    o = m.OutboxMessage
    async with factory() as s:
        found = await s.execute(
            select(o.id, o.status, o.attempts, o.leased_until).where(o.id.in_(ids))
        )
        by_id = {row[0]: tuple(row[1:]) for row in found}
    return [by_id[i] for i in ids]


def test_a_slow_provider_sends_what_fits_in_the_lease_and_the_rest_once(
    database_url: str,
) -> None:
    fake = _SlowSms()

    async def scenario(base: str) -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        sender = aliyun_sender(base)
        config = WorkerConfig(scan_every=None, lease=dt.timedelta(seconds=LEASE))
        t0 = utcnow()
        worker = Worker(
            factory, {"SMS": sender}, config=config, clock=lambda: t0, monotonic=lambda: fake.now
        )
        ids = [str(uuid.uuid4()) for _ in range(MESSAGES)]
        events = [f"deadline-{i}" for i in ids]
        try:
            await drain(factory)
            async with transaction(factory) as s:
                await s.execute(
                    outbox.insert_ignoring_duplicates(s),
                    [
                        {
                            "id": row_id,
                            "event_id": event,
                            "kind": "ENGINEER_EN_ROUTE",
                            "channel": "SMS",
                            "recipient": f"1380000000{n}",
                            "payload": {"event_id": event, "kind": "ENGINEER_EN_ROUTE"},
                            "available_at": t0 - dt.timedelta(seconds=MESSAGES - n),
                            "created_at": t0,
                        }
                        for n, (row_id, event) in enumerate(zip(ids, events, strict=True))
                    ],
                )
            handled = await worker.deliver()
            late = [(e, at) for e, at in fake.started if at + COST > LEASE]
            assert not late, f"sent while the lease was ending (OutId, second): {late}"
            assert [at for _, at in fake.started] == [0.0, 20.0]  # at 40 s, 15 s were left
            assert handled == 2
            assert await _state(factory, ids) == [(OutboxStatus.DONE, 1, None)] * 2 + [
                (OutboxStatus.PENDING, 0, None)  # given back as it was: not tried
            ] * (MESSAGES - 2)

            fake.cost = 0.0  # the provider is quick again: the next pass sends the rest
            assert await worker.deliver() == MESSAGES - 2
            assert Counter(e for e, _ in fake.started) == dict.fromkeys(events, 1)
            assert await _state(factory, ids) == [(OutboxStatus.DONE, 1, None)] * MESSAGES
            async with transaction(factory) as s:
                await s.execute(delete(m.OutboxMessage).where(m.OutboxMessage.id.in_(ids)))
        finally:
            await worker.close()
            await engine.dispose()

    with serve(fake) as base:
        asyncio.run(scenario(base))
