"""A part's settings in a warehouse: its refill level (safety stock) and bin location."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import Part, StockBalance
from ..models.enums import (
    StockBin,
)
from . import bin_locations, documents, ledger


async def set_safety_stock(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    part_id: str,
    safety_stock: int | None = None,
    location: str | None = None,
) -> StockBalance:
    """A part's settings in a warehouse: the refill level of its good stock, its bin location
    (an active bin of the warehouse, or "" for none)."""
    permissions.check(actor, "stock.set_safety")
    if safety_stock is not None and not 0 <= safety_stock <= 1_000_000:
        raise DomainError("QUANTITY_OUT_OF_RANGE", field="safety_stock")
    if location is not None and len(location.strip()) > 32:
        raise DomainError("VALUE_TOO_LONG", field="location", maximum=32)
    warehouse = await documents.warehouse(session, actor, warehouse_id, "warehouse_id")
    if await session.get(Part, part_id) is None:
        raise DomainError("UNKNOWN_PART", field="part_id")
    await ledger.ensure_balance(session, warehouse.id, part_id, StockBin.GOOD)
    balance = (
        await session.execute(
            select(StockBalance).where(
                StockBalance.warehouse_id == warehouse.id,
                StockBalance.part_id == part_id,
                StockBalance.bin == StockBin.GOOD,
            )
        )
    ).scalar_one()
    if safety_stock is not None:
        balance.safety_stock = safety_stock
    if location is not None:
        balance.location = await bin_locations.check_location(session, warehouse.id, location)
    audit.record(
        session,
        actor,
        "stock.settings_changed",
        entity_type="StockBalance",
        entity_id=balance.id,
        safety_stock=balance.safety_stock,
        location=balance.location,
    )
    await session.flush()
    return balance
