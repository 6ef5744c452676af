"""One subscription's stream: the committed events since a cursor, then live ones, each
passed through the watch's gates (``domain/notifications/live.py``).

The seam has neither gap nor duplicate: the stream subscribes to the bus *before* it reads the
outbox, so an event committed during the read is both read and queued, and the queued copy
(same event id) is dropped. Replay reads ``FANOUT`` rows in ``(created_at, id)`` order, the
order the cursor encodes; rows older than the outbox's retention are gone (docs/api.md).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain.errors import DomainError
from wellspring.domain.models import OutboxMessage
from wellspring.domain.notifications.live import Watch, deliverable

from . import outbox
from .bus import RESYNC, Batch, Bus

REPLAY_PAGE = 200


class Resync(Exception):
    """The bus may have lost events for this subscriber: it should reconnect with a cursor."""


async def replay_page(
    session: AsyncSession, after: tuple[Any, str], limit: int = REPLAY_PAGE
) -> Batch:
    """Committed events after ``after`` (a decoded cursor), oldest first, with their cursors."""
    at, row_id = after
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.created_at, OutboxMessage.payload)
        .where(
            OutboxMessage.channel == outbox.FANOUT,
            or_(
                OutboxMessage.created_at > at,
                and_(OutboxMessage.created_at == at, OutboxMessage.id > row_id),
            ),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )
    return [
        {**payload, "cursor": outbox.encode_cursor(created, id_)} for id_, created, payload in rows
    ]


def parse_after(after: str | None) -> tuple[Any, str] | None:
    if after is None:
        return None
    point = outbox.decode_cursor(after)
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


async def stream(
    factory: async_sessionmaker[AsyncSession],
    bus: Bus,
    watch: Watch,
    after: tuple[Any, str] | None,
) -> AsyncGenerator[dict[str, Any]]:
    """What ``watch`` hears: replay after the cursor (if any), then live events."""
    queue = bus.subscribe()  # first, so nothing committed during the replay slips by
    try:
        seen: set[str] = set()
        point = after
        while point is not None:
            async with factory() as session:
                page = await replay_page(session, point)
            seen.update(str(e.get("id")) for e in page)
            for shaped in await _shape(factory, watch, page, set()):
                yield shaped
            last = outbox.decode_cursor(page[-1]["cursor"]) if page else None
            point = last if len(page) == REPLAY_PAGE else None
        while True:
            batch = await queue.get()
            if batch == RESYNC:
                raise Resync
            if isinstance(batch, list):
                for shaped in await _shape(factory, watch, batch, seen):
                    yield shaped
    finally:
        bus.unsubscribe(queue)
