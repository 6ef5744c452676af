"""The media configuration the settings describe (the store, the checker, the rules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wellspring.domain.media.config import DEFAULT_LIMITS, DEFAULT_REQUIRED, MediaConfig
from wellspring.domain.media.port import MediaStore
from wellspring.domain.models.enums import AttachmentKind, TicketType
from wellspring.settings import Settings

from .images import PillowChecker
from .local import LocalStore
from .s3 import S3Store


def build_store(settings: Settings) -> MediaStore:
    if settings.media_backend == "s3":
        return S3Store(
            bucket=settings.media_bucket,
            region=settings.media_region,
            endpoint_url=settings.media_endpoint_url,
            prefix=settings.media_key_prefix,
        )
    return LocalStore(
        Path(settings.media_root),
        secret=settings.secret_key,
        public_url=settings.media_public_url,
    )


def media_config(settings: Settings, store: MediaStore | None = None) -> MediaConfig:
    """Raises ValueError for an unknown kind or ticket type in the settings."""
    limits = dict(DEFAULT_LIMITS)
    for kind, size in settings.media_max_bytes.items():
        limits[AttachmentKind(kind)] = int(size)
    required = dict(DEFAULT_REQUIRED)
    for ticket_type, kinds in settings.media_required_evidence.items():
        required[TicketType(ticket_type)] = frozenset(AttachmentKind(k) for k in kinds)
    return MediaConfig(
        store=store or build_store(settings),
        checker=PillowChecker(),
        limits=limits,
        required=required,
        upload_lifetime=dt.timedelta(minutes=settings.media_upload_minutes),
        url_lifetime=dt.timedelta(minutes=settings.media_url_minutes),
        evidence_overdue_after=dt.timedelta(hours=settings.media_evidence_overdue_hours),
        import_limit=settings.import_upload_max_bytes,
    )
