"""Where a job's files live in the store. Derivatives sit beside the original."""

from __future__ import annotations

from ..models import Attachment

DISPLAY = ".display"
THUMBNAIL = ".thumb"


def of(job_id: str, attachment_id: str, suffix: str = "") -> str:
    return f"jobs/{job_id}/{attachment_id}{suffix}"


def original(a: Attachment) -> str:
    return of(a.job_id, a.id)


def display(a: Attachment) -> str:
    return of(a.job_id, a.id, DISPLAY)


def thumbnail(a: Attachment) -> str:
    return of(a.job_id, a.id, THUMBNAIL)


def every(a: Attachment) -> tuple[str, str, str]:
    return original(a), display(a), thumbnail(a)
