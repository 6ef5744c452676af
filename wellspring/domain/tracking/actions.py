"""What a customer does from the tracking page or their login: rate the visit, ask to move
or cancel it. A rating is the follow-up's score (``follow_ups.score_visit``, the function the
hotline's call uses); a request opens an inquiry for the hotline (one per kind while it
waits: ``workflow/visit_requests.py``) and never moves the job."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import FollowUp, Ticket
from ..models.enums import (
    Dissatisfaction,
    FollowUpSource,
    FollowUpStatus,
    TicketStatus,
)
from ..workflow import follow_ups, moves, visit_requests
from ..workflow.follow_ups import LOW_SCORE
from ..workflow.visit_requests import CHANGEABLE
from . import links

MAX_COMMENT = 1000


ChangeKind = visit_requests.VisitChangeKind


@dataclass(frozen=True)
class Rated:
    ticket: Ticket
    follow_up: FollowUp
    complaint: Ticket | None


async def by_token(session: AsyncSession, token: object) -> tuple[Ticket, Actor]:
    """The ticket a link opens and who acts through it, or LINK_NOT_USABLE (never why)."""
    found = await links.open_link(session, token, now=clock_of(session).now())
    if found is None:
        raise DomainError("LINK_NOT_USABLE", field="token")
    ticket = found[1]
    return ticket, await links.link_actor(session, ticket)


async def own_ticket(session: AsyncSession, actor: Actor, operation: str, ticket_id: str) -> Ticket:
    """A logged-in customer's own ticket (another's reads as not found)."""
    permissions.check(actor, operation)
    return await moves.visible(session, actor, Ticket, ticket_id)


def _comment(text: str | None, field: str = "comment") -> str:
    value = (text or "").strip()
    if len(value) > MAX_COMMENT:
        raise DomainError("VALUE_TOO_LONG", field=field, maximum=MAX_COMMENT)
    return value


async def rate(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    *,
    score: int,
    comment: str | None = None,
    dissatisfaction: Dissatisfaction | None = None,
) -> Rated:
    """The customer's score for a visit whose follow-up is due: it closes the ticket; a low
    score without a category is filed as OTHER and opens the complaint as the call does."""
    text = _comment(comment)
    if ticket.status is not TicketStatus.FOLLOW_UP_DUE:
        answered = (
            await session.execute(
                select(FollowUp.id).where(
                    FollowUp.ticket_id == ticket.id, FollowUp.status == FollowUpStatus.DONE
                )
            )
        ).first()
        if answered:
            raise DomainError("ALREADY_RATED", field="score")
        raise DomainError("NOT_YET_RATABLE", field="score")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("SCORE_OUT_OF_RANGE", field="score")
    if score <= LOW_SCORE and dissatisfaction is None:
        dissatisfaction = Dissatisfaction.OTHER
    ticket, follow_up, complaint = await follow_ups.score_visit(
        session,
        actor,
        ticket,
        score=score,
        dissatisfaction=dissatisfaction,
        comment=text,
        source=FollowUpSource.CUSTOMER,
    )
    return Rated(ticket, follow_up, complaint)


async def request_change(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    *,
    kind: ChangeKind,
    note: str | None = None,
    sent_as: str = "ticket_id",
) -> Ticket:
    """The customer asks to move or cancel the visit: an inquiry for the hotline, linked to
    the visit (the one still waiting of that kind, if any); the job itself stays as it is
    until a dispatcher acts. ``sent_as`` is the input that named the visit (``token`` through
    a link), so a refusal points at what the client sent."""
    text = _comment(note, "note")
    held = await visit_requests.hold(session, ticket)
    if held.status not in CHANGEABLE:
        raise DomainError("VISIT_OVER", field=sent_as)
    return await visit_requests.ask(session, actor, held, kind=kind, note=text)


async def rate_as_customer(
    session: AsyncSession,
    actor: Actor,
    *,
    ticket_id: str,
    score: int,
    comment: str | None = None,
    dissatisfaction: Dissatisfaction | None = None,
) -> Rated:
    """``RateVisit`` by the customer signed in, for one of their own visits."""
    ticket = await own_ticket(session, actor, "visit.rate", ticket_id)
    return await rate(
        session, actor, ticket, score=score, comment=comment, dissatisfaction=dissatisfaction
    )


async def rate_by_token(
    session: AsyncSession,
    *,
    token: object,
    score: int,
    comment: str | None = None,
    dissatisfaction: Dissatisfaction | None = None,
) -> Rated:
    """``RateVisit`` through a tracking link (the token is the permission)."""
    ticket, actor = await by_token(session, token)
    return await rate(
        session, actor, ticket, score=score, comment=comment, dissatisfaction=dissatisfaction
    )


async def request_change_as_customer(
    session: AsyncSession, actor: Actor, *, ticket_id: str, kind: ChangeKind, note: str | None
) -> Ticket:
    """``RequestVisitChange`` by the customer signed in."""
    ticket = await own_ticket(session, actor, "visit.request_change", ticket_id)
    await request_change(session, actor, ticket, kind=kind, note=note)
    return ticket


async def request_change_by_token(
    session: AsyncSession, *, token: object, kind: ChangeKind, note: str | None
) -> Ticket:
    """``RequestVisitChange`` through a tracking link."""
    ticket, actor = await by_token(session, token)
    await request_change(session, actor, ticket, kind=kind, note=note, sent_as="token")
    return ticket
