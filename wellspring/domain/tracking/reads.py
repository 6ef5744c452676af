"""The two ways to read a visit's view: with a link's token (no login), or as the customer
signed in (``visit.track``, their own tickets only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..models import Ticket
from ..workflow import moves
from . import links
from .view import VisitView, visit_view


async def view_for_token(
    session: AsyncSession, token: object, *, now: dt.datetime
) -> VisitView | None:
    """The visit a token opens now, or None (unknown, expired and revoked look alike)."""
    found = await links.open_link(session, token, now=now)
    if found is None:
        return None
    link, ticket = found
    return await visit_view(
        session, ticket, now=now, expires_at=links.expiry(session, link, ticket)
    )


async def view_for_customer(
    session: AsyncSession, actor: Actor, *, ticket_id: str, now: dt.datetime
) -> VisitView:
    """The signed-in customer's own visit (another's reads as NOT_FOUND)."""
    permissions.check(actor, "visit.track")
    ticket = await moves.visible(session, actor, Ticket, ticket_id)
    return await visit_view(session, ticket, now=now, expires_at=None)
