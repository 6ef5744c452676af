"""A part's location in a warehouse must be one of its active bins (masterdata/bin_locations.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import DomainError
from ..models import BinLocation


async def active_bins(session: AsyncSession, warehouse_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(warehouse id, code) of every active bin of those warehouses."""
    ids = sorted(set(warehouse_ids))
    if not ids:
        return set()
    rows = await session.execute(
        select(BinLocation.warehouse_id, BinLocation.code).where(
            BinLocation.warehouse_id.in_(ids),
            BinLocation.is_active.is_(True),
            BinLocation.deleted_at.is_(None),
        )
    )
    return {(w, c) for w, c in rows}


async def check_location(session: AsyncSession, warehouse_id: str, location: str) -> str:
    """The location as stored (upper-case), or UNKNOWN_BIN_LOCATION; "" clears it."""
    code = location.strip().upper()
    if code and (warehouse_id, code) not in await active_bins(session, [warehouse_id]):
        raise DomainError("UNKNOWN_BIN_LOCATION", field="location", value=code[:32])
    return code
