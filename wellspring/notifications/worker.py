"""The notification worker: fan events out, send deliveries, run the periodic scan.

Each step is its own short transaction: claim (a lease, committed), then the work, then the
outcome. A worker killed between a send and its outcome leaves the row leased; when the lease
expires another worker sends it again, so a crash costs at most one duplicate, carrying the
same event id (phones drop it). Killed before the send, it costs nothing but the lease time.
A worker still sending when its lease runs out loses its rows the same way; its outcomes are
then dropped (``outbox.finish``): the row is the new holder's to end.

So a batch must not outlast its lease. At its claim the worker takes a deadline on its
monotonic clock: the lease less a margin (``WorkerConfig.lease_margin``, at most a quarter of
the lease) for writing the outcomes and for the workers' clocks to disagree. Each sender gets
it and starts no request it may not finish by then (its timeout, connecting and answering);
the deliveries it did not start come back ``LEASE_ENDING`` and the worker gives their rows
back (``outbox.release``): PENDING, due as before, the attempt not counted, so the next claim
sends them, once. A slow provider thus sends fewer messages per pass, never one twice.

``WELLSPRING_NOTIFY_CRASH_AT=after_claim|after_send`` makes the process SIGKILL itself at that
point (the crash test's hook; never set it in production).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain.db import transaction
from wellspring.domain.models import OutboxMessage, PushDevice, utcnow
from wellspring.domain.models.enums import OutboxStatus
from wellspring.domain.notifications import routing, scan

from . import fanout, outbox, tracking_links
from .senders.base import LEASE_ENDING, Deadline, Delivery, Outcome, Sender, Verdict
from .senders.log import LogSender

log = logging.getLogger("wellspring.notifications")

DELIVERY_CHANNELS = ("FCM", "HUAWEI", "SMS", "LOG")
PUSH_CHANNELS = ("FCM", "HUAWEI")
CRASH_ENV = "WELLSPRING_NOTIFY_CRASH_AT"
SUPERSEDED = "superseded: the job had moved on before it was sent"


@dataclass(frozen=True)
class WorkerConfig:
    batch: int = 100
    lease: dt.timedelta = dt.timedelta(seconds=60)
    # Kept free at the lease's end: the outcomes' transaction, workers' clocks disagreeing.
    lease_margin: dt.timedelta = dt.timedelta(seconds=5)
    max_attempts: int = outbox.MAX_ATTEMPTS
    poll_seconds: float = 1.0
    scan_every: dt.timedelta | None = dt.timedelta(hours=1)
    # DONE outbox rows older than this are deleted by the periodic step (None: kept). A live
    # client's cursor older than this replays only what is left (docs/api.md).
    retention: dt.timedelta | None = dt.timedelta(days=30)


# Other periodic work the process runs beside the scan (media cleanup, from the api layer).
Chore = Callable[[dt.datetime], Awaitable[Any]]


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Worker:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        senders: dict[str, Sender],
        *,
        config: WorkerConfig | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        worker_id: str = "",
        chores: Sequence[Chore] = (),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        outbox.install(factory)  # the scan's events go through the outbox too
        self.factory = factory
        self.senders = senders
        self.config = config or WorkerConfig()
        self.clock = clock  # database times
        self.monotonic = monotonic  # the senders' deadline, within this process
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._log_sender = LogSender()
        self._next_scan: dt.datetime | None = None
        self.chores = list(chores)

    async def run_once(self) -> int:
        """One claim of events to fan out and one of deliveries; returns rows handled."""
        return await self.fan_out() + await self.deliver()

    async def scan(self) -> int:
        async with transaction(self.factory) as session:
            return await scan.scan(session, now=self.clock())

    async def purge(self) -> int:
        """Delete DONE outbox rows past the retention; returns how many (idempotent)."""
        keep = self.config.retention
        if keep is None:
            return 0
        async with transaction(self.factory) as session:
            return await outbox.purge(session, before=self.clock() - keep)

    async def periodic(self) -> None:
        """The scan, the outbox's retention, then each chore; one failing stops no other."""
        found = await self.scan()
        log.info("periodic scan: %d facts", found)
        purged = await self.purge()
        if purged:
            log.info("outbox retention: %d rows deleted", purged)
        for chore in self.chores:
            try:
                await chore(self.clock())
            except Exception:
                log.exception("periodic chore %s failed", getattr(chore, "__name__", chore))

    async def fan_out(self) -> int:
        now = self.clock()
        async with transaction(self.factory) as session:
            rows = await outbox.claim(
                session,
                worker_id=self.worker_id,
                now=now,
                lease=self.config.lease,
                limit=self.config.batch,
                channels=[outbox.FANOUT],
            )
        for row in rows:
            try:
                async with transaction(self.factory) as session:
                    # The row's end first: a lease lost meanwhile writes nothing at all.
                    if await outbox.finish(session, row, status=OutboxStatus.DONE, now=now):
                        await fanout.fan_out(session, row, now=now)
            except Exception as error:  # one bad event must not stop the others
                log.exception("fan-out of event %s failed", row.event_id)
                async with transaction(self.factory) as session:
                    await self._retry(session, row, f"fan-out: {error}", None, now)
        return len(rows)

    def _deadline(self, claimed: float) -> Deadline:
        lease = self.config.lease.total_seconds()
        window = lease - min(self.config.lease_margin.total_seconds(), lease / 4)
        return Deadline(at=claimed + window, window=window, clock=self.monotonic)

    async def deliver(self) -> int:
        """Claim deliveries and send them; returns the rows handled (not those given back)."""
        now = self.clock()
        deadline = self._deadline(self.monotonic())  # taken before the lease starts
        async with transaction(self.factory) as session:
            rows = await outbox.claim(
                session,
                worker_id=self.worker_id,
                now=now,
                lease=self.config.lease,
                limit=self.config.batch,
                channels=DELIVERY_CHANNELS,
                in_order=True,
            )
        if not rows:
            return 0
        claimed = len(rows)
        rows = await self._drop_superseded(rows, now)
        if not rows:
            return claimed
        _crash_point("after_claim")
        payloads = {r.id: r.payload for r in rows}
        if any(r.payload.get(tracking_links.MARK) for r in rows):
            # Customers' tracking links, committed before they are sent (a link must open
            # once it arrives) and never written to the rows (only their hashes are kept).
            async with transaction(self.factory) as session:
                payloads |= await tracking_links.as_sent(session, rows, now=now)
        outcomes: dict[str, Outcome] = {}
        by_channel: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            by_channel.setdefault(row.channel, []).append(row)
        for channel, group in by_channel.items():
            sender = self.senders.get(channel) or self._log_sender
            items = [Delivery.from_row(r.id, r.channel, r.recipient, payloads[r.id]) for r in group]
            try:
                results = await sender.send(items, deadline=deadline)
            except Exception as error:  # a sender that breaks: everything in it is retried
                log.exception("sender %s failed", channel)
                results = [Outcome(Verdict.RETRY, f"{type(error).__name__}: {error}")] * len(items)
            outcomes.update({r.id: o for r, o in zip(group, results, strict=True)})
        _crash_point("after_send")
        done = self.clock()
        unsent = [r for r in rows if outcomes[r.id] == LEASE_ENDING]  # not started: not tried
        unsent_ids = {r.id for r in unsent}
        async with transaction(self.factory) as session:
            sent = [r for r in rows if outcomes[r.id].verdict is Verdict.SENT]
            if sent:  # the common case: one statement for the whole batch
                await outbox.finish_many(session, sent, status=OutboxStatus.DONE, now=done)
            await outbox.release(session, unsent)
            for row in rows:
                if outcomes[row.id].verdict is not Verdict.SENT and row.id not in unsent_ids:
                    await self._settle(session, row, outcomes[row.id], done)
        if unsent:
            log.info("%d deliveries given back unsent: the lease was ending", len(unsent))
        return claimed - len(unsent)

    async def _drop_superseded(
        self, rows: list[OutboxMessage], now: dt.datetime
    ) -> list[OutboxMessage]:
        """End, unsent, the messages the job has left behind (``routing.superseded``): DONE,
        with the reason; the rest are sent."""
        if not any(r.kind in routing.CURRENT_WHILE for r in rows):
            return rows  # the common case: no transaction
        async with transaction(self.factory) as session:
            stale = await routing.superseded(
                session, [(r.kind, r.payload.get("job_id")) for r in rows]
            )
            if not stale:
                return rows
            for i in sorted(stale):
                await outbox.finish(
                    session, rows[i], status=OutboxStatus.DONE, now=now, error=SUPERSEDED
                )
        log.info("%d deliveries dropped: the job had moved on", len(stale))
        return [r for i, r in enumerate(rows) if i not in stale]

    async def _settle(
        self, session: AsyncSession, row: OutboxMessage, outcome: Outcome, now: dt.datetime
    ) -> None:
        verdict = outcome.verdict
        if verdict is Verdict.SENT:
            await outbox.finish(session, row, status=OutboxStatus.DONE, now=now)
        elif verdict is Verdict.RETRY:
            await self._retry(session, row, outcome.error, outcome.retry_after, now)
        else:
            if verdict is Verdict.DROP_TOKEN and row.channel in PUSH_CHANNELS:
                await session.execute(delete(PushDevice).where(PushDevice.id == row.recipient))
            if verdict is Verdict.ALERT:
                log.error(
                    "ALERT notifications: %s refused our sender (event %s): %s",
                    row.channel,
                    row.event_id,
                    outcome.error,
                )
            await outbox.finish(
                session,
                row,
                status=OutboxStatus.DEAD,
                now=now,
                error=f"{verdict}: {outcome.error}",
            )

    async def _retry(
        self,
        session: AsyncSession,
        row: OutboxMessage,
        error: str,
        retry_after: float | None,
        now: dt.datetime,
    ) -> None:
        if row.attempts >= self.config.max_attempts:
            await outbox.finish(session, row, status=OutboxStatus.DEAD, now=now, error=error)
            return
        await outbox.finish(
            session,
            row,
            status=OutboxStatus.PENDING,
            now=now,
            error=error,
            available_at=now + outbox.backoff(row.attempts, retry_after),
        )

    async def busy(self) -> bool:
        """Rows due now or held by a lease (rows waiting for later do not count)."""
        now = self.clock()
        async with self.factory() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    or_(
                        OutboxMessage.status == OutboxStatus.LEASED,
                        (OutboxMessage.status == OutboxStatus.PENDING)
                        & (OutboxMessage.available_at <= now),
                    )
                )
            )
        return bool(count)

    async def run(self, stop: asyncio.Event, *, until_idle: bool = False) -> None:
        """Work until ``stop`` is set (or, with ``until_idle``, until nothing is due or held)."""
        while not stop.is_set():
            try:
                await self._maybe_scan()
                handled = await self.run_once()
            except Exception:  # the database went away, say: wait and try again
                log.exception("notification worker step failed")
                handled = 0
            if handled:
                continue
            if until_idle and not await self.busy():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)

    async def _maybe_scan(self) -> None:
        every = self.config.scan_every
        if every is None:
            return
        now = self.clock()
        if self._next_scan is None or now >= self._next_scan:
            await self.periodic()
            self._next_scan = now + every

    async def close(self) -> None:
        for sender in self.senders.values():
            await sender.close()
