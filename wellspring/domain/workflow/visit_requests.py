"""A customer's asks to move or cancel a visit (``RequestVisitChange``): a HIGH inquiry for
the hotline, linked to the visit, one per kind while it waits; they end with the visit.

Asking again for a kind whose inquiry still waits opens no other (seven clicks had opened
seven HIGH inquiries): the waiting one answers, and a note it does not hold yet is added to
it. When the visit is completed, cancelled or rejected, the asks still at the desk are
cancelled saying why, so nobody calls a customer back about a visit that is over.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import Actor
from ..bounds import MAX_TICKET_DESCRIPTION
from ..clock import clock_of
from ..errors import present
from ..models import Ticket
from ..models.enums import Priority, TicketStatus, TicketType
from . import moves
from .opening import IN_HAND, open_follow_up_ticket
from .states import system_reason


class VisitChangeKind(enum.StrEnum):
    RESCHEDULE = "RESCHEDULE"
    CANCEL = "CANCEL"


_KINDS = frozenset(VisitChangeKind)
_ASKED = {VisitChangeKind.RESCHEDULE: "客户申请改约", VisitChangeKind.CANCEL: "客户申请取消"}
# The visit may still be moved or cancelled: before the engineer is on site.
CHANGEABLE = frozenset(
    {
        TicketStatus.CREATED,
        TicketStatus.APPROVED,
        TicketStatus.DISPATCHED,
        TicketStatus.ASSIGNED,
        TicketStatus.APPOINTED,
        TicketStatus.EN_ROUTE,
    }
)
# Ended with the visit only while still at the desk: one sent out as a field job is a
# dispatcher's to end.
_AT_DESK = frozenset({TicketStatus.CREATED, TicketStatus.APPROVED})


def _kind(inquiry: Ticket) -> VisitChangeKind | None:
    value = (inquiry.details or {}).get("visit_request")
    return VisitChangeKind(value) if isinstance(value, str) and value in _KINDS else None


async def waiting(session: AsyncSession, visit_id: str, *, lock: bool = False) -> list[Ticket]:
    """The visit's asks the hotline has not answered yet (not resolved, not ended), oldest
    first; held until commit with ``lock``."""
    query = (
        select(Ticket)
        .where(
            Ticket.linked_ticket_id == visit_id,
            Ticket.type == TicketType.INQUIRY,
            Ticket.status.in_(IN_HAND),
            Ticket.deleted_at.is_(None),
        )
        .order_by(Ticket.created_at, Ticket.id)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    rows = (await session.execute(query)).scalars()
    return [row for row in rows if _kind(row) is not None]


async def waiting_kinds(session: AsyncSession, visit_id: str) -> frozenset[VisitChangeKind]:
    return frozenset(kind for row in await waiting(session, visit_id) if (kind := _kind(row)))


async def hold(session: AsyncSession, visit: Ticket) -> Ticket:
    """The visit's row held until commit and read afresh, before an ask: two asks at once are
    made one after the other, and an ask made while the visit is completed sees it over."""
    held = await session.get(Ticket, visit.id, with_for_update=True, populate_existing=True)
    return present(held, "the visit")


async def ask(
    session: AsyncSession, actor: Actor, held: Ticket, *, kind: VisitChangeKind, note: str
) -> Ticket:
    """The inquiry that carries the ask about the ``held`` visit (``hold``): the waiting one
    of that kind, else a new one."""
    asked = await waiting(session, held.id, lock=True)  # a note may be added: read afresh
    existing = next((t for t in asked if _kind(t) is kind), None)
    if existing is None:
        inquiry = await open_follow_up_ticket(
            session,
            actor,
            origin=held,
            ticket_type=TicketType.INQUIRY,
            description=f"{_ASKED[kind]}（工单 {held.number}）：{note}",
            details={"visit_request": kind.value, "note": note},
            priority=Priority.HIGH,
        )
    else:
        inquiry = existing
        if note and note not in existing.description:
            added = f"{existing.description}\n补充：{note}"
            existing.description = added[:MAX_TICKET_DESCRIPTION]
    audit.record(
        session,
        actor,
        "visit.change_requested",
        entity_type="Ticket",
        entity_id=held.id,
        kind=kind.value,
        inquiry_id=inquiry.id,
        repeated=existing is not None,
        note=note,
    )
    return inquiry


async def end_with_visit(session: AsyncSession, actor: Actor, visit: Ticket) -> None:
    """The visit is over (completed, cancelled, rejected): its asks still at the desk are
    cancelled, the visit named as the reason.

    Called once the visit's own move is written: its row is held before the asks' rows, the
    order an ask takes them in (``hold``), so the two cannot deadlock."""
    reason = system_reason("VISIT_ENDED", visit.number)
    for inquiry in await waiting(session, visit.id, lock=True):
        if inquiry.status in _AT_DESK:
            moves.move_ticket(session, actor, inquiry, TicketStatus.CANCELLED, reason=reason)
            inquiry.closed_at = clock_of(session).now()
