"""Desk work on complaints, inquiries and praise: hand them to a department, answer them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import Ticket
from ..models.enums import TicketStatus, TicketType
from . import clock_rules, follow_ups, moves, states

DESK_TYPES = frozenset({TicketType.COMPLAINT, TicketType.INQUIRY, TicketType.PRAISE})

MAX_DEPARTMENT = 50


async def route_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, department: str, note: str = ""
) -> Ticket:
    """Hand a complaint, inquiry or praise to a department, or back (empty department)."""
    ticket = await moves.ticket_for(session, actor, states.ROUTE, ticket_id)
    if ticket.type not in DESK_TYPES:
        raise DomainError("INVALID_TRANSITION", action="route", status=ticket.status.value)
    target = department.strip()
    if len(target) > MAX_DEPARTMENT:
        raise DomainError("VALUE_TOO_LONG", field="department", maximum=MAX_DEPARTMENT)
    if target == (ticket.department or ""):  # a hand-over to where it is: no step to record
        raise DomainError("ALREADY_IN_DEPARTMENT", field="department")
    text = moves.reason_text(note)
    trail = list(ticket.details.get("routing", []))
    trail.append(
        {
            "from": ticket.department,
            "to": target,
            "by": actor.user_id,
            "at": clock_of(session).now().isoformat(),
            "note": text,
        }
    )
    ticket.details = {**ticket.details, "routing": trail}
    ticket.department = target
    ticket.handler_id = actor.user_id
    audit.record(
        session,
        actor,
        "ticket.routed",
        entity_type="Ticket",
        entity_id=ticket.id,
        department=target,
        note=text,
    )
    await moves.flush(session, ticket)
    return ticket


async def resolve_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, resolution: str
) -> Ticket:
    """Answer a complaint or inquiry at the desk (its call back falls due); praise closes."""
    ticket = await moves.ticket_for(session, actor, states.RESOLVE, ticket_id, reason=resolution)
    if ticket.type not in DESK_TYPES:
        raise DomainError("INVALID_TRANSITION", action="resolve", status=ticket.status.value)
    text = moves.reason_text(resolution)
    now = clock_of(session).now()
    stamp = clock_rules.server_stamp(now)
    ticket.details = {**ticket.details, "resolution": text}
    ticket.handler_id = actor.user_id
    ticket.completed_at = now
    moves.move_ticket(session, actor, ticket, TicketStatus.COMPLETED, reason=text, stamp=stamp)
    if ticket.type is TicketType.PRAISE:
        later = stamp.after(dt.timedelta(microseconds=1))  # sorts after the completion
        moves.move_ticket(session, actor, ticket, TicketStatus.CLOSED, stamp=later)
        ticket.closed_at = now
    else:
        follow_ups.fall_due(session, actor, ticket, stamp)
    await moves.flush(session, ticket)
    return ticket
