"""The dispatcher's moves: approve or reject a ticket, send it to a branch (its job opens),
give the job to an engineer with the agreed window, cancel. None of them commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..agents import territory
from ..clock import clock_of
from ..dispatch import bookings, eta
from ..errors import DomainError
from ..events import EventKind
from ..models import Branch, Customer, Job, Technician, Ticket
from ..models.enums import JOB_OPEN_STATUSES, BranchKind, JobStatus, TicketStatus, TicketType
from . import moves, states, visit_requests


async def approve_ticket(session: AsyncSession, actor: Actor, *, ticket_id: str) -> Ticket:
    ticket = await moves.ticket_for(session, actor, states.APPROVE, ticket_id)
    if ticket.type is TicketType.RELOCATE:  # approved by the branch (and finance), not the hotline
        permissions.check(actor, "ticket.approve_relocation")
    moves.move_ticket(session, actor, ticket, TicketStatus.APPROVED)
    await moves.flush(session, ticket)
    return ticket


async def reject_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, reason: str
) -> Ticket:
    ticket = await moves.ticket_for(session, actor, states.REJECT, ticket_id, reason=reason)
    moves.move_ticket(
        session, actor, ticket, TicketStatus.REJECTED, reason=moves.reason_text(reason)
    )
    ticket.closed_at = clock_of(session).now()
    await moves.flush(session, ticket)
    await visit_requests.end_with_visit(session, actor, ticket)
    return ticket


async def dispatch_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, branch_id: str
) -> tuple[Ticket, Job]:
    """Send an approved ticket to a branch, opening its job (派单)."""
    ticket = await moves.ticket_for(session, actor, states.DISPATCH, ticket_id)
    branch = await moves.visible(session, actor, Branch, branch_id)
    if branch.kind is BranchKind.HQ or not branch.is_active:
        raise DomainError("INVALID_BRANCH", field="branch_id")
    permissions.check(actor, "ticket.dispatch", branch_id=branch.id)
    # A branch sees only its own customers: a ticket sent elsewhere left the customer's branch
    # without it and the other branch's clerk without the customer, address and device.
    # Serving a customer from another branch is HQ's ReassignCustomer, before the ticket.
    customer = await session.get(Customer, ticket.customer_id)
    if customer is not None and customer.branch_id != branch.id:
        raise DomainError("DISPATCH_OTHER_BRANCH", field="branch_id")
    ticket.branch_id = branch.id
    moves.move_ticket(session, actor, ticket, TicketStatus.DISPATCHED)
    await moves.flush(session, ticket)
    job = await moves.new_job(session, actor, ticket)
    return ticket, job


# A visit window is a part of a day (an overruled shift may stretch it, never past a day).
MAX_WINDOW = dt.timedelta(days=1)


def check_window(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> None:
    if start is None and end is None:
        return
    if start is None or end is None or end <= start or end < now or end - start > MAX_WINDOW:
        raise DomainError("APPOINTMENT_WINDOW_INVALID", field="appointment_start")


async def assign_job(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    technician_id: str,
    appointment_start: dt.datetime | None = None,
    appointment_end: dt.datetime | None = None,
    allow_outside_shift: bool = False,
    planned: bool = False,
) -> Job:
    """Give a job to an engineer of its branch, with the agreed window (预约) if known.

    Assigning again before the engineer leaves reassigns or reschedules; without a window it
    keeps the one agreed (a window is changed, never taken back). A window on the
    engineer's day off, outside their hours or over another booked window is refused unless
    ``allow_outside_shift`` comes from a role allowed to overrule the shift (then the job's
    history and the audit log say so). A route plan being applied (``planned``) was already
    fitted into the shift by the solver, and may sequence overlapping windows one after the
    other.
    """
    permissions.check(actor, "job.assign")
    job = await moves.visible(session, actor, Job, job_id)
    ticket = await moves.visible(session, actor, Ticket, job.ticket_id)
    states.check(states.ASSIGN, role=actor.role, current=ticket.status)
    if job.status not in (JobStatus.PENDING, JobStatus.ASSIGNED, JobStatus.ACCEPTED):
        raise DomainError("INVALID_TRANSITION", action="assign", status=job.status.value)
    # The engineer held until commit: two jobs given to them at once both passed the check
    # of their booked windows (APPOINTMENT_OVERLAP), and the engineer was double-booked.
    technician = await session.get(
        Technician, technician_id, with_for_update=True, populate_existing=True
    )
    if (
        technician is None
        or technician.branch_id != job.branch_id
        or not technician.is_active
        or technician.deleted_at is not None
    ):
        raise DomainError("TECHNICIAN_NOT_IN_BRANCH", field="technician_id")
    await territory.check_engineer(session, actor, technician=technician, ticket=ticket)
    if appointment_start is None and appointment_end is None:
        # No window given keeps the one agreed (the customer was told it): a reassignment
        # sends another engineer at the same time. It was checked when it was agreed.
        appointment_start, appointment_end = job.appointment_start, job.appointment_end
    else:
        check_window(appointment_start, appointment_end, clock_of(session).now())
    overruled = None
    if not planned:
        overruled = await _check_day(
            session, actor, job, technician, appointment_start, appointment_end, allow_outside_shift
        )
    previous_tech = job.technician_id
    reassigned = previous_tech is not None and previous_tech != technician.id
    rescheduled = (
        job.status is not JobStatus.PENDING
        and not reassigned
        and (job.appointment_start, job.appointment_end) != (appointment_start, appointment_end)
    )
    newly_assigned = reassigned or job.status is JobStatus.PENDING
    if job.technician_id != technician.id:
        eta.clear_route(job)  # a route position belongs to the engineer it was planned for
    job.technician_id = technician.id
    job.appointment_start = appointment_start
    job.appointment_end = appointment_end
    note = states.system_reason("REASSIGNED") if reassigned else ""
    if overruled is not None:
        note = states.system_reason("SHIFT_OVERRULED" if not reassigned else "REASSIGNED_OVERRULED")
        audit.record(
            session,
            actor,
            "job.shift_overruled",
            entity_type="Job",
            entity_id=job.id,
            rule=overruled,
            technician_id=technician.id,
        )
    moves.move_job(session, actor, job, JobStatus.ASSIGNED, reason=note)
    target = TicketStatus.APPOINTED if appointment_start is not None else TicketStatus.ASSIGNED
    if ticket.status is TicketStatus.APPOINTED and target is TicketStatus.ASSIGNED:
        target = TicketStatus.APPOINTED  # a job whose window was cleared before it was kept
    moves.move_ticket(session, actor, ticket, target, reason=note)
    await moves.flush(session, ticket)
    await moves.flush(session, job)
    if reassigned:
        moves.tell(
            session, actor, EventKind.JOB_REASSIGNED_AWAY, job, ticket, technician_id=previous_tech
        )
    if newly_assigned:
        moves.tell(session, actor, EventKind.JOB_ASSIGNED, job, ticket)
    elif rescheduled:
        moves.tell(session, actor, EventKind.JOB_RESCHEDULED, job, ticket)
    return job


async def _check_day(
    session: AsyncSession,
    actor: Actor,
    job: Job,
    technician: Technician,
    start: dt.datetime | None,
    end: dt.datetime | None,
    allow_outside_shift: bool,
) -> str | None:
    """The shift rule the window breaks and the dispatcher overruled, or None if it keeps it."""
    if start is None or end is None:
        return None
    try:
        bookings.check_shift(technician, start, end)
        await bookings.check_overlap(session, technician, job, start, end)
    except DomainError as broken:
        if not allow_outside_shift:
            raise
        # Asked only when a rule is broken: the flag alone overrules nothing.
        permissions.check(actor, "shift.override", branch_id=job.branch_id)
        return broken.code
    return None


async def cancel_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, reason: str
) -> Ticket:
    ticket = await moves.ticket_for(session, actor, states.CANCEL, ticket_id, reason=reason)
    text = moves.reason_text(reason)
    jobs = (
        await session.execute(
            select(Job).where(Job.ticket_id == ticket.id, Job.status.in_(JOB_OPEN_STATUSES))
        )
    ).scalars()
    for job in jobs:
        moves.move_job(session, actor, job, JobStatus.CANCELLED, reason=text)
        moves.tell(session, actor, EventKind.JOB_CANCELLED, job, ticket, reason=text)
        # Parts already used on the job stay consumed: they were fitted on site (docs/api.md,
        # "Stock"). The van's book, the old parts and any discrepancy are left as they are.
    moves.move_ticket(session, actor, ticket, TicketStatus.CANCELLED, reason=text)
    ticket.closed_at = clock_of(session).now()
    await moves.flush(session, ticket)
    await visit_requests.end_with_visit(session, actor, ticket)
    return ticket
