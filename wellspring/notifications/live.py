"""One subscription's stream: the committed events since a cursor, then live ones, each
passed through the watch's gates (``domain/notifications/live.py``).

**Commit order.** A ``FANOUT`` row carries ``seq``, its transaction's place (``outbox._stamp``:
the transaction id on PostgreSQL, a counter drawn at commit on SQLite), and every live event
carries the transactions below it that were still running when it drew it. A cursor is an
``live_cursor.Point``: "every row at or below (seq, row) except those of the transactions named
running, and the events of transaction ``upto`` up to its row". Resuming replays the rows after
the point or of a transaction named, in ``(seq, id)`` order. So a transaction that wrote first
and committed last (its rows below the cursor, its id named running) is never missed, and
nothing is repeated but, rarely, an event of a transaction that was named running when the
cursor was made and that the client heard before leaving (same event id: drop it).

**Live events' cursors.** The bus does not order the commits of different processes exactly
(each publishes after its own commit), so a live event's cursor carries the point of events
heard at least ``SETTLE_SECONDS`` before it (or the replay's), by when every transaction
below that point has long been published and heard.

The seam has neither gap nor duplicate: the stream subscribes to the bus *before* it reads the
outbox, so an event committed during the read is both read and queued, and the queued copy
(same event id) is dropped. Rows older than the outbox's retention are gone (docs/api.md).
"""

from __future__ import annotations

import collections
import time
from collections.abc import AsyncGenerator
from typing import Any

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain import versioning
from wellspring.domain.errors import DomainError
from wellspring.domain.models import OutboxMessage
from wellspring.domain.notifications.live import Watch, deliverable

from . import outbox
from .bus import RESYNC, Batch, Bus
from .live_cursor import MAX_RUNNING, Point, decode_cursor, encode_cursor

REPLAY_PAGE = 200
SETTLE_SECONDS = 2.0  # how long a live event's place waits before a cursor carries it


class Resync(Exception):
    """The bus may have lost events for this subscriber: it should reconnect with a cursor."""


LAST_ROW = "ffffffff-ffff-ffff-ffff-ffffffffffff"  # every row of a transaction


def bounded(point: Point) -> Point:
    """A point naming at most ``MAX_RUNNING`` transactions: beyond, it falls back below the
    lowest (more may be repeated, nothing is missed)."""
    if len(point.running) <= MAX_RUNNING:
        return point
    return Point(min(point.running) - 1, LAST_ROW, (), point.upto)


def merge(a: Point, b: Point) -> Point:
    """What a subscriber that heard both points heard (``upto`` dropped: a repeat at worst)."""
    low, high = sorted((a, b), key=lambda p: (p.seq, p.row))
    running = tuple(x for x in high.running if x >= low.seq or x in low.running)
    return bounded(Point(high.seq, high.row, running))


async def replay_page(
    session: AsyncSession, after: Point, key: tuple[int, str] | None, limit: int = REPLAY_PAGE
) -> list[tuple[str, int, dict[str, Any]]]:
    """Committed rows after the cursor ``after`` (and after ``key``, the last ``(seq, id)`` of
    the page before), in ``(seq, id)`` order: ``(row id, seq, payload)``."""
    unheard = or_(
        OutboxMessage.seq > after.seq,
        and_(OutboxMessage.seq == after.seq, OutboxMessage.id > after.row),
    )
    if after.running:
        unheard = or_(unheard, OutboxMessage.seq.in_(after.running))
    query = select(OutboxMessage.id, OutboxMessage.seq, OutboxMessage.payload).where(
        OutboxMessage.channel == outbox.FANOUT, unheard
    )
    if after.upto is not None:
        done_seq, done_row = after.upto
        query = query.where(not_(and_(OutboxMessage.seq == done_seq, OutboxMessage.id <= done_row)))
    if key is not None:
        query = query.where(
            or_(
                OutboxMessage.seq > key[0],
                and_(OutboxMessage.seq == key[0], OutboxMessage.id > key[1]),
            )
        )
    rows = await session.execute(query.order_by(OutboxMessage.seq, OutboxMessage.id).limit(limit))
    return [(id_, int(seq_), payload) for id_, seq_, payload in rows]


def replayed_point(after: Point, running_now: tuple[int, ...], seq: int, row: str) -> Point:
    """The cursor of a replayed row: every row before it in the replay's order was heard;
    ``running_now`` were running when the replay read (the rows it cannot have seen)."""
    if (seq, row) > (after.seq, after.row):
        return bounded(Point(seq, row, tuple(x for x in running_now if x < seq)))
    # A row of a transaction the cursor named running: those named after it are still owed.
    owed = {x for x in running_now if x < after.seq} | {x for x in after.running if x >= seq}
    return bounded(Point(after.seq, after.row, tuple(sorted(owed)), (seq, row)))


def parse_after(after: str | None) -> Point | None:
    if after is None:
        return None
    point = decode_cursor(after)
    if point is None:
        raise DomainError("INVALID_CURSOR", field="after")
    return point


async def _shape(
    factory: async_sessionmaker[AsyncSession], watch: Watch, batch: Batch, seen: set[str]
) -> list[dict[str, Any]]:
    out = []
    async with factory() as session:
        for event in batch:
            if event.get("id") in seen:
                continue
            shaped = await deliverable(session, watch, event)
            if shaped is not None:
                out.append(shaped)
    return out


def _placed(event: dict[str, Any]) -> tuple[int, str, tuple[int, ...]] | None:
    seq, row, running = event.get("seq"), event.get("row"), event.get("running")
    if not isinstance(seq, int) or not isinstance(row, str) or not isinstance(running, list):
        return None  # live only: nothing to resume from
    return seq, row, tuple(int(x) for x in running)


class _Settled:
    """The point a live event's cursor may carry now (see the module's doc)."""

    def __init__(self, point: Point) -> None:
        self.point = point
        self._waiting: collections.deque[tuple[float, Point]] = collections.deque()

    def heard(self, batch: Batch) -> None:
        now = time.monotonic()
        while self._waiting and self._waiting[0][0] <= now - SETTLE_SECONDS:
            self.point = merge(self.point, self._waiting.popleft()[1])
        for event in batch:
            placed = _placed(event)
            if placed is not None:
                self._waiting.append((now, bounded(Point(placed[0], LAST_ROW, placed[2]))))

    def cursor(self, event: dict[str, Any]) -> str | None:
        placed = _placed(event)
        if placed is None:
            return None
        here = self.point
        return encode_cursor(Point(here.seq, here.row, here.running, placed[:2]))


def commit_cursor(event: dict[str, Any]) -> str | None:
    """The cursor an event carried out of its commit (``outbox.COMMITTED_KEY``), for one who
    heard every event committed before it."""
    placed = _placed(event)
    if placed is None:
        return None
    seq, row, running = placed
    return encode_cursor(bounded(Point(seq - 1, LAST_ROW, running, (seq, row))))


async def _horizon(session: AsyncSession) -> Point:
    top, running = await versioning.horizon(session)
    return bounded(Point(top, LAST_ROW, tuple(running)))


async def current_cursor(session: AsyncSession) -> str:
    """A cursor from which a subscriber hears exactly what commits from now on."""
    return encode_cursor(await _horizon(session))


async def stream(
    factory: async_sessionmaker[AsyncSession],
    bus: Bus,
    watch: Watch,
    after: Point | None,
) -> AsyncGenerator[dict[str, Any]]:
    """What ``watch`` hears: replay after the cursor (if any), then live events."""
    queue = bus.subscribe()  # first, so nothing committed during the replay slips by
    try:
        seen: set[str] = set()
        async with factory() as session:
            # Read before the rows: every other transaction below it is visible to the replay.
            horizon = await _horizon(session)
        if after is not None:
            key: tuple[int, str] | None = None
            while True:
                async with factory() as session:
                    page = await replay_page(session, after, key)
                replayed = []
                for row_id, seq, payload in page:
                    point = replayed_point(after, horizon.running, seq, row_id)
                    replayed.append({**payload, "cursor": encode_cursor(point)})
                seen.update(str(e.get("id")) for e in replayed)
                for shaped in await _shape(factory, watch, replayed, set()):
                    yield shaped
                if len(page) < REPLAY_PAGE:
                    break
                key = page[-1][1], page[-1][0]
        # Everything below the horizon not running then was heard: before, or in the replay.
        settled = _Settled(horizon)
        while True:
            batch = await queue.get()
            if batch == RESYNC:
                raise Resync
            if isinstance(batch, list):
                settled.heard(batch)
                placed = [{**e, "cursor": settled.cursor(e)} for e in batch]
                for shaped in await _shape(factory, watch, placed, seen):
                    yield shaped
    finally:
        bus.unsubscribe(queue)
