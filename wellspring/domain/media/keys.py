"""Where a job's files live in the store. Derivatives sit beside the original."""

from __future__ import annotations

from ..models import Attachment


def original(a: Attachment) -> str:
    return f"jobs/{a.job_id}/{a.id}"


def display(a: Attachment) -> str:
    return f"jobs/{a.job_id}/{a.id}.display"


def thumbnail(a: Attachment) -> str:
    return f"jobs/{a.job_id}/{a.id}.thumb"


def every(a: Attachment) -> tuple[str, str, str]:
    return original(a), display(a), thumbnail(a)
