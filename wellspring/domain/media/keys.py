"""Where a job's files live in the store.

The phone's form writes ``jobs/<job id>/<attachment id>`` (the upload key) and can write it
again until the form expires: a presigned POST cannot be revoked. So a verified file is never
served from there. Confirmation writes the bytes it verified to ``<upload key>.original`` and
the derivatives beside it; no form names those keys (an attachment id has no dot), so once
verified, nothing a form can do changes what is served. The attachment records the served
original in ``original_key``; rows verified before that column ("") are served from the
upload key, where they always were.
"""

from __future__ import annotations

from ..models import Attachment

ORIGINAL = ".original"
DISPLAY = ".display"
THUMBNAIL = ".thumb"


def of(job_id: str, attachment_id: str, suffix: str = "") -> str:
    return f"jobs/{job_id}/{attachment_id}{suffix}"


def upload(a: Attachment) -> str:
    """What the phone's form writes: read by confirmation, never served once sealed."""
    return of(a.job_id, a.id)


def sealed(a: Attachment) -> str:
    """The verified original's own key, which no form can write."""
    return of(a.job_id, a.id, ORIGINAL)


def original(a: Attachment) -> str:
    """The original as served: the sealed copy, or the upload key of a row verified before
    there was one."""
    return a.original_key or upload(a)


def display(a: Attachment) -> str:
    return of(a.job_id, a.id, DISPLAY)


def thumbnail(a: Attachment) -> str:
    return of(a.job_id, a.id, THUMBNAIL)


def every(a: Attachment) -> tuple[str, ...]:
    """Every object an attachment may have, for the cleanup of one never verified (a losing
    confirmation may have written the sealed copy of a file rejected or expired meanwhile)."""
    return upload(a), sealed(a), display(a), thumbnail(a)
