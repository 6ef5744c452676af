"""Import files through the media store instead of inside the GraphQL request.

HQ asks for an upload form (``RequestImportUpload``: name, type, size and SHA-256 promised),
posts the file straight to the store under ``imports/<id>``, then names the upload in
``StartImport(uploadId:)``. Reading it is the confirmation: the stored object must match
every promise (size, type, SHA-256) and have arrived before its form expired. An upload may
be imported again (the same bytes resume or repeat the same run).
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
from ..media.port import MediaStore, UploadForm
from ..models import ImportUpload
from ..models.enums import AttachmentStatus

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = (CSV, XLSX)
SHA256 = re.compile(r"^[0-9a-f]{64}$")
LIFETIME_CAP = dt.timedelta(minutes=15)
STORE_SKEW = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class NewImportUpload:
    file_name: str
    content_type: str
    byte_size: int
    sha256: str


@dataclass(frozen=True)
class IssuedImportUpload:
    upload: ImportUpload
    form: UploadForm
    expires_at: dt.datetime


def key(upload: ImportUpload) -> str:
    return f"imports/{upload.id}"


def _store(session: AsyncSession) -> MediaStore:
    store = config_of(session).media.store
    if store is None:
        raise DomainError("IMPORT_STORE_UNAVAILABLE")
    return store


async def request_upload(
    session: AsyncSession, actor: Actor, new: NewImportUpload, *, now: dt.datetime
) -> IssuedImportUpload:
    """A record (``PENDING_UPLOAD``) and a presigned form for one CSV or XLSX file."""
    permissions.check(actor, "import.upload")
    cfg = config_of(session).media
    name = (new.file_name or "").strip()
    if not name:
        raise DomainError("IMPORT_REQUIRED", field="file_name")
    if len(name) > 255:
        raise DomainError("IMPORT_TOO_LONG", field="file_name", maximum=255)
    content_type = (new.content_type or "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise DomainError("IMPORT_UNSUPPORTED_CONTENT_TYPE", field="content_type")
    if new.byte_size < 1:
        raise DomainError("IMPORT_EMPTY_FILE", field="byte_size")
    if new.byte_size > cfg.import_limit:
        raise DomainError("IMPORT_FILE_TOO_LARGE", field="byte_size", maximum=cfg.import_limit)
    digest = (new.sha256 or "").strip().lower()
    if not SHA256.match(digest):
        raise DomainError("IMPORT_INVALID_SHA256", field="sha256")
    store = _store(session)
    expires = now + min(cfg.upload_lifetime, LIFETIME_CAP)
    upload = ImportUpload(
        file_name=name,
        content_type=content_type,
        byte_size=new.byte_size,
        sha256=digest,
        uploaded_by_id=actor.user_id or None,
        upload_expires_at=expires,
        rejection_code="",
    )
    session.add(upload)
    await session.flush()
    form = store.presign_upload(
        key(upload), content_type=content_type, max_bytes=cfg.import_limit, expires_at=expires
    )
    audit.record(
        session, actor, "import.upload_requested", entity_type="ImportUpload",
        entity_id=upload.id, file_name=name, byte_size=new.byte_size,
    )  # fmt: skip
    return IssuedImportUpload(upload, form, expires)


async def read_upload(
    session: AsyncSession, actor: Actor, upload_id: str, *, now: dt.datetime
) -> tuple[ImportUpload, bytes]:
    """The uploaded file's bytes, once they keep every promise (HQ and admins)."""
    permissions.check(actor, "import.run")
    upload = await session.get(ImportUpload, upload_id) if upload_id else None
    if upload is None or upload.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="upload_id")
    store = _store(session)
    limit = config_of(session).media.import_limit
    stored = await asyncio.to_thread(store.stat, key(upload))
    if stored is None:
        raise DomainError("IMPORT_UPLOAD_NOT_FOUND", field="upload_id")  # not there yet
    expires = upload.upload_expires_at
    if expires and stored.modified_at and stored.modified_at > expires + STORE_SKEW:
        raise DomainError("IMPORT_UPLOAD_MISMATCH", field="upload_id", reason="UPLOAD_EXPIRED")
    if stored.size > limit:
        raise DomainError("IMPORT_FILE_TOO_LARGE", field="upload_id", maximum=limit)
    if stored.content_type.split(";")[0].strip().lower() != upload.content_type:
        raise DomainError("IMPORT_UPLOAD_MISMATCH", field="upload_id", reason="CONTENT_TYPE")
    data = await asyncio.to_thread(store.read, key(upload), max_bytes=limit + 1)
    if len(data) != upload.byte_size:
        raise DomainError("IMPORT_UPLOAD_MISMATCH", field="upload_id", reason="SIZE")
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        raise DomainError("IMPORT_UPLOAD_MISMATCH", field="upload_id", reason="SHA256")
    if upload.status is not AttachmentStatus.VERIFIED:
        upload.status = AttachmentStatus.VERIFIED
        upload.verified_at = now
        audit.record(
            session, actor, "import.upload_verified", entity_type="ImportUpload",
            entity_id=upload.id, sha256=upload.sha256,
        )  # fmt: skip
        await session.flush()
    return upload, data
