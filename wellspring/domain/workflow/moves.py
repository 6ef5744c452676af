"""The steps every workflow use case shares: find a visible row, move a ticket or a job along
its state machine (history row and audit entry included), open a job, and write the change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, events, numbering, permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import Job, JobStatusChange, Ticket, TicketStatusChange
from ..models.enums import JobStatus, TicketStatus
from ..sync import batch
from . import clock_rules, states
from .clock_rules import Stamp

M = TypeVar("M")
MAX_REASON = 500


async def visible(session: AsyncSession, actor: Actor, model: type[M], id_: str) -> M:
    """The row the actor may see, or ``NOT_FOUND`` (a forbidden row looks like a missing one)."""
    row = (
        await session.execute(select(model).where(policy.scope(model, actor)).filter_by(id=id_))
    ).scalar_one_or_none()
    if row is None or row.deleted_at is not None:  # type: ignore[attr-defined]
        raise DomainError("NOT_FOUND", field="id", id_value=str(id_))
    return row


async def visible_or_none(
    session: AsyncSession, actor: Actor, model: type[M], id_: str
) -> M | None:
    """The row if the actor may see it (what a warning points to), else None."""
    try:
        return await visible(session, actor, model, id_)
    except DomainError:
        return None


async def flush(session: AsyncSession, row: Ticket | Job) -> None:
    """Write now, so that a concurrent change surfaces here as a clear error (not in a push
    that defers the record's writes: it locked the row, so no change can come between)."""
    model, row_id = type(row), row.id
    if batch.writes_deferred(session):
        return
    try:
        await session.flush()
    except StaleDataError:
        # The failed flush spoiled this transaction: read the winner's state on the side.
        engine = session.bind
        if not isinstance(engine, AsyncEngine):
            raise
        async with engine.connect() as conn:
            current = await conn.scalar(select(model.status).where(model.id == row_id))
        raise DomainError("STALE_OBJECT", status=str(current)) from None


async def ticket_for(
    session: AsyncSession,
    actor: Actor,
    move: states.Move,
    ticket_id: str,
    *,
    reason: str | None = None,
) -> Ticket:
    """The ticket a move applies to: the role may make it (checked before any read, so a
    forbidden role learns nothing), the ticket is visible, and its state allows the move."""
    permissions.check(actor, permissions.move_operation(move))
    ticket = await visible(session, actor, Ticket, ticket_id)
    states.check(move, role=actor.role, current=ticket.status, reason=reason)
    return ticket


def reason_text(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise DomainError("VALUE_TOO_LONG", field="reason", maximum=MAX_REASON)
    return text


def _move(
    session: AsyncSession,
    actor: Actor,
    row: Ticket | Job,
    target: Any,
    *,
    edges: frozenset[tuple[str | None, str]],
    history: Callable[..., TicketStatusChange | JobStatusChange],
    reason: str,
    stamp: Stamp | None,
) -> None:
    """Check the edge, set the status, and write the history row and the audit entry."""
    stamp = stamp or clock_rules.server_stamp(clock_of(session).now())
    source = row.status
    states.check_edge(edges, source, target)
    row.status = target
    if reason:
        row.status_reason = reason
    step = history(
        from_status=source,
        to_status=target,
        actor_id=actor.user_id or None,
        reason=reason,
        at=stamp.occurred_at,
        received_at=stamp.received_at,
        reported_at=stamp.reported_at,
        time_flag=stamp.flag,
    )
    session.add(step)
    batch.moved(session, type(step), row.id, stamp.occurred_at)
    batch.remember_step(session, row.id, step)
    entity = type(row).__name__
    audit.record(
        session,
        actor,
        f"{entity.lower()}.{target.value.lower()}",
        entity_type=entity,
        entity_id=row.id,
        from_status=source.value if source else None,
        reason=reason,
    )
    actor_id = actor.user_id or None
    if isinstance(row, Ticket):
        events.emit(session, events.ticket_moved(row, source, actor_id, stamp.occurred_at))
    else:
        events.emit(
            session,
            events.job_event(
                events.EventKind.JOB_STATUS_CHANGED,
                row,
                actor_id=actor_id,
                at=stamp.occurred_at,
                from_status=source.value if source else None,
            ),
        )


def move_ticket(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    target: TicketStatus,
    *,
    reason: str = "",
    stamp: Stamp | None = None,
) -> None:
    def history(**values: Any) -> TicketStatusChange:
        return TicketStatusChange(ticket_id=ticket.id, **values)

    _move(
        session,
        actor,
        ticket,
        target,
        edges=states.TICKET_EDGES,
        history=history,
        reason=reason,
        stamp=stamp,
    )


def move_job(
    session: AsyncSession,
    actor: Actor,
    job: Job,
    target: JobStatus,
    *,
    reason: str = "",
    stamp: Stamp | None = None,
) -> None:
    def history(**values: Any) -> JobStatusChange:
        # Who holds the job from this step on (an assignment has set it already).
        return JobStatusChange(job_id=job.id, technician_id=job.technician_id, **values)

    _move(
        session,
        actor,
        job,
        target,
        edges=states.JOB_EDGES,
        history=history,
        reason=reason,
        stamp=stamp,
    )


def tell(
    session: AsyncSession,
    actor: Actor,
    kind: events.EventKind,
    job: Job,
    ticket: Ticket,
    *,
    at: dt.datetime | None = None,
    **data: Any,
) -> None:
    """Say what happened to a job, for whoever must hear it (the routing rules decide who)."""
    technician_id = data.pop("technician_id", job.technician_id)
    event = events.job_event(
        kind,
        job,
        actor_id=actor.user_id or None,
        at=at or clock_of(session).now(),
        customer_id=ticket.customer_id,
        ticket_number=ticket.number,
        ticket_type=ticket.type.value,
        **data,
    )
    if technician_id != job.technician_id:
        event = dataclasses.replace(event, technician_id=technician_id)
    events.emit(session, event)


async def new_job(session: AsyncSession, actor: Actor, ticket: Ticket) -> Job:
    """Open a PENDING job for the ticket in the ticket's branch."""
    job = Job(
        number=await numbering.next_number(session, numbering.JOB),
        ticket_id=ticket.id,
        branch_id=ticket.branch_id,
        status=JobStatus.PENDING,
    )
    session.add(job)
    await session.flush()
    session.add(
        JobStatusChange(
            job_id=job.id, from_status=None, to_status=JobStatus.PENDING, actor_id=actor.user_id
        )
    )
    events.emit(
        session,
        events.job_event(
            events.EventKind.JOB_CREATED,
            job,
            actor_id=actor.user_id or None,
            at=clock_of(session).now(),
            customer_id=ticket.customer_id,
        ),
    )
    return job
