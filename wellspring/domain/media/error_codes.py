"""Codes the media rules raise (besides ``domain.error_codes.CommonErrorCode``): a request for
an upload refused, a confirmation that failed, and the reasons a stored file is rejected."""

from __future__ import annotations

import enum


class MediaErrorCode(enum.StrEnum):
    """Uploads, their verification and the evidence a completion needs."""

    MEDIA_UNAVAILABLE = "MEDIA_UNAVAILABLE"
    UNSUPPORTED_CONTENT_TYPE = "UNSUPPORTED_CONTENT_TYPE"
    INVALID_FILE_SIZE = "INVALID_FILE_SIZE"
    INVALID_SHA256 = "INVALID_SHA256"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    ATTACHMENT_CONFLICT = "ATTACHMENT_CONFLICT"
    ATTACHMENT_REJECTED = "ATTACHMENT_REJECTED"
    JOB_CANCELLED = "JOB_CANCELLED"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    UPLOAD_EXPIRED = "UPLOAD_EXPIRED"
    EVIDENCE_MISSING = "EVIDENCE_MISSING"
    # why a stored file is rejected on confirmation (Attachment.rejectionCode)
    SIZE_MISMATCH = "SIZE_MISMATCH"
    CONTENT_TYPE_MISMATCH = "CONTENT_TYPE_MISMATCH"
    CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH"
    NOT_AN_IMAGE = "NOT_AN_IMAGE"
    UNREADABLE_IMAGE = "UNREADABLE_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
