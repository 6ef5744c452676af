"""The media settings: the store, the checker, limits and lifetimes.

Part of the domain configuration (``DomainConfig.media``, built by ``api/`` from the settings
through ``wellspring/media/wiring.py``) that every session carries; a use case reads it with
``config_of(session).media``. Without a store, uploads are refused (MEDIA_UNAVAILABLE) and the
evidence rules still hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..models.enums import AttachmentKind, TicketType
from .port import ImageChecker, MediaStore

MiB = 1024 * 1024

DEFAULT_LIMITS: Mapping[AttachmentKind, int] = {
    AttachmentKind.PHOTO: 15 * MiB,
    AttachmentKind.CONFIRMATION_FORM: 15 * MiB,
    AttachmentKind.WATER_TEST_PHOTO: 15 * MiB,
    AttachmentKind.PART_PHOTO: 15 * MiB,
    AttachmentKind.FAULT_PHOTO: 15 * MiB,
    AttachmentKind.SIGNATURE: 1 * MiB,
}

# What a completion must carry, by ticket type (a repair's fault photo is opt-in).
DEFAULT_REQUIRED: Mapping[TicketType, frozenset[AttachmentKind]] = {
    TicketType.INSTALL: frozenset({AttachmentKind.SIGNATURE, AttachmentKind.CONFIRMATION_FORM}),
    TicketType.WATER_TEST: frozenset({AttachmentKind.WATER_TEST_PHOTO}),
}

CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")


@dataclass(frozen=True)
class MediaConfig:
    store: MediaStore | None = None
    checker: ImageChecker | None = None
    limits: Mapping[AttachmentKind, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    # The app starts from DEFAULT_REQUIRED (media/wiring.py); unconfigured, nothing is.
    required: Mapping[TicketType, frozenset[AttachmentKind]] = field(default_factory=dict)
    upload_lifetime: dt.timedelta = dt.timedelta(minutes=10)  # at most 15 minutes
    url_lifetime: dt.timedelta = dt.timedelta(minutes=10)
    evidence_overdue_after: dt.timedelta = dt.timedelta(hours=24)
    # Unconfirmed objects are deleted this long after their upload URL expired.
    cleanup_grace: dt.timedelta = dt.timedelta(hours=1)
    # An import file uploaded for StartImport (``imports/<id>``): at most this many bytes
    # (WELLSPRING_IMPORT_UPLOAD_MAX_BYTES; never above what the reader takes, 20 MiB).
    import_limit: int = 20 * MiB
