"""Ticket lists for dispatchers: filters, the overdue flag, newest or most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import joined, policy, ticket_counts
from .actor import Actor
from .clock import clock_of
from .column_rows import Columns
from .custom_fields import values as custom_values
from .models import Ticket
from .models.enums import (
    TICKET_OPEN_STATUSES,
    CustomFieldEntity,
    Priority,
    Role,
    TicketStatus,
    TicketType,
)
from .pagination import Page, Rows, SortKey, paginate

_ORDER = (SortKey(Ticket.created_at), SortKey(Ticket.id))
# Unresolved urgent work first: priority, then the earliest due, then the oldest.
PRIORITY_RANK = case(
    {Priority.URGENT: 4, Priority.HIGH: 3, Priority.NORMAL: 2, Priority.LOW: 1},
    value=Ticket.priority,
    else_=0,
)
_RANK = {Priority.URGENT: 4, Priority.HIGH: 3, Priority.NORMAL: 2, Priority.LOW: 1}
_FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
DUE = func.coalesce(Ticket.due_at, _FAR)
_URGENCY = (
    SortKey(PRIORITY_RANK),
    SortKey(DUE, descending=False),
    SortKey(Ticket.created_at, descending=False),
    SortKey(Ticket.id, descending=False),
)


@dataclass(frozen=True)
class TicketFilter:
    statuses: list[TicketStatus] = field(default_factory=list)
    types: list[TicketType] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    branch_id: str | None = None
    customer_id: str | None = None
    device_id: str | None = None
    overdue: bool | None = None
    # True: only open tickets (not closed, rejected or cancelled); False: only those.
    open: bool | None = None
    urgent_first: bool = False
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    # (key, value): a custom field equal to the value, read as the field's type (issue 18 §4)
    custom_field: tuple[str, str] | None = None


# Work done: judged by when it was done (a ticket waiting for its call back included).
FINISHED = frozenset({TicketStatus.COMPLETED, TicketStatus.FOLLOW_UP_DUE, TicketStatus.CLOSED})
# Work still owed: judged by the clock.
WORKING = TICKET_OPEN_STATUSES - FINISHED
# Not open: what ``open: false`` lists.
ENDED = frozenset(TicketStatus) - TICKET_OPEN_STATUSES


# What ``is_overdue`` reads of a ticket: a page read as columns reads these for it.
OVERDUE_READS = ("due_at", "status", "completed_at")


def is_overdue(ticket: Ticket, now: dt.datetime) -> bool:
    """Not finished by its due time.

    Work still owed is overdue once the due time has passed; finished work is overdue only if
    it was completed after its due time, whatever the clock says now. A cancelled or rejected
    ticket, or one without a due time, never is.
    """
    if ticket.due_at is None:
        return False
    if ticket.status in FINISHED:
        return ticket.completed_at is not None and ticket.completed_at > ticket.due_at
    return ticket.status in WORKING and ticket.due_at < now


def overdue_clause(now: dt.datetime) -> ColumnElement[bool]:
    """``is_overdue`` in SQL (never NULL, so its negation is exact)."""
    late_now = Ticket.status.in_(WORKING) & (Ticket.due_at < now)
    late_done = (
        Ticket.status.in_(FINISHED)
        & Ticket.completed_at.is_not(None)
        & (Ticket.completed_at > Ticket.due_at)
    )
    return Ticket.due_at.is_not(None) & (late_now | late_done)


def _maintained_count(actor: Actor, f: TicketFilter) -> Select[Any] | None:
    """The exact count from ``ticket_counts`` when the list is a branch (or all of them) by
    status and type only; None when another filter or the actor's scope needs the rows."""
    if (
        f.priorities
        or f.customer_id is not None
        or f.device_id is not None
        or f.overdue is not None
        or f.created_after is not None
        or f.created_before is not None
        or f.custom_field is not None
    ):
        return None
    if actor.sees_all_branches:
        branch_id = f.branch_id
    elif actor.role is Role.CLERK and actor.branch_id is not None:
        if f.branch_id not in (None, actor.branch_id):
            return _NONE
        branch_id = actor.branch_id
    else:
        return None
    statuses = set(f.statuses or TicketStatus)
    if f.open is not None:
        statuses &= TICKET_OPEN_STATUSES if f.open else ENDED
    if not statuses:
        return _NONE
    chosen = sorted(statuses) if len(statuses) < len(TicketStatus) else []
    types = sorted(set(f.types)) if f.types else []
    return ticket_counts.total_select(branch_id=branch_id, statuses=chosen, types=types)


_NONE: Select[Any] = select(literal(0))  # a list no ticket can be in
_LIVE = Ticket.deleted_at.is_(None)


async def list_tickets(
    session: AsyncSession,
    actor: Actor,
    *,
    filter: TicketFilter,
    first: int | None,
    after: str | None,
    relations: joined.Relations | None = None,
    columns: Columns | None = None,
    count_with_page: bool = False,
) -> Page[Ticket]:
    """A page of the tickets the actor may see; ``relations`` are read with it
    (``Page.related``), and so is its count when ``count_with_page`` (the caller will ask).
    ``columns``, with ``relations``: only those attributes are read (``column_rows.py``)."""
    related = joined.wanted(Ticket, actor, relations, columns)
    stmt = Rows(Ticket, (policy.tickets_scope(actor), _LIVE))
    f = filter
    if f.statuses:
        stmt = stmt.where(Ticket.status.in_(f.statuses))
    if f.types:
        stmt = stmt.where(Ticket.type.in_(f.types))
    if f.priorities:
        stmt = stmt.where(Ticket.priority.in_(f.priorities))
    if f.branch_id is not None:
        stmt = stmt.where(Ticket.branch_id == f.branch_id)
    if f.customer_id is not None:
        stmt = stmt.where(Ticket.customer_id == f.customer_id)
    if f.device_id is not None:
        stmt = stmt.where(Ticket.device_id == f.device_id)
    if f.open is not None:
        stmt = stmt.where(Ticket.status.in_(TICKET_OPEN_STATUSES if f.open else ENDED))
    if f.overdue is not None:
        late = overdue_clause(clock_of(session).now())
        stmt = stmt.where(late if f.overdue else ~late)
    if f.created_after is not None:
        stmt = stmt.where(Ticket.created_at >= f.created_after)
    if f.created_before is not None:
        stmt = stmt.where(Ticket.created_at < f.created_before)
    if f.custom_field is not None:
        key, value = f.custom_field
        entity = CustomFieldEntity.TICKET
        stmt = stmt.where(
            await custom_values.condition(session, entity, Ticket.custom_fields, key, value)
        )
    order, row_key = (_URGENCY, _urgency_key) if f.urgent_first else (_ORDER, _newest_key)
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=row_key,
        maintained_count=_maintained_count(actor, f),
        related=related,
        count_with_page=count_with_page,
    )


def _urgency_key(t: Ticket) -> tuple[Any, ...]:
    return (_RANK.get(t.priority, 0), t.due_at or _FAR, t.created_at, t.id)


def _newest_key(t: Ticket) -> tuple[Any, ...]:
    return (t.created_at, t.id)
