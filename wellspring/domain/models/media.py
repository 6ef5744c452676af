"""Files from the field: photos, signatures and forms attached to a job."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record
from .enums import AttachmentKind, AttachmentStatus, enum_column


class Attachment(Record, Base):
    """One file of a job. Its id is the phone's (made offline) or the server's; the phone
    uploads to ``jobs/<job id>/<id>``, the verified original and its stripped derivatives sit
    beside it (domain/media/keys.py).

    The declared size, type and SHA-256 are what the phone promised; the file counts only
    once the server has checked them against the stored object (``VERIFIED``).
    """

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_status_expires", "status", "upload_expires_at"),)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    status: Mapped[AttachmentStatus] = mapped_column(
        enum_column(AttachmentStatus), default=AttachmentStatus.PENDING_UPLOAD
    )
    content_type: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    uploaded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # Set when an upload URL is issued: an object never confirmed by then is deleted.
    upload_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    verified_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    rejection_code: Mapped[str] = mapped_column(String(40), default="")
    # The stored objects are gone (cleanup): nothing is left to serve or delete.
    purged_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The verified original as served: a key no upload form can write (keys.sealed). ""
    # for a row verified before it existed: served from the upload key.
    original_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
