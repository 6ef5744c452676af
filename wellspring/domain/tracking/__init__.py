"""Customers follow their visit (issue 17): tracking links, what the page shows, ratings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession


async def ticket_for_token(session: AsyncSession, token: str, *, now: dt.datetime) -> str | None:
    """The ticket id a tracking token opens, or None when it is unknown, expired or revoked
    (for the live-update door: ``{"trackingToken": ...}`` in a WebSocket's connection_init)."""
    from .links import ticket_for_token as find

    return await find(session, token, now=now)


__all__ = ["ticket_for_token"]
