"""Tracking links: an unguessable token bound to one ticket, stored only as its SHA-256.

A link opens that ticket's visit view and nothing else. It stops working when revoked, a
configured time after the visit is over (done, cancelled, rejected), and in any case at its
``expires_at`` (the configured longest lifetime). Whether a token is unknown, expired or
revoked is never told apart to the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..clock import clock_of
from ..config import config_of
from ..errors import DomainError
from ..models import Ticket, TrackingLink, User
from ..models.enums import Role, TicketStatus
from ..workflow import moves
from .throttle import WINDOW_SECONDS

TOKEN_BYTES = 24  # 192 bits from the OS's CSPRNG (secrets)
# What token_urlsafe makes; anything else is refused before the database is asked.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
# A token where a link's URL shows it (``.../t/<token>``), for the texts that must not carry
# one usable (logs; migration 0016a copies it): what follows ``/t/`` and has the token's shape.
TOKEN_IN_TEXT = re.compile(r"(?<=/t/)[A-Za-z0-9_-]{22,64}(?![A-Za-z0-9_-])")
REDACTED = "[redacted]"  # not of TOKEN_SHAPE: opens nothing
ENDED = frozenset({TicketStatus.CLOSED, TicketStatus.REJECTED, TicketStatus.CANCELLED})
SHARED, SENT = "SHARED", "SENT"  # made by a dispatcher / sent with a notification


@dataclass(frozen=True)
class IssuedLink:
    link: TrackingLink
    token: str  # shown once; only its hash is kept
    url: str
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def redact(text: str) -> str:
    """``text`` with every tracking URL's token replaced by :data:`REDACTED`."""
    return TOKEN_IN_TEXT.sub(REDACTED, text)


def visit_ended_at(ticket: Ticket) -> dt.datetime | None:
    """When the visit was over for the customer: its work done, or the ticket ended."""
    if ticket.completed_at is not None:
        return ticket.completed_at
    if ticket.status in ENDED:
        return ticket.closed_at or ticket.updated_at
    return None


def expiry(session: AsyncSession, link: TrackingLink, ticket: Ticket) -> dt.datetime:
    """The moment the link stops working, as far as it is known now."""
    ended = visit_ended_at(ticket)
    if ended is None:
        return link.expires_at
    return min(link.expires_at, ended + config_of(session).tracking.after_visit)


async def issue(
    session: AsyncSession,
    *,
    ticket: Ticket,
    now: dt.datetime,
    created_by_id: str | None = None,
    purpose: str = SHARED,
) -> IssuedLink:
    """A new link for ``ticket`` (no permission check: the callers have made theirs)."""
    config = config_of(session).tracking
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = TrackingLink(
        token_hash=token_hash(token),
        ticket_id=ticket.id,
        created_by_id=created_by_id or None,
        purpose=purpose,
        expires_at=now + config.max_lifetime,
        created_at=now,
    )
    session.add(link)
    await session.flush()
    return IssuedLink(link, token, config.url(token), expiry(session, link, ticket))


async def share_link(session: AsyncSession, actor: Actor, *, ticket_id: str) -> IssuedLink:
    """A link the hotline reads out or sends itself (``ShareTrackingLink``)."""
    permissions.check(actor, "tracking_link.share")
    ticket = await moves.visible(session, actor, Ticket, ticket_id)
    now = clock_of(session).now()
    issued = await issue(session, ticket=ticket, now=now, created_by_id=actor.user_id)
    if issued.expires_at <= now:
        raise DomainError("VISIT_OVER", field="ticket_id")
    audit.record(session, actor, "tracking_link.shared", entity_type="Ticket", entity_id=ticket.id)
    return issued


async def revoke_links(session: AsyncSession, actor: Actor, *, ticket_id: str) -> int:
    """Every working link of the ticket stops now (``RevokeTrackingLinks``); returns how many."""
    permissions.check(actor, "tracking_link.revoke")
    ticket = await moves.visible(session, actor, Ticket, ticket_id)
    now = clock_of(session).now()
    result = await session.execute(
        update(TrackingLink)
        .where(TrackingLink.ticket_id == ticket.id, TrackingLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=actor.user_id or None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        session,
        actor,
        "tracking_link.revoked",
        entity_type="Ticket",
        entity_id=ticket.id,
        count=count,
    )
    return count


async def open_link(
    session: AsyncSession, token: object, *, now: dt.datetime
) -> tuple[TrackingLink, Ticket] | None:
    """The link and its ticket, if ``token`` opens them now; None otherwise (whatever why)."""
    if not isinstance(token, str) or not TOKEN_SHAPE.match(token):
        return None
    link = (
        await session.execute(
            select(TrackingLink).where(
                TrackingLink.token_hash == token_hash(token), TrackingLink.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if link is None or link.revoked_at is not None:
        return None
    ticket = await session.get(Ticket, link.ticket_id)
    if ticket is None or ticket.deleted_at is not None:
        return None
    if expiry(session, link, ticket) <= now:
        return None
    return link, ticket


async def admit(session: AsyncSession, *, token: object, address: str, now: dt.datetime) -> None:
    """Count a request made with a token; TRACKING_RATE_LIMITED once over a limit."""
    limits = config_of(session).tracking
    if not await limits.admit(token=str(token)[:128], address=address, now=now):
        raise DomainError("TRACKING_RATE_LIMITED", field="token", retry_after=WINDOW_SECONDS)


async def ticket_for_token(session: AsyncSession, token: str, *, now: dt.datetime) -> str | None:
    found = await open_link(session, token, now=now)
    return found[1].id if found is not None else None


async def link_actor(session: AsyncSession, ticket: Ticket) -> Actor:
    """Who acts through a link: the ticket's customer (their login, if they have one, so
    what they do is theirs in the history; else the customer without a user)."""
    user = (
        (
            await session.execute(
                select(User)
                .where(
                    User.role == Role.CUSTOMER,
                    User.customer_id == ticket.customer_id,
                    User.is_active.is_(True),
                    User.deleted_at.is_(None),
                )
                .order_by(User.id)
            )
        )
        .scalars()
        .first()
    )
    return Actor(
        user_id=user.id if user is not None else "",
        username=user.username if user is not None else "tracking-link",
        role=Role.CUSTOMER,
        customer_id=ticket.customer_id,
    )


async def purge(session: AsyncSession, *, before: dt.datetime) -> int:
    """Delete the links that stopped working before ``before`` (their longest lifetime over,
    or revoked): nothing can open them again. Returns how many."""
    result = await session.execute(
        delete(TrackingLink).where(
            or_(TrackingLink.expires_at < before, TrackingLink.revoked_at < before)
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)
