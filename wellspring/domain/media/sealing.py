"""Seal the originals of files verified before sealed originals (migration 0015y).

Such a row (``original_key`` "") is served from its upload key (keys.py). Sealing copies
that object to the row's sealed key inside the store, then reads the copy back and checks it
is the file that was verified (its SHA-256 and size): a form still valid after the
verification could have rewritten the upload key, and sealing those bytes would make the
substitution permanent. Only then is ``original_key`` recorded, so what is served changes
from one copy of the verified bytes to another. A row whose upload key is gone or holds other
bytes is left as it is, and counted.

Safe to stop anywhere and run again: a row is recorded only after its copy is checked, and a
copy made by a run that died before recording is simply made again. Rows already sealed are
never looked at.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import SYSTEM
from ..config import config_of
from ..models import Attachment
from ..models.enums import AttachmentStatus
from . import keys
from .port import MediaStore

BATCH = 100


class Outcome(enum.StrEnum):
    SEALED = "SEALED"
    CHANGED = "CHANGED"  # the upload key holds other bytes than those verified
    MISSING = "MISSING"  # nothing at the upload key


@dataclass
class SealResult:
    sealed: int = 0
    changed: list[str] = field(default_factory=list)  # attachment ids
    missing: list[str] = field(default_factory=list)

    def add(self, other: SealResult) -> None:
        self.sealed += other.sealed
        self.changed += other.changed
        self.missing += other.missing


async def seal_batch(
    session: AsyncSession, *, after: str = "", limit: int = BATCH
) -> tuple[SealResult, str | None]:
    """Seal up to ``limit`` unsealed verified rows with ids above ``after`` (the caller
    commits); returns what it did and the last id looked at (None: no row was left)."""
    store = config_of(session).media.store
    result = SealResult()
    if store is None:
        return result, None
    rows = list(
        (
            await session.execute(
                select(Attachment)
                .where(
                    Attachment.status == AttachmentStatus.VERIFIED,
                    Attachment.original_key == "",
                    Attachment.purged_at.is_(None),
                    Attachment.id > after,
                )
                .order_by(Attachment.id)
                .limit(limit)
                # Another run holds these: it seals them (this run goes on past them).
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    for a in rows:
        outcome = await asyncio.to_thread(_seal, store, a)
        if outcome is Outcome.SEALED:
            a.original_key = keys.sealed(a)
            result.sealed += 1
            audit.record(
                session, SYSTEM, "attachment.sealed", entity_type="Job", entity_id=a.job_id,
                attachment_id=a.id, sha256=a.sha256,
            )  # fmt: skip
        elif outcome is Outcome.CHANGED:
            result.changed.append(a.id)
        else:
            result.missing.append(a.id)
    await session.flush()
    return result, (rows[-1].id if rows else None)


def _seal(store: MediaStore, a: Attachment) -> Outcome:
    """Runs in a worker thread: copy within the store, then check the copy (not the upload
    key, which a live form could rewrite between the check and the copy)."""
    source, target = keys.upload(a), keys.sealed(a)
    if store.stat(source) is None:
        return Outcome.MISSING
    store.copy(source, target)
    data = store.read(target, max_bytes=a.byte_size + 1)
    if len(data) != a.byte_size or hashlib.sha256(data).hexdigest() != a.sha256:
        store.delete(target)  # never leave other bytes under a key that reads as verified
        return Outcome.CHANGED
    return Outcome.SEALED
