"""What ``bench/sync`` does to its world between timings: the 5,000 changes of the busy
engineer's records, jobs put back to be accepted again, and the counts it checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update

from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import JobStatus
from wellspring.domain.versioning import current_version, mark_changed

from .sync_world import COUNTED, MODELS_BY_TABLE, Busy, chunks, table_of


async def touch(url: str, busy: Busy) -> int:
    """The 5,000 changes: every record of the busy engineer's jobs changes on the server
    (one transaction, stamped with one new version, as a dispatcher's bulk edit would be)."""
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            now = dt.datetime.now(dt.UTC)
            for table_name, ids in busy.ids.items():
                table = table_of(MODELS_BY_TABLE[table_name])
                for part in chunks(ids, 500):
                    await session.execute(
                        update(table).where(table.c.id.in_(part)).values(updated_at=now)
                    )
                mark_changed(session, table, ids)
        async with session_factory(engine)() as session:
            return await current_version(session)
    finally:
        await engine.dispose()


async def reset_jobs(url: str, job_ids: list[str]) -> None:
    """Put jobs back to ASSIGNED so that a push can accept them again (histories aside)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(table_of(m.Job))
                .where(table_of(m.Job).c.id.in_(job_ids))
                .values(status=JobStatus.ASSIGNED, accepted_at=None)
            )
    finally:
        await engine.dispose()


async def job_statuses(url: str, job_ids: list[str]) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(m.Job.status, func.count())
                .where(m.Job.id.in_(job_ids))
                .group_by(m.Job.status)
            )
            return {str(getattr(s, "value", s)): int(c) for s, c in rows.all()}
    finally:
        await engine.dispose()


async def row_counts(url: str, *models: Any) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                model.__tablename__: int(
                    await conn.scalar(select(func.count()).select_from(model)) or 0
                )
                for model in models
            }
    finally:
        await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    """The rows of the tables a pull reads from (``COUNTED``), by table."""
    return await row_counts(url, *COUNTED)
