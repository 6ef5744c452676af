"""ConfirmUpload in three steps, so that no transaction is open while the file is worked on.

1. ``begin`` (a short read): who may confirm, and what the file must match (a ``Pending``).
2. ``check_file`` (no session at all): stat and read the object, SHA-256, decode, re-encode,
   write the verified bytes to the sealed key and the derivatives beside them. Seconds for a
   phone photo: on SQLite a write transaction held meanwhile would stop every other writer.
3. ``record`` (a short write): the verdict, kept only if the attachment is still waiting for
   it. The job's row and then the attachment's are locked first, so that of two confirmations
   of one upload (a retry racing the first, two taps) only one records anything: one audit
   entry, one evidence transition. The sealed and derived keys are fixed by the attachment,
   so a second file work rewrites the same objects and never adds any.
The form can rewrite the upload key until it expires, even after the verdict: what is served
is only ever the sealed copy (keys.py), written from the very bytes whose SHA-256 matched,
never copied from the upload key afterwards. Whatever writes it (a retry, a file work that
loses the race, one after a crash before ``record``) writes the promised bytes or nothing.
A caller that cannot end its transaction (a document mixing other mutations) runs the three
in it: correct, only slower for everyone else.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..config import config_of
from ..db import locked_row
from ..errors import DomainError, present
from ..models import Attachment, Job
from ..models.enums import AttachmentKind, AttachmentStatus, JobStatus
from . import evidence, keys
from .port import ImageChecker, ImageRejected, MediaStore

# A store's clock and ours may differ a little: an object written this soon after its form
# expired still counts.
STORE_SKEW = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Pending:
    """What the file work needs, read from the attachment (no ORM object: it outlives the
    session's transaction)."""

    attachment_id: str
    job_id: str
    kind: AttachmentKind
    content_type: str
    byte_size: int
    sha256: str
    upload_expires_at: dt.datetime | None
    limit: int
    store: MediaStore
    checker: ImageChecker

    def key(self, suffix: str = "") -> str:
        return keys.of(self.job_id, self.attachment_id, suffix)


@dataclass(frozen=True)
class Verdict:
    """The file work's result: ``code`` is a rejection code, or "" when the sealed original
    (``original_key``) and the derivatives are stored."""

    attachment_id: str
    code: str
    width: int | None = None
    height: int | None = None
    original_key: str = ""


async def engineers_job(session: AsyncSession, actor: Actor, job_id: str) -> Job:
    """The actor's own job (a stranger's looks missing), not cancelled."""
    job = await session.get(Job, job_id) if job_id else None
    if job is None or job.deleted_at is not None or job.technician_id != actor.technician_id:
        raise DomainError("NOT_FOUND", field="job_id")
    if job.status is JobStatus.CANCELLED:
        raise DomainError("JOB_CANCELLED", field="job_id")
    return job


async def uploaders_job(session: AsyncSession, actor: Actor, attachment: Attachment) -> Job:
    """The job of a file the actor registered. Theirs, or one reassigned or cancelled since:
    a file registered while they held the job and it was open (or kept on it by the
    former-holder rule, ``uploads.register``) is evidence kept on the job, still theirs to
    upload and confirm (the phone sends the bytes later)."""
    if attachment.uploaded_by_id != actor.user_id:
        return await engineers_job(session, actor, attachment.job_id)
    job = await session.get(Job, attachment.job_id)
    if job is None or job.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="job_id")
    return job


async def begin(session: AsyncSession, actor: Actor, *, attachment_id: str) -> Attachment | Pending:
    """The attachment when it is already decided (confirming again changes nothing), else
    what its file must match. Reads only."""
    permissions.check(actor, "attachment.confirm_upload")
    attachment = await session.get(Attachment, attachment_id) if attachment_id else None
    if attachment is None or attachment.uploaded_by_id != actor.user_id:
        raise DomainError("NOT_FOUND", field="attachment_id", id_value=attachment_id)
    await uploaders_job(session, actor, attachment)
    if attachment.status in (AttachmentStatus.VERIFIED, AttachmentStatus.REJECTED):
        return attachment
    if attachment.status is AttachmentStatus.EXPIRED:
        raise DomainError("UPLOAD_EXPIRED", field="attachment_id", id_value=attachment_id)
    cfg = config_of(session).media
    if cfg.store is None or cfg.checker is None:
        raise DomainError("MEDIA_UNAVAILABLE")
    return Pending(
        attachment_id=attachment.id,
        job_id=attachment.job_id,
        kind=attachment.kind,
        content_type=attachment.content_type,
        byte_size=attachment.byte_size,
        sha256=attachment.sha256,
        upload_expires_at=attachment.upload_expires_at,
        limit=cfg.limits[attachment.kind],
        store=cfg.store,
        checker=cfg.checker,
    )


async def check_file(pending: Pending) -> Verdict:
    """The stored object against the attachment's promises (no database). ``UPLOAD_NOT_FOUND``
    when nothing is there yet: the phone retries."""
    stored = await asyncio.to_thread(pending.store.stat, pending.key())
    if stored is None:
        raise DomainError("UPLOAD_NOT_FOUND", field="attachment_id", id_value=pending.attachment_id)
    code = _stored_mismatch(pending, stored.size, stored.content_type)
    expires = pending.upload_expires_at
    if not code and expires and stored.modified_at and stored.modified_at > expires + STORE_SKEW:
        code = "UPLOAD_EXPIRED"
    if code:
        return Verdict(pending.attachment_id, code)
    return await asyncio.to_thread(_derive, pending)


def _stored_mismatch(p: Pending, size: int, content_type: str) -> str:
    if size > p.limit:
        return "FILE_TOO_LARGE"
    if size != p.byte_size:
        return "SIZE_MISMATCH"
    if content_type.split(";")[0].strip().lower() != p.content_type:
        return "CONTENT_TYPE_MISMATCH"
    return ""


def _derive(p: Pending) -> Verdict:
    """Runs in a worker thread: hash, decode, write the sealed original and the derivatives
    (from ``data``, the bytes just hashed: the upload key may hold others by now)."""
    data = p.store.read(p.key(), max_bytes=p.limit + 1)
    if len(data) != p.byte_size:
        return Verdict(p.attachment_id, "SIZE_MISMATCH")
    if hashlib.sha256(data).hexdigest() != p.sha256:
        return Verdict(p.attachment_id, "CHECKSUM_MISMATCH")
    try:
        derived = p.checker.derive(data, content_type=p.content_type)
    except ImageRejected as rejected:
        return Verdict(p.attachment_id, rejected.code)
    sealed = p.key(keys.ORIGINAL)
    p.store.write(sealed, data, content_type=p.content_type)
    p.store.write(p.key(keys.DISPLAY), derived.display, content_type=derived.display_type)
    p.store.write(p.key(keys.THUMBNAIL), derived.thumbnail, content_type="image/jpeg")
    return Verdict(p.attachment_id, "", derived.width, derived.height, original_key=sealed)


async def record(
    session: AsyncSession, actor: Actor, verdict: Verdict, *, now: dt.datetime
) -> Attachment:
    """Keep the verdict if the attachment still waits for one; else the attachment as another
    confirmation (or the cleanup) left it. Call inside the write transaction."""
    permissions.check(actor, "attachment.confirm_upload")
    first = await session.get(Attachment, verdict.attachment_id)
    if first is None or first.uploaded_by_id != actor.user_id:
        raise DomainError("NOT_FOUND", field="attachment_id", id_value=verdict.attachment_id)
    job = present(await locked_row(session, Job, first.job_id), "the attachment's job")
    attachment = present(
        await locked_row(session, Attachment, verdict.attachment_id), "the attachment"
    )
    if attachment.status is AttachmentStatus.EXPIRED:
        # The cleanup expired it during the file work: its next pass deletes what that wrote.
        attachment.purged_at = None
        await session.flush()
        return attachment
    if attachment.status is not AttachmentStatus.PENDING_UPLOAD:
        return attachment  # decided meanwhile: nothing more to record
    if verdict.code:
        attachment.status = AttachmentStatus.REJECTED
        attachment.rejection_code = verdict.code
        audit.record(
            session, actor, "attachment.rejected", entity_type="Job", entity_id=job.id,
            attachment_id=attachment.id, code=verdict.code,
        )  # fmt: skip
        await session.flush()
        return attachment
    attachment.status = AttachmentStatus.VERIFIED
    attachment.verified_at = now
    attachment.width, attachment.height = verdict.width, verdict.height
    attachment.original_key = verdict.original_key
    audit.record(
        session, actor, "attachment.verified", entity_type="Job", entity_id=job.id,
        attachment_id=attachment.id, kind=attachment.kind.value, sha256=attachment.sha256,
    )  # fmt: skip
    await session.flush()
    await evidence.on_verified(session, actor, job, now=now)
    return attachment
