"""A row's outcome belongs to the worker holding its lease now.

The fault this guards: ``outbox.finish``/``finish_many`` updated rows by id alone. A worker
whose lease ran out while it was still sending (a batch of slow SMS) lost its rows to another
worker, which sent them and marked them DONE; the first worker's late outcome then overwrote
that (a RETRY made the row PENDING again: the message went out once more). Now a late outcome
records nothing, and the holder's own outcome still records, even after its lease lapsed
while no one took the row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.notifications.world import drain
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import OutboxStatus
from wellspring.notifications import outbox
from wellspring.notifications.senders.base import Deadline, Delivery, Outcome, Verdict
from wellspring.notifications.worker import Worker, WorkerConfig

LEASE = dt.timedelta(seconds=60)
LATER = LEASE + dt.timedelta(seconds=1)  # A's lease has lapsed


async def _rows(
    factory: async_sessionmaker[AsyncSession], channel: str, *due: dt.datetime
) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in due]
    async with transaction(factory) as s:
        await s.execute(
            outbox.insert_ignoring_duplicates(s),
            [
                {
                    "id": row_id,
                    "event_id": f"lease-{row_id}",
                    "kind": "JOB_ASSIGNED",
                    "channel": channel,
                    "recipient": "13800000000",
                    "payload": {"event_id": f"lease-{row_id}", "kind": "JOB_ASSIGNED"},
                    "available_at": at,
                    "created_at": at,
                }
                for row_id, at in zip(ids, due, strict=True)
            ],
        )
    return ids


async def _claim(
    factory: async_sessionmaker[AsyncSession],
    worker: str,
    now: dt.datetime,
    channel: str,
    limit: int,
) -> list[m.OutboxMessage]:
    async with transaction(factory) as s:
        return await outbox.claim(
            s, worker_id=worker, now=now, lease=LEASE, limit=limit, channels=[channel]
        )


async def _state(factory: async_sessionmaker[AsyncSession], row_id: str) -> tuple[Any, ...]:
    o = m.OutboxMessage
    async with factory() as s:
        found = await s.execute(
            select(
                o.status,
                o.attempts,
                o.leased_by,
                o.leased_until,
                o.available_at,
                o.last_error,
                o.done_at,
            ).where(o.id == row_id)
        )
        return tuple(found.one())


async def _forget(factory: async_sessionmaker[AsyncSession], ids: list[str]) -> None:
    async with transaction(factory) as s:
        await s.execute(delete(m.OutboxMessage).where(m.OutboxMessage.id.in_(ids)))


def test_a_late_outcome_leaves_the_row_to_its_new_holder(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        channel = f"T{uuid.uuid4().hex[:8]}"  # a channel of this test's own
        t0 = utcnow()
        try:
            taken, kept = await _rows(factory, channel, t0 - dt.timedelta(seconds=1), t0)
            a_rows = {r.id: r for r in await _claim(factory, "a", t0, channel, 10)}
            assert set(a_rows) == {taken, kept}
            (b_row,) = await _claim(factory, "b", t0 + LATER, channel, 1)  # A's lease lapsed
            assert (b_row.id, b_row.attempts) == (taken, 2)
            async with transaction(factory) as s:
                assert await outbox.finish(s, b_row, status=OutboxStatus.DONE, now=t0 + LATER)
            as_b_left_it = await _state(factory, taken)
            assert as_b_left_it[:3] == (OutboxStatus.DONE, 2, "b")

            late = t0 + 2 * LATER
            async with transaction(factory) as s:
                assert not await outbox.finish(
                    s,
                    a_rows[taken],
                    status=OutboxStatus.PENDING,
                    now=late,
                    error="timed out",
                    available_at=late + dt.timedelta(seconds=5),
                )
                assert not await outbox.finish(
                    s, a_rows[taken], status=OutboxStatus.DEAD, now=late, error="refused"
                )
                # A's batch: the row B took is skipped, the one A still holds is recorded.
                recorded = await outbox.finish_many(
                    s, list(a_rows.values()), status=OutboxStatus.DONE, now=late
                )
                assert recorded == 1
            assert await _state(factory, taken) == as_b_left_it
            assert (await _state(factory, kept))[:3] == (OutboxStatus.DONE, 1, "a")
            assert taken in caplog.text
            assert kept not in caplog.text
            await _forget(factory, [taken, kept])
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_the_holder_records_its_outcome_when_no_one_took_the_row(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        channel = f"T{uuid.uuid4().hex[:8]}"
        t0 = utcnow()
        try:
            retried, sent = await _rows(factory, channel, t0, t0)
            rows = {r.id: r for r in await _claim(factory, "a", t0, channel, 10)}
            late = t0 + LATER  # lapsed, but no other worker claimed meanwhile
            again = late + dt.timedelta(seconds=5)
            async with transaction(factory) as s:
                assert await outbox.finish(
                    s,
                    rows[retried],
                    status=OutboxStatus.PENDING,
                    now=late,
                    error="timed out",
                    available_at=again,
                )
                assert await outbox.finish_many(s, [rows[sent]], status=OutboxStatus.DONE, now=late)
            status, attempts, _by, leased_until, available_at, error, _done = await _state(
                factory, retried
            )
            assert (status, attempts, leased_until, error) == (
                OutboxStatus.PENDING,
                1,
                None,
                "timed out",
            )
            assert available_at.replace(tzinfo=None) == again.replace(tzinfo=None)
            assert (await _state(factory, sent))[:2] == (OutboxStatus.DONE, 1)
            (next_try,) = await _claim(factory, "b", again, channel, 10)  # retried as before
            assert (next_try.id, next_try.attempts) == (retried, 2)
            await _forget(factory, [retried, sent])
        finally:
            await engine.dispose()

    asyncio.run(scenario())


class _Sms:
    """A provider's answer; ``meanwhile`` runs while the send is in flight."""

    channel = "SMS"
    max_batch = 50

    def __init__(self, verdict: Verdict, meanwhile: Any = None) -> None:
        self.verdict, self.meanwhile, self.sent = verdict, meanwhile, 0

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        if self.meanwhile is not None:
            await self.meanwhile()
        self.sent += len(deliveries)
        return [Outcome(self.verdict, "timed out" if self.verdict is Verdict.RETRY else "")] * len(
            deliveries
        )

    async def close(self) -> None:
        pass


def test_a_worker_that_outlived_its_lease_does_not_undo_the_send(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        t0 = utcnow()
        config = WorkerConfig(scan_every=None, lease=LEASE)
        try:
            await drain(factory)
            (row_id,) = await _rows(factory, "SMS", t0)
            b = Worker(
                factory, {"SMS": _Sms(Verdict.SENT)}, config=config, clock=lambda: t0 + LATER
            )
            # A's provider answers only after B took the row (A's lease lapsed) and sent it.
            slow = _Sms(Verdict.RETRY, meanwhile=b.deliver)
            a = Worker(factory, {"SMS": slow}, config=config, clock=lambda: t0, worker_id="a")
            assert await a.deliver() == 1
            assert slow.sent == 1
            status, attempts, by, *_ = await _state(factory, row_id)
            assert (status, attempts, by) == (OutboxStatus.DONE, 2, b.worker_id)
            await _forget(factory, [row_id])
        finally:
            await engine.dispose()

    asyncio.run(scenario())
