"""Register a job's file, hand out its upload form, and verify it on confirmation.

The phone promises size, type and SHA-256; nothing counts until confirmation has checked the
stored object against those promises and decoded it (the store's own POST-policy checks are
not trusted: the S3 fakes, and some S3-compatible stores, keep objects that break them).
A retried registration, request or confirmation returns the same attachment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..config import config_of
from ..errors import DomainError
from ..models import Attachment, Job
from ..models.enums import AttachmentKind, AttachmentStatus, JobStatus
from . import config, evidence, keys
from .port import ImageChecker, ImageRejected, MediaStore, UploadForm

SHA256 = re.compile(r"^[0-9a-f]{64}$")
ATTACHMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
MAX_UPLOAD_LIFETIME = dt.timedelta(minutes=15)
# A store's clock and ours may differ a little: an object written this soon after its form
# expired still counts.
STORE_SKEW = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class NewAttachment:
    job_id: str
    kind: AttachmentKind
    content_type: str
    byte_size: int
    sha256: str
    attachment_id: str | None = None  # the phone's, when it made the record offline
    taken_at: dt.datetime | None = None


@dataclass(frozen=True)
class IssuedUpload:
    attachment: Attachment
    form: UploadForm | None  # None: already verified, nothing to upload
    expires_at: dt.datetime | None


async def _engineers_job(session: AsyncSession, actor: Actor, job_id: str) -> Job:
    job = await session.get(Job, job_id) if job_id else None
    if job is None or job.deleted_at is not None or job.technician_id != actor.technician_id:
        raise DomainError("NOT_FOUND", field="job_id")
    if job.status is JobStatus.CANCELLED:
        raise DomainError("JOB_CANCELLED", field="job_id")
    return job


def _check(new: NewAttachment, limits: dict[AttachmentKind, int]) -> str:
    if new.content_type not in config.CONTENT_TYPES:
        raise DomainError("UNSUPPORTED_CONTENT_TYPE", field="content_type")
    limit = limits[new.kind]
    if new.byte_size < 1:
        raise DomainError("INVALID_FILE_SIZE", field="byte_size")
    if new.byte_size > limit:
        raise DomainError("FILE_TOO_LARGE", field="byte_size", maximum=limit)
    digest = new.sha256.strip().lower()
    if not SHA256.match(digest):
        raise DomainError("INVALID_SHA256", field="sha256")
    if new.attachment_id is not None and not ATTACHMENT_ID.match(new.attachment_id):
        raise DomainError("INVALID_ARGUMENT", field="attachment_id")
    return digest


async def register(
    session: AsyncSession, actor: Actor, new: NewAttachment, *, now: dt.datetime
) -> Attachment:
    """The attachment record (``PENDING_UPLOAD``), or the existing one with the same id.

    The same id with other promises (another job, kind, size or hash) is refused: a phone
    never reuses an id, so it is a bug or a forgery.
    """
    permissions.check(actor, "attachment.register")
    digest = _check(new, dict(config_of(session).media.limits))
    job = await _engineers_job(session, actor, new.job_id)
    if new.attachment_id is not None:
        existing = await session.get(Attachment, new.attachment_id)
        if existing is not None:
            if existing.job_id != job.id or existing.uploaded_by_id != actor.user_id:
                raise DomainError("NOT_FOUND", field="attachment_id")
            same = (existing.kind, existing.content_type, existing.byte_size, existing.sha256)
            if same != (new.kind, new.content_type, new.byte_size, digest):
                raise DomainError("ATTACHMENT_CONFLICT", field="attachment_id")
            return existing
    attachment = Attachment(
        job_id=job.id,
        kind=new.kind,
        content_type=new.content_type,
        byte_size=new.byte_size,
        sha256=digest,
        taken_at=new.taken_at,
        uploaded_by_id=actor.user_id,
        rejection_code="",
    )
    if new.attachment_id is not None:
        attachment.id = new.attachment_id
    session.add(attachment)
    await session.flush()
    return attachment


async def request_upload(
    session: AsyncSession, actor: Actor, new: NewAttachment, *, now: dt.datetime
) -> IssuedUpload:
    """An upload form for the attachment (registered here if new). Asked again, a fresh form
    for the same key; a verified attachment needs none; a rejected one is final (the phone
    takes a new id)."""
    permissions.check(actor, "attachment.request_upload")
    cfg = config_of(session).media
    store = _store(cfg.store)
    attachment = await register(session, actor, new, now=now)
    if attachment.status is AttachmentStatus.VERIFIED:
        return IssuedUpload(attachment, None, None)
    if attachment.status is AttachmentStatus.REJECTED:
        raise DomainError("ATTACHMENT_REJECTED", field="attachment_id")
    expires = now + min(cfg.upload_lifetime, MAX_UPLOAD_LIFETIME)
    attachment.status = AttachmentStatus.PENDING_UPLOAD
    attachment.upload_expires_at = expires
    attachment.purged_at = None  # an expired one asked again starts over
    form = store.presign_upload(
        keys.original(attachment),
        content_type=attachment.content_type,
        max_bytes=cfg.limits[attachment.kind],
        expires_at=expires,
    )
    await session.flush()
    return IssuedUpload(attachment, form, expires)


def _store(store: MediaStore | None) -> MediaStore:
    if store is None:
        raise DomainError("MEDIA_UNAVAILABLE")
    return store


async def confirm_upload(
    session: AsyncSession, actor: Actor, *, attachment_id: str, now: dt.datetime
) -> Attachment:
    """Check the stored object and keep it (``VERIFIED``) or refuse it (``REJECTED`` with a
    code; never served, deleted by the cleanup). Confirming again changes nothing."""
    permissions.check(actor, "attachment.confirm_upload")
    attachment = await session.get(Attachment, attachment_id) if attachment_id else None
    if attachment is None or attachment.uploaded_by_id != actor.user_id:
        raise DomainError("NOT_FOUND", field="attachment_id")
    job = await _engineers_job(session, actor, attachment.job_id)
    if attachment.status in (AttachmentStatus.VERIFIED, AttachmentStatus.REJECTED):
        return attachment
    if attachment.status is AttachmentStatus.EXPIRED:
        raise DomainError("UPLOAD_EXPIRED", field="attachment_id")
    cfg = config_of(session).media
    store = _store(cfg.store)
    if cfg.checker is None:
        raise DomainError("MEDIA_UNAVAILABLE")
    stored = await asyncio.to_thread(store.stat, keys.original(attachment))
    if stored is None:
        raise DomainError("UPLOAD_NOT_FOUND", field="attachment_id")  # not there yet: retry
    limit = cfg.limits[attachment.kind]
    code = _stored_mismatch(attachment, stored.size, stored.content_type, limit)
    expires = attachment.upload_expires_at
    if not code and expires and stored.modified_at and stored.modified_at > expires + STORE_SKEW:
        code = "UPLOAD_EXPIRED"
    if not code:
        code = await asyncio.to_thread(_derive, store, cfg.checker, attachment, limit)
    if code:
        attachment.status = AttachmentStatus.REJECTED
        attachment.rejection_code = code
        audit.record(
            session, actor, "attachment.rejected", entity_type="Job", entity_id=job.id,
            attachment_id=attachment.id, code=code,
        )  # fmt: skip
        await session.flush()
        return attachment
    attachment.status = AttachmentStatus.VERIFIED
    attachment.verified_at = now
    audit.record(
        session, actor, "attachment.verified", entity_type="Job", entity_id=job.id,
        attachment_id=attachment.id, kind=attachment.kind.value, sha256=attachment.sha256,
    )  # fmt: skip
    await session.flush()
    await evidence.on_verified(session, actor, job, now=now)
    return attachment


def _stored_mismatch(a: Attachment, size: int, content_type: str, limit: int) -> str:
    if size > limit:
        return "FILE_TOO_LARGE"
    if size != a.byte_size:
        return "SIZE_MISMATCH"
    if content_type.split(";")[0].strip().lower() != a.content_type:
        return "CONTENT_TYPE_MISMATCH"
    return ""


def _derive(store: MediaStore, checker: ImageChecker, a: Attachment, limit: int) -> str:
    """Runs in a worker thread: hash, decode, write the derivatives. A rejection's code, or
    "" when the derivatives are stored."""
    data = store.read(keys.original(a), max_bytes=limit + 1)
    if len(data) != a.byte_size:
        return "SIZE_MISMATCH"
    if hashlib.sha256(data).hexdigest() != a.sha256:
        return "CHECKSUM_MISMATCH"
    try:
        derived = checker.derive(data, content_type=a.content_type)
    except ImageRejected as rejected:
        return rejected.code
    store.write(keys.display(a), derived.display, content_type=derived.display_type)
    store.write(keys.thumbnail(a), derived.thumbnail, content_type="image/jpeg")
    a.width, a.height = derived.width, derived.height
    return ""
