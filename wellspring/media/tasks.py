"""The periodic media work, callable from the app's loop or ``wellspring media-cleanup``, and
the one-off ``wellspring seal-originals``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain.db import transaction
from wellspring.domain.media import cleanup, sealing


async def cleanup_once(
    factory: async_sessionmaker[AsyncSession], *, now: dt.datetime | None = None
) -> cleanup.CleanupResult:
    """One cleanup pass in its own transaction (with the configured store)."""
    async with transaction(factory) as session:
        return await cleanup.run(session, now=now or dt.datetime.now(dt.UTC))


async def seal_originals(
    factory: async_sessionmaker[AsyncSession], *, limit: int | None = None
) -> sealing.SealResult:
    """Seal every file verified before sealed originals (at most ``limit``), a batch per
    transaction: a run stopped midway keeps the batches it committed."""
    total = sealing.SealResult()
    after = ""
    left = limit
    while left is None or left > 0:
        size = sealing.BATCH if left is None else min(left, sealing.BATCH)
        async with transaction(factory) as session:
            done, last = await sealing.seal_batch(session, after=after, limit=size)
        total.add(done)
        if last is None:
            break
        after = last
        if left is not None:
            left -= done.sealed + len(done.changed) + len(done.missing)
    return total
