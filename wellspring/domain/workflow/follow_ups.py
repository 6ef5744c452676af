"""The hotline's call back (回访) after a ticket is done: when it falls due, and its score,
which closes the ticket (a low one opens a complaint).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, events
from ..actor import Actor
from ..bounds import check_length
from ..clock import clock_of
from ..errors import DomainError
from ..models import FollowUp, Ticket
from ..models.enums import (
    Dissatisfaction,
    FollowUpSource,
    FollowUpStatus,
    TicketStatus,
    TicketType,
)
from . import clock_rules, effects, moves, states
from .clock_rules import Stamp
from .opening import open_follow_up_ticket

FOLLOW_UP_DELAY = dt.timedelta(hours=24)

LOW_SCORE = 2
# The customer's words at the call back, as a rating comment on the tracking page.
MAX_COMMENT = 1000


def fall_due(session: AsyncSession, actor: Actor, ticket: Ticket, completed: Stamp) -> None:
    """The ticket was just completed: its call back falls due a day after the completion.

    The move is dated one microsecond after the completion, so the history sorts in the order
    the moves happened.
    """
    later = completed.after(dt.timedelta(microseconds=1))
    moves.move_ticket(session, actor, ticket, TicketStatus.FOLLOW_UP_DUE, stamp=later)
    session.add(FollowUp(ticket_id=ticket.id, due_at=completed.occurred_at + FOLLOW_UP_DELAY))


async def record_follow_up(
    session: AsyncSession,
    actor: Actor,
    *,
    ticket_id: str,
    score: int,
    dissatisfaction: Dissatisfaction | None = None,
    comment: str = "",
) -> tuple[Ticket, FollowUp, Ticket | None]:
    """The hotline's call back (回访): the score closes the ticket; a low one opens a complaint."""
    ticket = await moves.ticket_for(session, actor, states.FOLLOW_UP, ticket_id)
    return await score_visit(
        session,
        actor,
        ticket,
        score=score,
        dissatisfaction=dissatisfaction,
        comment=comment,
        source=FollowUpSource.HOTLINE,
    )


async def score_visit(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    *,
    score: int,
    dissatisfaction: Dissatisfaction | None,
    comment: str,
    source: FollowUpSource,
) -> tuple[Ticket, FollowUp, Ticket | None]:
    """The follow-up's score, whoever gave it (the hotline's call, or the customer rating the
    visit): closes the ticket, and a low score opens the complaint. The caller has checked who
    may score ``ticket`` and that it is due for its follow-up."""
    if not 1 <= score <= 5:
        raise DomainError("SCORE_OUT_OF_RANGE", field="score")
    if score <= LOW_SCORE and dissatisfaction is None:
        raise DomainError("DISSATISFACTION_REQUIRED", field="dissatisfaction")
    now = clock_of(session).now()
    follow_up = (
        (
            await session.execute(
                select(FollowUp)
                .where(FollowUp.ticket_id == ticket.id, FollowUp.status == FollowUpStatus.DUE)
                .order_by(FollowUp.due_at)
            )
        )
        .scalars()
        .first()
    )
    if follow_up is None:
        follow_up = FollowUp(ticket_id=ticket.id, due_at=now)
        session.add(follow_up)
    follow_up.status = FollowUpStatus.DONE
    follow_up.score = score
    follow_up.dissatisfaction = dissatisfaction
    follow_up.comment = check_length(comment.strip(), "comment", MAX_COMMENT)
    follow_up.recorded_by_id = actor.user_id or None
    follow_up.source = source
    follow_up.recorded_at = now
    await effects.on_close(session, actor, ticket)
    moves.move_ticket(
        session, actor, ticket, TicketStatus.CLOSED, stamp=clock_rules.server_stamp(now)
    )
    ticket.closed_at = now
    await moves.flush(session, ticket)
    complaint = None
    if score <= LOW_SCORE:
        complaint = await open_follow_up_ticket(
            session,
            actor,
            origin=ticket,
            ticket_type=TicketType.COMPLAINT,
            description=f"回访评分 {score}：{follow_up.comment}",
            details={
                "follow_up_score": score,
                "dissatisfaction": dissatisfaction.value if dissatisfaction else None,
            },
        )
        events.emit(
            session,
            events.DomainEvent(
                kind=events.EventKind.LOW_SCORE,
                branch_id=ticket.branch_id,
                ticket_id=ticket.id,
                customer_id=ticket.customer_id,
                actor_id=actor.user_id or None,
                at=now,
                data={
                    "number": ticket.number,
                    "score": score,
                    "dissatisfaction": dissatisfaction.value if dissatisfaction else None,
                    "complaint_number": complaint.number,
                },
            ),
        )
    audit.record(
        session,
        actor,
        "follow_up.recorded",
        entity_type="Ticket",
        entity_id=ticket.id,
        score=score,
        source=source.value,
    )
    await session.flush()
    return ticket, follow_up, complaint
