"""Tickets (工单), the jobs that carry them out (派工单), their histories and follow-ups (回访)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CodeString, Record, utcnow
from .enums import (
    OPEN_JOBS_SQL,
    Channel,
    Dissatisfaction,
    EvidenceStatus,
    FollowUpSource,
    FollowUpStatus,
    JobStatus,
    Priority,
    TicketStatus,
    TicketType,
    enum_column,
)


class Ticket(Record, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_branch_created", "branch_id", "created_at", "id"),
        Index("ix_tickets_created", "created_at", "id"),
        Index("ix_tickets_status_due", "status", "due_at"),
        # Reports by when the work was done (first-time fix, recharges): issue 18.
        Index("ix_tickets_type_completed", "type", "completed_at"),
    )
    # HQ's extra fields (``domain/custom_fields``), by key; None until one is set.
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[TicketType] = mapped_column(enum_column(TicketType))
    status: Mapped[TicketStatus] = mapped_column(
        enum_column(TicketStatus), default=TicketStatus.CREATED
    )
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.NORMAL)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.HOTLINE)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"))
    device_id: Mapped[str | None] = mapped_column(
        ForeignKey("devices.id"), index=True, default=None
    )
    card_id: Mapped[str | None] = mapped_column(ForeignKey("account_cards.id"), default=None)
    address_id: Mapped[str | None] = mapped_column(ForeignKey("addresses.id"), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    handler_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    department: Mapped[str] = mapped_column(String(50), default="")
    due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # When the work was done (the engineer's phone time, or the desk's resolution): the SLA
    # judges a finished ticket by it, whatever the clock says later.
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    # Indexed: a visit's linkedFrom looks up the complaints pointing at it.
    linked_ticket_id: Mapped[str | None] = mapped_column(
        ForeignKey("tickets.id"), index=True, default=None
    )
    # What the caller asked for, by type: the install's card, model and serial, a recharge's
    # plan, a move's new address ... (validated by the workflow services, never free-form).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The agent the hotline opened it through (its customer; only its engineers go), if any.
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), default=None)
    # Optimistic concurrency: every UPDATE names the revision it read (SQLAlchemy's
    # version_id_col), so of two dispatchers acting at once one wins and the other is told.
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": revision}


def _same_as(column: str):  # type: ignore[no-untyped-def]
    """A default taken from another column of the row written (or now, if it has none)."""

    def default(context: DefaultExecutionContext) -> dt.datetime:
        value = context.get_current_parameters().get(column)  # type: ignore[no-untyped-call]
        if not isinstance(value, dt.datetime):
            return utcnow()
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)

    return default


class _Timed:
    """The times of a step: ``at`` is when it happened (``occurred_at``: the phone's time for
    an engineer's move), ``received_at`` when the server learned it (the same unless synced
    later), ``reported_at`` the phone's own value and ``time_flag`` why it was clamped, if it
    was (see domain/workflow/clock_rules.py)."""

    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_at: Mapped[dt.datetime] = mapped_column(default=_same_as("at"))
    reported_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    time_flag: Mapped[str] = mapped_column(String(32), default="")

    @property
    def occurred_at(self) -> dt.datetime:
        return self.at


class TicketStatusChange(_Timed, Record, Base):
    """One row per transition: from, to, who, when, why. Append-only."""

    __tablename__ = "ticket_status_changes"
    __table_args__ = (Index("ix_ticket_status_changes_ticket_at", "ticket_id", "at"),)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    from_status: Mapped[TicketStatus | None] = mapped_column(
        enum_column(TicketStatus), default=None
    )
    to_status: Mapped[TicketStatus] = mapped_column(enum_column(TicketStatus))
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    reason: Mapped[str] = mapped_column(String(500), default="")


class Job(Record, Base):
    """A field visit carrying out a ticket: engineer, appointment window, status trail."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_technician_status", "technician_id", "status"),
        # An engineer's open jobs by appointment, and nothing else: SuggestTechnicians counts
        # them per nearby engineer from this index alone (issue 19 §3). A query uses it only
        # when it states ``OPEN_JOBS_SQL`` itself (``dispatch/nearby.py``).
        Index(
            "ix_jobs_open_by_technician",
            "technician_id",
            "appointment_start",
            postgresql_where=text(OPEN_JOBS_SQL),
            sqlite_where=text(OPEN_JOBS_SQL),
        ),
        # The lists' keyset order, company-wide and per branch (issue 19 §3).
        Index("ix_jobs_created", "created_at", "id"),
        Index("ix_jobs_branch_created", "branch_id", "created_at", "id"),
        Index("ix_jobs_completed", "completed_at"),  # engineer performance by period
    )
    number: Mapped[str] = mapped_column(String(32), unique=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)
    technician_id: Mapped[str | None] = mapped_column(ForeignKey("technicians.id"), default=None)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.PENDING)
    appointment_start: Mapped[dt.datetime | None] = mapped_column(default=None)
    appointment_end: Mapped[dt.datetime | None] = mapped_column(default=None)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    started_travel_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    # The completion report the engineer filed (fields by ticket type).
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # An install's signed confirmation form (确认单): its number is the install order number.
    confirmation_number: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    # The applied route plan: the stop's place in the engineer's day, the planned arrival and
    # the current estimate (recomputed as the engineer moves).
    route_plan_id: Mapped[str | None] = mapped_column(ForeignKey("route_plans.id"), default=None)
    route_position: Mapped[int | None] = mapped_column(Integer, default=None)
    planned_arrival: Mapped[dt.datetime | None] = mapped_column(default=None)
    eta: Mapped[dt.datetime | None] = mapped_column(default=None)
    eta_updated_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # A completed job's photos, signature and form (domain/media/evidence.py): PENDING while a
    # required file is still uploading, COMPLETE once every one is verified (and only then
    # does the follow-up fall due); None before completion.
    evidence: Mapped[EvidenceStatus | None] = mapped_column(
        enum_column(EvidenceStatus), default=None
    )
    evidence_complete_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": revision}


class JobStatusChange(_Timed, Record, Base):
    __tablename__ = "job_status_changes"
    __table_args__ = (Index("ix_job_status_changes_job_at", "job_id", "at"),)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"))
    from_status: Mapped[JobStatus | None] = mapped_column(enum_column(JobStatus), default=None)
    to_status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus))
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    reason: Mapped[str] = mapped_column(String(500), default="")
    # The engineer who held the job from this step on (None: nobody, or a step written before
    # this was kept): the assignment history that tells whose offline work a job may take.
    technician_id: Mapped[str | None] = mapped_column(ForeignKey("technicians.id"), default=None)


class FollowUp(Record, Base):
    """The call back after completed work; the customer's score closes the ticket."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_recorded", "recorded_at"),)  # CSAT by period
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus), default=FollowUpStatus.DUE
    )
    due_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    dissatisfaction: Mapped[Dissatisfaction | None] = mapped_column(
        enum_column(Dissatisfaction), default=None
    )
    comment: Mapped[str] = mapped_column(String(1000), default="")
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Who gave the score: the hotline's call, or the customer on the tracking page.
    source: Mapped[FollowUpSource] = mapped_column(
        enum_column(FollowUpSource), default=FollowUpSource.HOTLINE
    )


class JobEvent(Record, Base):
    """A move the engineer's phone recorded (arrived at 10:42 ...), as it was sent.

    ``recorded_at`` is the phone's clock as sent; ``occurred_at`` the time the move was kept at
    (``recorded_at`` unless clamped, then ``time_flag`` says why); ``received_at`` is when the
    server received it. The event's id is the phone's, so a replayed push finds it and changes
    nothing. Only events the workflow accepted are kept; a refused one is sent back to the
    phone with its reason.
    """

    __tablename__ = "job_events"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[dt.datetime] = mapped_column()
    occurred_at: Mapped[dt.datetime] = mapped_column(default=_same_as("recorded_at"))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    time_flag: Mapped[str] = mapped_column(String(32), default="")


class JobNote(Record, Base):
    """A note an engineer wrote on a job (from the phone, often offline)."""

    __tablename__ = "job_notes"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column()


class FaultCode(Record, Base):
    """A fault code a repair report names (故障代码): HQ edits the list, never deletes a code
    (a retired one is deactivated, so old reports still read)."""

    __tablename__ = "fault_codes"
    code: Mapped[str] = mapped_column(CodeString(16), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)


class RepairLevelEntry(Record, Base):
    """A repair level a report names (维修等级), like fault codes: HQ edits the list and its
    order, never deletes a level (a retired one is deactivated; old reports keep it)."""

    __tablename__ = "repair_levels"
    code: Mapped[str] = mapped_column(CodeString(16), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class TicketCount(Base):
    """How many live tickets each branch holds per status and type (issue 19 §3).

    Kept by ``domain/ticket_counts.py`` at every commit that opens, moves, retypes or deletes
    a ticket, so a list's ``totalCount`` is a sum over a few rows instead of a scan.
    """

    __tablename__ = "ticket_counts"
    branch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[TicketStatus] = mapped_column(enum_column(TicketStatus), primary_key=True)
    type: Mapped[TicketType] = mapped_column(enum_column(TicketType), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
