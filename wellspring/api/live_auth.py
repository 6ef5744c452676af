"""Who opens a live connection: the ``connection_init`` payload's credentials.

Two ways in: a signed-in user's bearer token, or a customer's tracking link
(``{"trackingToken": ...}``, issue 17), which acts as that ticket's customer for that one
ticket's ``visitEvents`` only (``Actor.only_ticket_id``); an expired or revoked link is refused
like a bad token, also when the open connection re-checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain import auth, tracking
from wellspring.domain.actor import Actor
from wellspring.domain.clock import clock_of
from wellspring.domain.errors import NotAuthenticated
from wellspring.domain.models import Ticket
from wellspring.domain.models.enums import Role

TRACKING_USERNAME = "tracking-link"


async def authenticate(
    session: AsyncSession, payload: Mapping[str, Any], *, config: auth.AuthConfig
) -> Actor | None:
    """The actor of ``{"Authorization": "Bearer <jwt>"}`` (either case), or None: a missing,
    malformed, expired or revoked token (the connection is then closed with 4401)."""
    link = payload.get("trackingToken")
    if link is not None:
        return await _tracking_actor(session, link)
    header = payload.get("Authorization", payload.get("authorization"))
    if not isinstance(header, str):
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not _printable_ascii(token.strip()):
        return None
    try:
        return await auth.authenticate(session, config=config, token=token.strip())
    except NotAuthenticated:
        return None


async def _tracking_actor(session: AsyncSession, link: Any) -> Actor | None:
    if not isinstance(link, str) or not 0 < len(link) <= 200 or not _printable_ascii(link):
        return None
    ticket_id = await tracking.ticket_for_token(session, link, now=clock_of(session).now())
    if ticket_id is None:
        return None
    customer_id = await session.scalar(select(Ticket.customer_id).where(Ticket.id == ticket_id))
    if customer_id is None:
        return None
    return Actor(
        user_id="",
        username=TRACKING_USERNAME,
        role=Role.CUSTOMER,
        customer_id=customer_id,
        only_ticket_id=ticket_id,
    )


def _printable_ascii(text: str) -> bool:
    """Tokens and links are printable ASCII; anything else (a NUL, an unpaired surrogate from
    JSON's ``\\ud800``, which no encoder takes) is no credential."""
    return bool(text) and text.isascii() and text.isprintable()
