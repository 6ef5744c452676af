"""What each caller sees of a job's files, with URLs signed for that caller.

The job itself is already in the caller's scope (domain/policy.py: a customer's own visits,
an agent's customers', an engineer's jobs, a branch's). Customers and agents see verified
files only, and only their stripped derivatives; staff see every file with its status and
may ask for the original, each such read audited. A URL expires with ``url_lifetime``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, policy
from ..actor import Actor
from ..config import config_of
from ..errors import PermissionDenied
from ..models import Attachment, Job
from ..models.enums import AttachmentStatus, EvidenceStatus, Role
from ..pagination import Page, SortKey, paginate
from . import keys
from .config import MediaConfig

# Who may read a stored original (with its metadata): staff with access to the job; each read
# is audited. Customers and agents get only the stripped copies.
ORIGINAL_READERS = frozenset({Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK, Role.TECHNICIAN})


@dataclass(frozen=True)
class AttachmentView:
    attachment: Attachment
    url: str | None  # the stripped, re-encoded file
    thumbnail_url: str | None
    may_read_original: bool


def views(
    actor: Actor, rows: Iterable[Attachment], *, cfg: MediaConfig, now: dt.datetime
) -> list[AttachmentView]:
    """The files as the caller sees them (``rows`` already in the caller's scope:
    policy.attachments_scope), each verified one with URLs signed until ``now`` + lifetime."""
    expires = now + cfg.url_lifetime
    out = []
    for a in rows:
        url = thumb = None
        if a.status is AttachmentStatus.VERIFIED and cfg.store is not None:
            url = cfg.store.signed_url(keys.display(a), expires_at=expires)
            thumb = cfg.store.signed_url(keys.thumbnail(a), expires_at=expires)
        out.append(AttachmentView(a, url, thumb, actor.role in ORIGINAL_READERS))
    return out


async def for_job(
    session: AsyncSession, actor: Actor, job: Job, *, now: dt.datetime
) -> list[AttachmentView]:
    """The job's files the caller may see, oldest first."""
    stmt = select(Attachment).where(
        Attachment.job_id == job.id,
        Attachment.deleted_at.is_(None),
        policy.scope(Attachment, actor),
    )
    rows = (await session.execute(stmt.order_by(Attachment.created_at, Attachment.id))).scalars()
    return views(actor, rows, cfg=config_of(session).media, now=now)


async def confirmed(
    session: AsyncSession, actor: Actor, attachment: Attachment, *, now: dt.datetime
) -> AttachmentView | None:
    """A confirmed file as its caller sees it; to an uploader who no longer sees the job (a
    former holder: media/uploads.py), its status alone, without any URL."""
    job = await session.get(Job, attachment.job_id)
    if job is not None:
        for view in await for_job(session, actor, job, now=now):
            if view.attachment.id == attachment.id:
                return view
    if attachment.uploaded_by_id == actor.user_id:
        return AttachmentView(attachment, None, None, False)
    return None


def original_url(
    session: AsyncSession,
    actor: Actor,
    attachment: Attachment,
    *,
    job: Job | None,
    now: dt.datetime,
) -> str | None:
    """The stored original (with its metadata) for staff who see the job; audited.

    ``job`` is the attachment's job as the caller may see it (``policy.jobs_scope``; None when
    they may not): the caller loads it, batched for every file of an answer, so a page of
    files costs no statement per file. The audit row is written with the caller's commit.
    """
    if actor.role not in ORIGINAL_READERS:
        raise PermissionDenied
    cfg = config_of(session).media
    store = cfg.store
    visible = job is not None and job.id == attachment.job_id
    if not visible or attachment.status is not AttachmentStatus.VERIFIED or store is None:
        return None
    audit.record(
        session, actor, "attachment.original_read", entity_type="Job",
        entity_id=attachment.job_id, attachment_id=attachment.id,
    )  # fmt: skip
    return store.signed_url(keys.original(attachment), expires_at=now + cfg.url_lifetime)


async def overdue_evidence(
    session: AsyncSession,
    actor: Actor,
    *,
    now: dt.datetime,
    first: int | None,
    after: str | None,
) -> Page[Job]:
    """Dispatchers: completed jobs whose evidence is still pending past the allowed delay,
    longest waiting first."""
    permissions.check(actor, "evidence.overdue_list")
    cutoff = now - config_of(session).media.evidence_overdue_after
    stmt = select(Job).where(
        Job.evidence == EvidenceStatus.PENDING,
        Job.completed_at <= cutoff,
        Job.deleted_at.is_(None),
        policy.jobs_scope(actor),
    )
    order = (SortKey(Job.completed_at), SortKey(Job.id))
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=lambda j: (j.completed_at, j.id),
    )
