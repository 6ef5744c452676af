"""Delete the stored objects nothing depends on: uploads never confirmed, rejected files, and
the upload key of a verified file once its form has expired.

An attachment is only ever purged when it is not ``VERIFIED``; what a verified file serves
(which is what a job's evidence rests on) is never touched. Its upload key is not served
(keys.py): the form could rewrite it until it expired, so it goes once the form is dead, and
``upload_expires_at`` is cleared to say so. A row verified before sealed originals keeps its
upload key: that is what it serves. The rows stay (marked ``purged_at``) for the history;
the phone learns the status on its next pull.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import config_of
from ..models import Attachment
from ..models.enums import AttachmentStatus
from . import keys

BATCH = 500


@dataclass(frozen=True)
class CleanupResult:
    expired: int
    purged: int
    released: int = 0  # upload keys of verified files deleted


async def run(session: AsyncSession, *, now: dt.datetime) -> CleanupResult:
    """One pass (the caller commits). Safe to run again, from several processes at once:
    each takes the rows no one else holds."""
    cfg = config_of(session).media
    store = cfg.store
    if store is None:
        return CleanupResult(0, 0, 0)
    stale = now - cfg.cleanup_grace
    rows = (
        await session.execute(
            select(Attachment)
            .where(
                Attachment.purged_at.is_(None),
                or_(
                    Attachment.status == AttachmentStatus.REJECTED,
                    Attachment.status == AttachmentStatus.EXPIRED,
                    (Attachment.status == AttachmentStatus.PENDING_UPLOAD)
                    & (Attachment.upload_expires_at < stale),
                    (Attachment.status == AttachmentStatus.VERIFIED)
                    & (Attachment.upload_expires_at < stale)
                    & (Attachment.original_key != ""),
                ),
            )
            .order_by(Attachment.updated_at)
            .limit(BATCH)
            # A ConfirmUpload recording its verdict holds the row: leave that one, or its
            # VERIFIED would be written over and its file deleted. Another pass takes the rest.
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).scalars()
    expired = purged = released = 0
    for a in rows:
        if a.status is AttachmentStatus.VERIFIED:
            if keys.original(a) != keys.upload(a):  # never what it serves (the query agrees)
                await asyncio.to_thread(store.delete, keys.upload(a))
                a.upload_expires_at = None
                released += 1
            continue
        if a.status is AttachmentStatus.PENDING_UPLOAD:
            a.status = AttachmentStatus.EXPIRED
            expired += 1
        for key in keys.every(a):
            await asyncio.to_thread(store.delete, key)
        a.purged_at = now
        purged += 1
    await session.flush()
    return CleanupResult(expired, purged, released)
