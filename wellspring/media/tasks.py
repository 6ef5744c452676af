"""The periodic media work, callable from the app's loop or ``wellspring media-cleanup``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain.db import transaction
from wellspring.domain.media import cleanup


async def cleanup_once(
    factory: async_sessionmaker[AsyncSession], *, now: dt.datetime | None = None
) -> cleanup.CleanupResult:
    """One cleanup pass in its own transaction (with the configured store)."""
    async with transaction(factory) as session:
        return await cleanup.run(session, now=now or dt.datetime.now(dt.UTC))
