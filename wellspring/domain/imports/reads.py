"""Reading an import's progress and its bad rows (HQ and admins, like running one)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..models import ImportRowError, ImportRun
from ..pagination import Page, SortKey, paginate


async def get_run(session: AsyncSession, actor: Actor, run_id: str) -> ImportRun | None:
    permissions.check(actor, "import.run")
    return await session.scalar(
        select(ImportRun).where(ImportRun.id == run_id, ImportRun.deleted_at.is_(None))
    )


async def row_errors(
    session: AsyncSession, actor: Actor, run_id: str, *, first: int | None, after: str | None
) -> Page[ImportRowError]:
    """The run's bad rows by line."""
    permissions.check(actor, "import.run")
    stmt = select(ImportRowError).where(ImportRowError.import_id == run_id)
    order = (
        SortKey(ImportRowError.line, descending=False),
        SortKey(ImportRowError.id, descending=False),
    )
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda e: (e.line, e.id)
    )


def progress(run: ImportRun) -> float:
    """0 to 1: rows handled (written, already present, or refused) of all rows."""
    if run.total_rows == 0:
        return 1.0 if run.status.value == "DONE" else 0.0
    handled = run.applied_rows + run.unchanged_rows + run.error_rows
    return round(min(handled / run.total_rows, 1.0), 4)
