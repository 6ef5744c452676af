"""The records each phone holds (``sync_held``), as of a cursor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.models import SyncHeld
from wellspring.domain.models.base import new_id
from wellspring.domain.sync.scope import chunks

UPSERT_CHUNK = 1000  # rows per statement of mark_sent_many (a push holds at most 1,000)


async def held_as_of(
    session: AsyncSession,
    client_id: str,
    table: str,
    cursor: int,
    among: Iterable[str],
) -> set[str]:
    """Which of these ids the phone holds if it last pulled at ``cursor``."""
    base = and_(
        SyncHeld.client_id == client_id,
        SyncHeld.table_name == table,
        SyncHeld.sent_at <= cursor,
        or_(SyncHeld.removed_at.is_(None), SyncHeld.removed_at > cursor),
    )
    found: set[str] = set()
    for part in chunks(set(among)):
        rows = await session.execute(
            select(SyncHeld.record_id).where(base, SyncHeld.record_id.in_(part))
        )
        found.update(r for (r,) in rows.all())
    return found


async def held_by_table(
    session: AsyncSession, client_id: str, tables: Iterable[str], cursor: int
) -> dict[str, set[str]]:
    """``held_as_of`` for several whole tables in one read: table -> ids."""
    names = list(tables)
    out: dict[str, set[str]] = {name: set() for name in names}
    rows = await session.execute(
        select(SyncHeld.table_name, SyncHeld.record_id).where(
            SyncHeld.client_id == client_id,
            SyncHeld.table_name.in_(names),
            SyncHeld.sent_at <= cursor,
            or_(SyncHeld.removed_at.is_(None), SyncHeld.removed_at > cursor),
        )
    )
    for table, record_id in rows.all():
        out[table].add(record_id)
    return out


async def ever_held(
    session: AsyncSession, client_id: str, table: str, ids: Iterable[str]
) -> set[str]:
    """Which of these records the phone ever held (one read per 500 ids)."""
    found: set[str] = set()
    for part in chunks(set(ids)):
        rows = await session.execute(
            select(SyncHeld.record_id).where(
                SyncHeld.client_id == client_id,
                SyncHeld.table_name == table,
                SyncHeld.record_id.in_(part),
            )
        )
        found.update(r for (r,) in rows.all())
    return found


async def mark_sent(
    session: AsyncSession, client_id: str, table: str, ids: Iterable[str], cursor: int
) -> None:
    """The phone holds these records from ``cursor`` on."""
    await mark_sent_many(session, client_id, {table: list(ids)}, cursor)


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


async def mark_sent_many(
    session: AsyncSession, client_id: str, ids: dict[str, list[str]], cursor: int
) -> None:
    """The phone holds these records (table -> ids) from ``cursor`` on: one insert-or-update
    statement per 1,000 (a record held already, a replay's say, is marked sent again)."""
    rows = [
        {
            "id": new_id(),
            "client_id": client_id,
            "table_name": table,
            "record_id": record_id,
            "sent_at": cursor,
            "removed_at": None,
        }
        for table, record_id in sorted({(t, r) for t, records in ids.items() for r in records})
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(cast(Table, SyncHeld.__table__))  # Core: no ORM bulk path
    stmt = stmt.on_conflict_do_update(
        index_elements=["client_id", "table_name", "record_id"],
        set_={"sent_at": stmt.excluded.sent_at, "removed_at": None},
    )
    for start in range(0, len(rows), UPSERT_CHUNK):
        await session.execute(stmt, rows[start : start + UPSERT_CHUNK])
