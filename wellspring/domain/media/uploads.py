"""Register a job's file and hand out its upload form (confirmation.py verifies it).

The phone promises size, type and SHA-256; nothing counts until confirmation has checked the
stored object against those promises and decoded it (the store's own POST-policy checks are
not trusted: the S3 fakes, and some S3-compatible stores, keep objects that break them).
A retried registration, request or confirmation returns the same attachment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..clock import CLOCK_SLACK, EARLIEST_RECORD, clock_of
from ..config import config_of
from ..errors import DomainError
from ..inventory import former_holder
from ..models import Attachment, Job
from ..models.enums import AttachmentKind, AttachmentStatus, JobStatus
from . import config, confirmation, keys
from .port import MediaStore, UploadForm

SHA256 = re.compile(r"^[0-9a-f]{64}$")
ATTACHMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
MAX_UPLOAD_LIFETIME = dt.timedelta(minutes=15)


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
    session: AsyncSession,
    actor: Actor,
    new: NewAttachment,
    *,
    now: dt.datetime,
    held_on_device: bool = False,
) -> Attachment:
    """The attachment record (``PENDING_UPLOAD``), or the existing one with the same id.

    The same id with other promises (another job, kind, size or hash) is refused: a phone
    never reuses an id, so it is a bug or a forgery. ``held_on_device``: the caller knows
    the engineer held the job once (a sync push); a photo taken offline on a job reassigned
    since is judged as parts are (``_job_taken_on``).
    """
    permissions.check(actor, "attachment.register")
    digest = _check(new, dict(config_of(session).media.limits))
    # A photo from the future is a wrong phone clock: refused as a note's or a water test's.
    if new.taken_at is not None and new.taken_at > clock_of(session).now() + CLOCK_SLACK:
        raise DomainError("RECORDED_IN_FUTURE", field="taken_at")
    if new.taken_at is not None and new.taken_at < EARLIEST_RECORD:
        raise DomainError("RECORDED_TOO_EARLY", field="taken_at")
    existing = await session.get(Attachment, new.attachment_id) if new.attachment_id else None
    if existing is not None and existing.job_id == new.job_id:
        # the same file again (a push replayed, or its upload asked for): registered already,
        # even if the job was cancelled since (kept on it: its bytes may still come)
        job = await confirmation.uploaders_job(session, actor, existing)
    else:
        job = await _job_taken_on(session, actor, new, held_on_device=held_on_device)
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
        keys.upload(attachment),
        content_type=attachment.content_type,
        max_bytes=cfg.limits[attachment.kind],
        expires_at=expires,
    )
    await session.flush()
    return IssuedUpload(attachment, form, expires)


async def _job_taken_on(
    session: AsyncSession, actor: Actor, new: NewAttachment, *, held_on_device: bool
) -> Job:
    """The engineer's job; or, from a phone that held it, a job reassigned or cancelled since:
    the photo is kept on it if they held it when it was taken and it was open then (a fact of
    the site, for the office and the new holder), else refused for good (JOB_NOT_HELD,
    JOB_CLOSED: ``inventory.former_holder``). Online, a cancelled job takes no new file."""
    job = await session.get(Job, new.job_id) if new.job_id else None
    # A phone's own job cancelled before its photo's first push: the same rule (kept if taken
    # while open, else JOB_CLOSED), not JOB_CANCELLED, which the phone would retry forever.
    if (
        held_on_device
        and job is not None
        and job.deleted_at is None
        and (job.technician_id != actor.technician_id or job.status is JobStatus.CANCELLED)
    ):
        await former_holder.check(
            session, job, actor.technician_id, new.taken_at, held_on_device=True
        )
        return job
    return await confirmation.engineers_job(session, actor, new.job_id)


def _store(store: MediaStore | None) -> MediaStore:
    if store is None:
        raise DomainError("MEDIA_UNAVAILABLE")
    return store
