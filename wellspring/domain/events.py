"""What happened, said once by the domain, inside the transaction that made it happen.

A use case calls :func:`emit` beside its change. The event rides on the unit of work
(``session.info``) and nothing leaves the process from here: adapters outside the domain read
the pending events at the session's ``before_commit`` (to write rows that commit or roll back
with the change, such as the notifications outbox) or ``after_commit`` (to publish live
updates), and a rollback drops them (:func:`discard`). The domain therefore neither knows nor
imports who listens.

Event data is plain JSON (snake_case keys, ids and ISO times as strings), so any adapter can
store or send it as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from .models import Job, Ticket, utcnow

PENDING_KEY = "wellspring.domain_events"


class EventKind(StrEnum):
    """What happened. Add a kind where the domain first says it; adapters map kinds to
    recipients and templates."""

    TICKET_STATUS_CHANGED = "TICKET_STATUS_CHANGED"
    JOB_CREATED = "JOB_CREATED"
    JOB_STATUS_CHANGED = "JOB_STATUS_CHANGED"
    # What people are told (wellspring/domain/notifications/routing.py says who hears what).
    JOB_ASSIGNED = "JOB_ASSIGNED"  # to its engineer; with a window, the customer's appointment
    JOB_RESCHEDULED = "JOB_RESCHEDULED"  # same engineer, another window
    JOB_REASSIGNED_AWAY = "JOB_REASSIGNED_AWAY"  # technician_id: the engineer who lost it
    JOB_CANCELLED = "JOB_CANCELLED"
    ENGINEER_EN_ROUTE = "ENGINEER_EN_ROUTE"  # data.eta
    ENGINEER_ARRIVED = "ENGINEER_ARRIVED"
    JOB_COMPLETED = "JOB_COMPLETED"  # the customer is asked for a rating
    FOLLOW_UP_DUE = "FOLLOW_UP_DUE"  # periodic scan
    LOW_SCORE = "LOW_SCORE"
    RECHARGE_PAID = "RECHARGE_PAID"  # technician_id: the customer's bound service engineer
    SUPPLY_EXPIRING = "SUPPLY_EXPIRING"  # periodic scan; data.days_left
    FILTER_DUE = "FILTER_DUE"  # periodic scan
    STOCK_BELOW_SAFETY = "STOCK_BELOW_SAFETY"  # periodic scan
    STOCK_DISCREPANCY_OPENED = "STOCK_DISCREPANCY_OPENED"
    EVIDENCE_OVERDUE = "EVIDENCE_OVERDUE"  # periodic scan: a completed job's files missing
    TICKET_OVERDUE = "TICKET_OVERDUE"  # periodic scan: past its SLA deadline, to the clerks
    # Live only (domain/notifications/live.py LIVE_ONLY): never an outbox row nor a push.
    ENGINEER_POSITION = "ENGINEER_POSITION"  # data.latitude/longitude/accuracy
    # The maintenance planner's revenue reminders (domain/reports/reminders.py, issue 18).
    BUCKETS_LOW = "BUCKETS_LOW"  # a bucket-plan device is running out of water
    RECHARGE_LAPSED = "RECHARGE_LAPSED"  # a monthly plan ended and was not renewed: call back


@dataclass(frozen=True)
class DomainEvent:
    """One fact, with the ids a recipient rule or a visibility check needs."""

    kind: EventKind
    branch_id: str | None = None
    ticket_id: str | None = None
    job_id: str | None = None
    technician_id: str | None = None
    customer_id: str | None = None
    actor_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=utcnow)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def _sync(session: AsyncSession | Session) -> Session:
    return session.sync_session if isinstance(session, AsyncSession) else session


def periodic_id(kind: EventKind, object_id: str, day: dt.date) -> str:
    """The id of a periodic fact (one per object and day): a scan run twice says it once."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"wellspring:{kind.value}:{object_id}:{day}"))


def emit(session: AsyncSession | Session, event: DomainEvent) -> DomainEvent:
    """Record ``event`` in the caller's transaction; it is seen only if that commits."""
    _sync(session).info.setdefault(PENDING_KEY, []).append(event)
    return event


def pending(session: AsyncSession | Session) -> list[DomainEvent]:
    """The events of the open transaction, in the order they were emitted (a copy)."""
    return list(_sync(session).info.get(PENDING_KEY, ()))


def discard(session: AsyncSession | Session) -> list[DomainEvent]:
    """Take the pending events off the session (after a commit, or to drop them on rollback)."""
    return list(_sync(session).info.pop(PENDING_KEY, ()))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_moved(ticket: Ticket, source: Any, actor_id: str | None, at: dt.datetime) -> DomainEvent:
    return DomainEvent(
        kind=EventKind.TICKET_STATUS_CHANGED,
        branch_id=ticket.branch_id,
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        actor_id=actor_id,
        at=at,
        data={
            "number": ticket.number,
            "type": ticket.type.value,
            "from_status": source.value if source is not None else None,
            "to_status": ticket.status.value,
        },
    )


def job_event(
    kind: EventKind,
    job: Job,
    *,
    actor_id: str | None,
    at: dt.datetime,
    customer_id: str | None = None,
    **data: Any,
) -> DomainEvent:
    return DomainEvent(
        kind=kind,
        branch_id=job.branch_id,
        ticket_id=job.ticket_id,
        job_id=job.id,
        technician_id=job.technician_id,
        customer_id=customer_id,
        actor_id=actor_id,
        at=at,
        data={
            "number": job.number,
            "status": job.status.value,
            "appointment_start": _iso(job.appointment_start),
            "appointment_end": _iso(job.appointment_end),
            "eta": _iso(job.eta),
            **data,
        },
    )
