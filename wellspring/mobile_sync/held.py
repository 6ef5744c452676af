"""The records each phone holds (``sync_held``), as of a cursor."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.models import SyncHeld
from wellspring.domain.sync.scope import chunks


async def held_as_of(
    session: AsyncSession,
    client_id: str,
    table: str,
    cursor: int,
    among: Iterable[str] | None = None,
) -> set[str]:
    """Ids the phone holds if it last pulled at ``cursor`` (optionally among some ids)."""
    base = and_(
        SyncHeld.client_id == client_id,
        SyncHeld.table_name == table,
        SyncHeld.sent_at <= cursor,
        or_(SyncHeld.removed_at.is_(None), SyncHeld.removed_at > cursor),
    )
    if among is None:
        rows = await session.execute(select(SyncHeld.record_id).where(base))
        return {r for (r,) in rows.all()}
    found: set[str] = set()
    for part in chunks(set(among)):
        rows = await session.execute(
            select(SyncHeld.record_id).where(base, SyncHeld.record_id.in_(part))
        )
        found.update(r for (r,) in rows.all())
    return found


async def ever_held(session: AsyncSession, client_id: str, table: str, record_id: str) -> bool:
    found = await session.scalar(
        select(SyncHeld.id).where(
            SyncHeld.client_id == client_id,
            SyncHeld.table_name == table,
            SyncHeld.record_id == record_id,
        )
    )
    return found is not None


async def mark_sent(
    session: AsyncSession, client_id: str, table: str, ids: Iterable[str], cursor: int
) -> None:
    """The phone holds these records from ``cursor`` on."""
    wanted = set(ids)
    if not wanted:
        return
    existing: set[str] = set()
    for part in chunks(wanted):
        rows = await session.execute(
            select(SyncHeld.record_id).where(
                SyncHeld.client_id == client_id,
                SyncHeld.table_name == table,
                SyncHeld.record_id.in_(part),
            )
        )
        existing.update(r for (r,) in rows.all())
        await session.execute(
            update(SyncHeld)
            .where(
                SyncHeld.client_id == client_id,
                SyncHeld.table_name == table,
                SyncHeld.record_id.in_(part),
            )
            .values(sent_at=cursor, removed_at=None)
        )
    session.add_all(
        SyncHeld(client_id=client_id, table_name=table, record_id=r, sent_at=cursor)
        for r in wanted - existing
    )
    await session.flush()


async def mark_removed(
    session: AsyncSession, client_id: str, table: str, ids: Iterable[str], cursor: int
) -> None:
    for part in chunks(set(ids)):
        await session.execute(
            update(SyncHeld)
            .where(
                SyncHeld.client_id == client_id,
                SyncHeld.table_name == table,
                SyncHeld.record_id.in_(part),
            )
            .values(removed_at=cursor)
        )
