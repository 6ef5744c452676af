"""Bulk imports: one row per run of a file, with per-batch progress, and its bad rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record
from .enums import AttachmentStatus, ImportKind, ImportStatus, enum_column


class ImportRun(Record, Base):
    """A file being imported. ``batches_done`` moves in the same transaction as each batch's
    rows, so a run stopped half-way resumes at the first batch not applied."""

    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_kind_file_hash", "kind", "file_hash"),)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind))
    file_name: Mapped[str] = mapped_column(String(255))
    # sha256 of the bytes and the options: the same file again finds this run.
    file_hash: Mapped[str] = mapped_column(String(64))
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus))
    branch_id: Mapped[str | None] = mapped_column(ForeignKey("branches.id"), default=None)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    column_map: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_rows: Mapped[int] = mapped_column(Integer, default=0)  # already in the database
    applied_rows: Mapped[int] = mapped_column(Integer, default=0)
    batch_size: Mapped[int] = mapped_column(Integer, default=1000)
    batches_total: Mapped[int] = mapped_column(Integer, default=0)
    batches_done: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str] = mapped_column(String(500), default="")
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Moved by whoever applies it, at the start and with every batch: a RUNNING run whose
    # heartbeat is older than ``runs.LEASE`` lost its process and reads as INTERRUPTED.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ImportUpload(Record, Base):
    """A file HQ uploads to the media store for an import (``imports/<id>``), not tied to a
    job. The size, type and SHA-256 are promises, checked against the object when
    ``StartImport`` reads it (``VERIFIED``; a mismatch is ``REJECTED`` with its code)."""

    __tablename__ = "import_uploads"
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[AttachmentStatus] = mapped_column(
        enum_column(AttachmentStatus), default=AttachmentStatus.PENDING_UPLOAD
    )
    uploaded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    upload_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    verified_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    rejection_code: Mapped[str] = mapped_column(String(40), default="")


class ImportRowError(Record, Base):
    """One problem with one row: its line in the file, the column, a code and its values."""

    __tablename__ = "import_errors"
    __table_args__ = (Index("ix_import_errors_import_line", "import_id", "line", "id"),)
    import_id: Mapped[str] = mapped_column(ForeignKey("imports.id"))
    line: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(64), default="")
    code: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
