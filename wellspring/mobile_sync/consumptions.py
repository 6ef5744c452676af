"""A phone's part consumption as the server holds it: a ledger entry found by the phone's id
(its own id, or the line key of a consumption made on the phone), and whether an old part
went back with it. A ledger entry is never edited: an ``updated`` record is compared with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain import models as m
from wellspring.domain.inventory import line_keys
from wellspring.domain.models.enums import LedgerKind

from .tables import Consumption, Table, record


def _named(record_id: str) -> Any:
    return (m.StockEntry.id == record_id) | (
        m.StockEntry.client_id == line_keys.first_line_key(record_id)
    )


async def exists(session: AsyncSession, record_id: str) -> bool:
    return await session.scalar(select(m.StockEntry.id).where(_named(record_id))) is not None


async def held_record(
    session: AsyncSession, table: Table, record_id: str, schema_version: int
) -> dict[str, Any] | None:
    """The record the phone was sent for ``record_id``, or None if there is no such entry."""
    entry = await session.scalar(
        select(m.StockEntry).where(_named(record_id), m.StockEntry.kind == LedgerKind.CONSUMPTION)
    )
    if entry is None:
        return None
    returned = False
    if entry.client_id:
        old = line_keys.old_part_key(entry.client_id)
        found = select(m.StockEntry.id).where(
            m.StockEntry.kind == LedgerKind.OLD_PART, m.StockEntry.client_id == old
        )
        returned = await session.scalar(found) is not None
    return record(table, record_id, Consumption(entry, returned), schema_version)


__all__ = ["exists", "held_record"]
