"""The engineer's moves on their job: accept, start travel, arrive, complete, fail.

Each is dated by the phone's time (checked, clock_rules.py), moves the job and its ticket,
and refreshes the engineer's site and the ETAs of their remaining stops. None commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..clock import CLOCK_SLACK, clock_of
from ..config import config_of
from ..dispatch import eta, locate
from ..errors import DomainError, present
from ..events import EventKind
from ..media import evidence
from ..models import Address, Job, JobStatusChange, Technician, Ticket, TicketStatusChange
from ..models.enums import JobStatus, TicketStatus, TicketType
from ..sync import batch
from . import clock_rules, effects, fault_codes, moves, site_fields, states, visit_requests
from .clock_rules import Stamp

MOVE_STAMPS = {
    JobStatus.ACCEPTED: "accepted_at",
    JobStatus.EN_ROUTE: "started_travel_at",
    JobStatus.ON_SITE: "arrived_at",
}


async def _my_job(
    session: AsyncSession, actor: Actor, job_id: str, move: states.Move
) -> tuple[Job, Ticket]:
    permissions.check(actor, permissions.move_operation(move))
    job = await session.get(Job, job_id)
    if job is None or job.technician_id != actor.technician_id or job.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="id")
    ticket = present(await session.get(Ticket, job.ticket_id), "the job's ticket")
    return job, ticket


def queued_offline(stamp: Stamp) -> bool:
    """A move the phone queued offline and sent later through GraphQL: its own time, older
    than the clock slack allows for a call made at once. Its report was filled from what the
    phone pulled, as a sync push's (a filter stage retired since: effects._change_filters)."""
    reported = stamp.reported_at
    return reported is not None and reported < stamp.received_at - CLOCK_SLACK


async def _stamp(
    session: AsyncSession, job: Job, ticket: Ticket, recorded_at: dt.datetime | None
) -> Stamp:
    """When the engineer's move happened: the phone's time, checked (clock_rules.py).

    The previous step is the job's last, or its ticket's if later (the move is written to
    both histories, and each stays in order).
    """
    now = clock_of(session).now()
    if recorded_at is None:
        return clock_rules.server_stamp(now)
    known, last_job = batch.last_step(session, JobStatusChange, job.id)
    if not known:
        last_job = await session.scalar(
            select(func.max(JobStatusChange.at)).where(JobStatusChange.job_id == job.id)
        )
    known, last_ticket = batch.last_step(session, TicketStatusChange, ticket.id)
    if not known:
        last_ticket = await session.scalar(
            select(func.max(TicketStatusChange.at)).where(TicketStatusChange.ticket_id == ticket.id)
        )
    previous = max((t for t in (last_job, last_ticket) if t is not None), default=None)
    return clock_rules.judge(
        recorded_at, received=now, previous=previous, rules=config_of(session).clock_rules
    )


async def _engineer_move(
    session: AsyncSession,
    actor: Actor,
    job_id: str,
    move: states.Move,
    target: JobStatus,
    recorded_at: dt.datetime | None,
) -> Job:
    """Accept, start travel, arrive: the job moves and its ticket follows where it must."""
    job, ticket = await _my_job(session, actor, job_id, move)
    states.check(move, role=actor.role, current=job.status)
    stamp = await _stamp(session, job, ticket, recorded_at)
    # Every check is made before the first write (the edge in move_job, too): a phone's
    # push applies an ACCEPT without a savepoint on that promise (mobile_sync/push.py).
    moves.move_job(session, actor, job, target, stamp=stamp)
    setattr(job, MOVE_STAMPS[target], stamp.occurred_at)
    ticket_target = states.TICKET_FOR_JOB.get(target)
    if ticket_target is not None:
        moves.move_ticket(session, actor, ticket, ticket_target, stamp=stamp)
        await moves.flush(session, ticket)
    await moves.flush(session, job)
    if target is JobStatus.ON_SITE:
        job.eta = stamp.occurred_at  # the estimate ends where the arrival is known
    await _after_move(
        session,
        job,
        ticket,
        stamp,
        reached=target is JobStatus.ON_SITE,
        # Only the trip's own ETA is told at once (below); in a push the rest wait for its end.
        may_defer=target is not JobStatus.EN_ROUTE,
    )
    said = _TOLD.get(target)
    if said is not None:  # the ETA is known only now, after the refresh
        moves.tell(session, actor, said, job, ticket, at=stamp.occurred_at)
    return job


_TOLD = {
    JobStatus.EN_ROUTE: EventKind.ENGINEER_EN_ROUTE,
    JobStatus.ON_SITE: EventKind.ENGINEER_ARRIVED,
}


async def _after_move(
    session: AsyncSession,
    job: Job,
    ticket: Ticket,
    stamp: Stamp,
    *,
    reached: bool,
    may_defer: bool = False,
) -> None:
    """The engineer's position and the ETAs of their remaining stops follow each move.

    The site is where the engineer was when the move happened (a later-known site stays);
    estimates run from the server's now, the arrival's service time from the arrival's time.
    """
    if job.technician_id is None:
        return
    tech = await session.get(Technician, job.technician_id)
    if tech is None:
        return
    if reached and (tech.site_at is None or tech.site_at <= stamp.occurred_at):
        address = await session.get(Address, ticket.address_id) if ticket.address_id else None
        locate.mark_site(tech, locate.address_site(address), stamp.occurred_at)
    if not (may_defer and batch.defer_eta(session, tech.id, stamp.received_at)):
        await eta.refresh(session, tech, stamp.received_at)
    await batch.flush(session)


async def accept_job(
    session: AsyncSession, actor: Actor, *, job_id: str, recorded_at: dt.datetime | None = None
) -> Job:
    """``recorded_at``: when the phone recorded the move (the server's now when not given)."""
    return await _engineer_move(
        session, actor, job_id, states.ACCEPT, JobStatus.ACCEPTED, recorded_at
    )


async def start_travel(
    session: AsyncSession, actor: Actor, *, job_id: str, recorded_at: dt.datetime | None = None
) -> Job:
    return await _engineer_move(
        session, actor, job_id, states.START_TRAVEL, JobStatus.EN_ROUTE, recorded_at
    )


async def arrive_on_site(
    session: AsyncSession, actor: Actor, *, job_id: str, recorded_at: dt.datetime | None = None
) -> Job:
    return await _engineer_move(
        session, actor, job_id, states.ARRIVE, JobStatus.ON_SITE, recorded_at
    )


async def complete_job(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    report: Mapping[str, Any],
    recorded_at: dt.datetime | None = None,
    recorded_offline: bool = False,
) -> Job:
    """File the visit's report; the ticket is completed and its follow-up call falls due.
    ``recorded_offline``: the report comes from a phone's push (effects.on_complete); a
    completion queued offline and sent through GraphQL counts as one (``queued_offline``).

    Everything dated by the visit (history, completion, the water test, the call's due time)
    takes the time the work was done, not the time the phone synced. The job's required
    files (domain/media/evidence.py) must be registered: while one is still uploading the
    evidence is PENDING and the follow-up waits for it. All of it is one transaction.
    """
    job, ticket = await _my_job(session, actor, job_id, states.COMPLETE)
    states.check(states.COMPLETE, role=actor.role, current=job.status)
    clean = effects.check_report(ticket, report)
    device_values = await site_fields.fill_ticket(session, ticket, clean)
    if ticket.type is TicketType.REPAIR:
        await fault_codes.check_fault_code(session, str(clean["fault_code"]))
        await fault_codes.check_repair_level(session, str(clean["repair_level"]))
    proof = await evidence.judge(session, job, ticket)
    stamp = await _stamp(session, job, ticket, recorded_at)
    done = stamp.occurred_at
    await effects.on_complete(
        session,
        actor,
        ticket,
        job,
        clean,
        at=done,
        recorded_offline=recorded_offline or queued_offline(stamp),
    )
    await site_fields.fill_device(session, ticket, device_values)
    job.completed_at = done
    job.report = clean
    ticket.completed_at = done
    moves.move_job(session, actor, job, JobStatus.COMPLETED, stamp=stamp)
    moves.move_ticket(session, actor, ticket, TicketStatus.COMPLETED, stamp=stamp)
    evidence.on_complete(session, actor, job, ticket, proof, stamp)
    await moves.flush(session, ticket)
    await moves.flush(session, job)
    await visit_requests.end_with_visit(session, actor, ticket)
    # The refresh never touches a closed job's own ETA: in a push it may wait for its end.
    await _after_move(session, job, ticket, stamp, reached=True, may_defer=True)
    moves.tell(session, actor, EventKind.JOB_COMPLETED, job, ticket, at=done)
    return job


async def fail_job(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    reason: str,
    recorded_at: dt.datetime | None = None,
) -> Job:
    """The visit could not be done: the ticket goes back to its dispatcher with a new job."""
    job, ticket = await _my_job(session, actor, job_id, states.FAIL)
    states.check(states.FAIL, role=actor.role, current=job.status, reason=reason)
    text = moves.reason_text(reason)
    stamp = await _stamp(session, job, ticket, recorded_at)
    moves.move_job(session, actor, job, JobStatus.FAILED, reason=text, stamp=stamp)
    moves.move_ticket(session, actor, ticket, TicketStatus.DISPATCHED, reason=text, stamp=stamp)
    await moves.flush(session, ticket)
    await moves.flush(session, job)
    await moves.new_job(session, actor, ticket)
    await _after_move(
        session, job, ticket, stamp, reached=job.arrived_at is not None, may_defer=True
    )
    return job
