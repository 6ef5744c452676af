"""What an engineer records on their own jobs, often offline: moves with the phone's time,
notes, water-test readings, a new appointment agreed with the customer.

Each record carries the phone's id, so the same record sent again (a push retried after a
lost answer) finds the first one and changes nothing.

A job reassigned while the phone was offline (``held_on_device``: a sync push names only
jobs its installation was sent): its notes and water tests are facts of the site, kept on the
job when the engineer held it by the phone's time, as parts are (``inventory.former_holder``);
its moves would move someone else's job, and are refused for good (``JOB_NOT_HELD``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, water
from ..actor import Actor
from ..clock import CLOCK_SLACK, EARLIEST_RECORD, clock_of
from ..db import locked_row
from ..dispatch import bookings, eta
from ..errors import DomainError
from ..events import EventKind
from ..inventory import former_holder
from ..models import Job, JobEvent, JobNote, JobStatusChange, Technician, Ticket, WaterTest
from ..models.enums import JobStatus, TicketStatus
from ..sync import batch
from . import dispatching, engineer_moves, moves, states, water_tests

_TARGET = {
    "ACCEPT": JobStatus.ACCEPTED,
    "START_TRAVEL": JobStatus.EN_ROUTE,
    "ARRIVE": JobStatus.ON_SITE,
    "COMPLETE": JobStatus.COMPLETED,
    "FAIL": JobStatus.FAILED,
}
ACTIONS = tuple(_TARGET)
MAX_NOTE = 2000


def _recorded(value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if value is None:
        return now
    if value > now + CLOCK_SLACK:
        raise DomainError("RECORDED_IN_FUTURE", field="recorded_at")
    if value < EARLIEST_RECORD:
        raise DomainError("RECORDED_TOO_EARLY", field="recorded_at")
    return value


async def _my_job(session: AsyncSession, actor: Actor, job_id: str, *, lock: bool = False) -> Job:
    job = await (locked_row(session, Job, job_id) if lock else session.get(Job, job_id))
    if job is None or job.deleted_at is not None or job.technician_id != actor.technician_id:
        raise DomainError("NOT_FOUND", field="job_id")
    return job


async def _job_recorded_on(
    session: AsyncSession,
    actor: Actor,
    job_id: str,
    recorded_at: dt.datetime,
    *,
    held_on_device: bool,
) -> tuple[Job, bool]:
    """The job a note or water test goes on, and whether the engineer is its former holder
    (their record is kept if they held it at ``recorded_at``; else JOB_NOT_HELD/JOB_CLOSED)."""
    job = await session.get(Job, job_id)
    if job is None or job.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="job_id")
    if job.technician_id == actor.technician_id:
        return job, False
    if not held_on_device:
        raise DomainError("NOT_FOUND", field="job_id")
    await former_holder.check(session, job, actor.technician_id, recorded_at, held_on_device=True)
    return job, True


async def _not_a_former_holder(
    session: AsyncSession, actor: Actor, job_id: str, *, held_on_device: bool
) -> None:
    """A move from a phone whose engineer lost the job (reassigned, or unassigned, while it
    was offline) must not move the job of whoever holds it now: refused for good, as no retry
    can make it the engineer's again (the client drops it; docs/sync.md, "Final rejections")."""
    if not held_on_device or actor.technician_id is None:
        return
    job = await session.get(Job, job_id)
    if job is not None and job.deleted_at is None and job.technician_id != actor.technician_id:
        raise DomainError("JOB_NOT_HELD", field="job_id", number=job.number)


async def record_job_event(
    session: AsyncSession,
    actor: Actor,
    *,
    event_id: str,
    job_id: str,
    action: str,
    reason: str = "",
    report: Mapping[str, Any] | None = None,
    recorded_at: dt.datetime | None = None,
    held_on_device: bool = False,
) -> JobEvent:
    """A move made on the phone, applied through the same use case as the GraphQL mutation.
    ``held_on_device``: the caller knows the engineer held the job once (see the module)."""
    permissions.check(actor, "job.record_event")
    earlier = await batch.get(session, JobEvent, event_id)
    if earlier is not None:
        if earlier.actor_id != actor.user_id or earlier.job_id != job_id:
            raise DomainError("ID_TAKEN", field="id")
        return earlier
    if action not in ACTIONS:
        raise DomainError("INVALID_ARGUMENT", field="action")
    await _not_a_former_holder(session, actor, job_id, held_on_device=held_on_device)
    job = await _my_job(session, actor, job_id)
    if job.status in former_holder.CLOSED:
        # No move leaves a completed, failed or cancelled job (states.py): no retry can apply
        # it, so it is final (the phone drops it and keeps the reason), not INVALID_TRANSITION.
        raise DomainError("JOB_CLOSED", field="job_id", number=job.number)
    at = recorded_at or clock_of(session).now()
    batch.take_step(session, JobStatusChange, job_id, _TARGET[action])  # none stale
    match action:
        case "ACCEPT":
            await engineer_moves.accept_job(session, actor, job_id=job_id, recorded_at=at)
        case "START_TRAVEL":
            await engineer_moves.start_travel(session, actor, job_id=job_id, recorded_at=at)
        case "ARRIVE":
            await engineer_moves.arrive_on_site(session, actor, job_id=job_id, recorded_at=at)
        case "COMPLETE":
            await engineer_moves.complete_job(
                session,
                actor,
                job_id=job_id,
                report=report or {},
                recorded_at=at,
                recorded_offline=True,  # its filter stages are the ones the phone pulled
            )
        case "FAIL":
            await engineer_moves.fail_job(
                session, actor, job_id=job_id, reason=reason, recorded_at=at
            )
    # The move's history row holds the time it was kept at (clamped, if the phone's was wrong).
    step = batch.take_step(session, JobStatusChange, job_id, _TARGET[action])
    if step is None:
        step = (
            await session.execute(
                select(JobStatusChange)
                .where(
                    JobStatusChange.job_id == job_id, JobStatusChange.to_status == _TARGET[action]
                )
                .order_by(JobStatusChange.created_at.desc(), JobStatusChange.at.desc())
                .limit(1)
            )
        ).scalar_one()
    event = JobEvent(
        id=event_id,
        job_id=job_id,
        actor_id=actor.user_id,
        action=action,
        reason=reason[:500],
        report=dict(report or {}),
        recorded_at=at,
        occurred_at=step.at,
        received_at=step.received_at,
        time_flag=step.time_flag,
    )
    batch.add(session, event)
    await batch.flush(session)
    return event


async def add_job_note(
    session: AsyncSession,
    actor: Actor,
    *,
    note_id: str,
    job_id: str,
    body: str,
    recorded_at: dt.datetime | None = None,
    held_on_device: bool = False,
) -> JobNote:
    # Every check comes before the first write: a phone's push applies notes without a
    # savepoint on that promise (mobile_sync/push.py CHECKS_FIRST).
    permissions.check(actor, "job.add_note")
    earlier = await batch.get(session, JobNote, note_id)
    if earlier is not None:
        if earlier.author_id != actor.user_id or earlier.job_id != job_id:
            raise DomainError("ID_TAKEN", field="id")
        return earlier
    text = body.strip()
    if not text:
        raise DomainError("REQUIRED", field="body")
    if len(text) > MAX_NOTE:
        raise DomainError("VALUE_TOO_LONG", field="body", maximum=MAX_NOTE)
    at = _recorded(recorded_at, clock_of(session).now())
    job, former = await _job_recorded_on(session, actor, job_id, at, held_on_device=held_on_device)
    note = JobNote(id=note_id, job_id=job_id, author_id=actor.user_id, body=text, recorded_at=at)
    batch.add(session, note)
    await batch.flush(session)
    held = {"job_held_by": job.technician_id} if former else {}
    audit.record(session, actor, "job.note_added", entity_type="Job", entity_id=job_id, **held)
    return note


async def record_water_test(
    session: AsyncSession,
    actor: Actor,
    *,
    test_id: str,
    job_id: str,
    readings: water.Readings,
    recorded_at: dt.datetime | None = None,
    held_on_device: bool = False,
) -> WaterTest:
    """Readings taken during a visit (any type), judged against the thresholds; a failing
    test opens a filter-change ticket, as one in a completion report does. A former holder's
    readings are taken whatever the job's status now: it is the new holder's, and the
    former one's arrival, a move, was not applied to it (``_not_a_former_holder``)."""
    permissions.check(actor, "job.record_water_test")
    earlier = await batch.get(session, WaterTest, test_id)
    if earlier is not None:
        if earlier.job_id != job_id:
            raise DomainError("ID_TAKEN", field="id")
        return earlier
    at = _recorded(recorded_at, clock_of(session).now())
    job, former = await _job_recorded_on(session, actor, job_id, at, held_on_device=held_on_device)
    if not former and job.status not in (JobStatus.ON_SITE, JobStatus.COMPLETED):
        raise DomainError("INVALID_TRANSITION", action="water_test", status=job.status.value)
    ticket = await session.get(Ticket, job.ticket_id)
    if ticket is None or ticket.device_id is None:
        raise DomainError("DEVICE_REQUIRED", field="job_id")
    test, _ = await water_tests.record(
        session,
        actor,
        ticket=ticket,
        job=job,
        readings=readings,
        tested_at=at,
        test_id=test_id,
        sent_at="",  # a pushed water_tests record: the readings are its columns
    )
    return test


async def reschedule_by_engineer(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    seen_version: int,
) -> Job:
    """The engineer agreed a window (预约) with the customer: the ticket is APPOINTED, its
    history says by whom and when, and the customer is told, as when a clerk agrees it.

    The dispatcher's word wins: if the job was assigned or rescheduled on the server after the
    version the phone had seen, the phone's window is refused (``CHANGED_ON_SERVER``) and the
    phone's next pull brings the dispatcher's.
    """
    permissions.check(actor, "job.reschedule")
    job = await _my_job(session, actor, job_id)
    if (job.appointment_start, job.appointment_end) == (start, end):
        return job  # nothing to change (a replay, or the same window)
    if start is None and end is None:
        # An agreed time is moved, never taken back from the phone: the customer was told it.
        raise DomainError("APPOINTMENT_WINDOW_INVALID", field="appointment_start")
    # Held in the order a dispatcher's change writes them (the ticket, then its job): a
    # reassignment or cancellation committing meanwhile is waited for and read below, where
    # it was overwritten (or failed the job's versioned UPDATE).
    ticket = await locked_row(session, Ticket, job.ticket_id)
    job = await _my_job(session, actor, job_id, lock=True)
    if ticket is None or job.status not in (JobStatus.ASSIGNED, JobStatus.ACCEPTED):
        raise DomainError("INVALID_TRANSITION", action="reschedule", status=job.status.value)
    changed_later = await session.scalar(
        select(
            exists().where(
                JobStatusChange.job_id == job.id,
                JobStatusChange.to_status == JobStatus.ASSIGNED,
                JobStatusChange.version > seen_version,
            )
        )
    )
    if changed_later:
        raise DomainError("CHANGED_ON_SERVER", field="appointment_start")
    dispatching.check_window(start, end, clock_of(session).now())
    technician = await session.get(Technician, job.technician_id)
    if technician is not None and start is not None and end is not None:
        # As a dispatcher's booking: in the engineer's hours (only a dispatcher may overrule).
        bookings.check_shift(technician, start, end)
    first = job.appointment_start is None
    job.appointment_start, job.appointment_end = start, end
    eta.clear_route(job)  # a route position no longer holds once the window moves
    moves.move_ticket(
        session, actor, ticket, TicketStatus.APPOINTED, reason=states.system_reason("AGREED")
    )
    await moves.flush(session, ticket)
    audit.record(
        session,
        actor,
        "job.rescheduled",
        entity_type="Job",
        entity_id=job.id,
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
    )
    # The customer hears the appointment (a first window) or its new time; the engineer,
    # who made it, is not told (notifications/routing.py).
    said = EventKind.JOB_ASSIGNED if first else EventKind.JOB_RESCHEDULED
    moves.tell(session, actor, said, job, ticket)
    return job
