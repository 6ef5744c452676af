"""Writing a new ticket: one path for the tickets people open and those the system opens.

Its due time comes from the SLA hours (sla.py's defaults under the configured overrides,
``WELLSPRING_SLA_HOURS``), whoever opens it: the hotline, a customer, or the system after a
low follow-up score or a failed water test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, numbering
from ..actor import Actor
from ..models import Ticket, TicketStatusChange, utcnow
from ..models.enums import Channel, Priority, TicketStatus, TicketType
from . import config, sla
from .states import system_reason


async def new_ticket(
    session: AsyncSession,
    actor: Actor,
    *,
    type: TicketType,
    priority: Priority,
    opened_at: dt.datetime,
    sla_overrides: Mapping[str, Mapping[str, int]] | None = None,
    reason: str = "",
    audit_details: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Ticket:
    """Add a CREATED ticket with its first history row and audit entry, and flush it."""
    overrides = config.current().sla_hours if sla_overrides is None else sla_overrides
    ticket = Ticket(
        number=await numbering.next_number(session, numbering.TICKET),
        type=type,
        status=TicketStatus.CREATED,
        priority=priority,
        due_at=sla.due_at(opened_at, type, priority, overrides),
        **fields,
    )
    session.add(ticket)
    await session.flush()
    session.add(
        TicketStatusChange(
            ticket_id=ticket.id,
            from_status=None,
            to_status=TicketStatus.CREATED,
            actor_id=actor.user_id,
            at=opened_at,
            received_at=opened_at,
            reason=reason,
        )
    )
    audit.record(
        session,
        actor,
        "ticket.created",
        entity_type="Ticket",
        entity_id=ticket.id,
        type=type.value,
        **dict(audit_details or {}),
    )
    return ticket


async def open_follow_up_ticket(
    session: AsyncSession,
    actor: Actor,
    *,
    origin: Ticket,
    ticket_type: TicketType,
    description: str,
    details: dict[str, Any],
    priority: Priority = Priority.HIGH,
) -> Ticket:
    """A ticket the system opens because of another (a low score, a failed water test)."""
    return await new_ticket(
        session,
        actor,
        type=ticket_type,
        priority=priority,
        opened_at=utcnow(),
        reason=system_reason("OPENED_FROM", origin.number),
        audit_details={"linked_ticket_id": origin.id},
        channel=Channel.SYSTEM,
        customer_id=origin.customer_id,
        branch_id=origin.branch_id,
        device_id=origin.device_id,
        address_id=origin.address_id,
        description=description[:2000],
        created_by_id=actor.user_id,
        handler_id=actor.user_id,
        linked_ticket_id=origin.id,
        details=details,
    )
