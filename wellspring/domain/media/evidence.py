"""What a completed job must carry, and when its evidence is complete.

An install needs the customer's signature and the signed form's photo; a water test its
meter or strip photo; a repair its fault photo when configured (config.required). A
completion whose files are registered but still uploading is accepted with evidence
``PENDING``; it becomes ``COMPLETE`` when the last required file is verified, and only then
does the follow-up call fall due.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import Actor
from ..config import config_of
from ..errors import DomainError, present
from ..models import Attachment, Job, Ticket
from ..models.enums import AttachmentKind, AttachmentStatus, EvidenceStatus, TicketStatus
from ..workflow import clock_rules, follow_ups, moves
from ..workflow.clock_rules import Stamp

LIVE = (AttachmentStatus.PENDING_UPLOAD, AttachmentStatus.VERIFIED)


def required(session: AsyncSession, ticket: Ticket) -> frozenset[AttachmentKind]:
    return config_of(session).media.required.get(ticket.type, frozenset())


async def _kinds(session: AsyncSession, job: Job) -> dict[AttachmentKind, set[AttachmentStatus]]:
    rows = await session.execute(
        select(Attachment.kind, Attachment.status).where(
            Attachment.job_id == job.id, Attachment.deleted_at.is_(None)
        )
    )
    found: dict[AttachmentKind, set[AttachmentStatus]] = {}
    for kind, status in rows:
        found.setdefault(kind, set()).add(status)
    return found


async def judge(session: AsyncSession, job: Job, ticket: Ticket) -> EvidenceStatus:
    """At completion: ``COMPLETE``, ``PENDING`` (a required file is registered but not yet
    verified), or ``EVIDENCE_MISSING`` when a required kind has no live file at all."""
    need = required(session, ticket)
    if need:  # a confirmation of this job's files waits for this completion (confirmation.py)
        await session.flush()
        await session.execute(select(Job.id).where(Job.id == job.id).with_for_update())
    found = await _kinds(session, job)
    missing = sorted(k.value for k in need if not found.get(k, set()) & set(LIVE))
    if missing:
        raise DomainError("EVIDENCE_MISSING", field="attachments", kinds=", ".join(missing))
    done = all(AttachmentStatus.VERIFIED in found[k] for k in need)
    return EvidenceStatus.COMPLETE if done else EvidenceStatus.PENDING


def on_complete(
    session: AsyncSession,
    actor: Actor,
    job: Job,
    ticket: Ticket,
    status: EvidenceStatus,
    completed: Stamp,
) -> None:
    """The job was just completed with evidence ``status``: the follow-up falls due now only
    when nothing is pending."""
    job.evidence = status
    if status is EvidenceStatus.COMPLETE:
        job.evidence_complete_at = completed.occurred_at
        follow_ups.fall_due(session, actor, ticket, completed)


async def on_verified(session: AsyncSession, actor: Actor, job: Job, *, now: dt.datetime) -> None:
    """A file of ``job`` was just verified: a completion waiting for it may be complete."""
    if job.evidence is not EvidenceStatus.PENDING:
        return
    ticket = present(await session.get(Ticket, job.ticket_id), "the job's ticket")
    need = required(session, ticket)
    found = await _kinds(session, job)
    if not all(AttachmentStatus.VERIFIED in found.get(k, set()) for k in need):
        return
    job.evidence = EvidenceStatus.COMPLETE
    job.evidence_complete_at = now
    if ticket.status is TicketStatus.COMPLETED:
        follow_ups.fall_due(session, actor, ticket, clock_rules.server_stamp(now))
        await moves.flush(session, ticket)
    audit.record(session, actor, "job.evidence_complete", entity_type="Job", entity_id=job.id)
    await moves.flush(session, job)
