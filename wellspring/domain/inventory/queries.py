"""Reads of stock: a warehouse's balances, an engineer's van."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import policy
from ..actor import Actor
from ..errors import DomainError, PermissionDenied
from ..models import StockBalance, Warehouse
from ..models.enums import Role
from ..pagination import Page, SortKey, paginate


async def stock(
    session: AsyncSession, actor: Actor, *, warehouse_id: str, first: int | None, after: str | None
) -> Page[StockBalance]:
    """The balances of a warehouse the actor may see, by part and bin."""
    visible = await session.scalar(
        select(Warehouse.id).where(Warehouse.id == warehouse_id, policy.warehouses_scope(actor))
    )
    if visible is None:
        raise DomainError("NOT_FOUND", field="warehouseId")
    stmt = select(StockBalance).where(
        StockBalance.warehouse_id == warehouse_id, StockBalance.deleted_at.is_(None)
    )
    order = (
        SortKey(StockBalance.part_id, descending=False),
        SortKey(StockBalance.bin, descending=False),
    )
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda b: (b.part_id, b.bin)
    )


async def my_van(session: AsyncSession, actor: Actor) -> list[StockBalance]:
    """What is in the engineer's van, both bins."""
    if actor.role is not Role.TECHNICIAN:
        raise PermissionDenied
    stmt = (
        select(StockBalance)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(Warehouse.technician_id == actor.technician_id)
        .order_by(StockBalance.part_id, StockBalance.bin)
    )
    return list((await session.execute(stmt)).scalars())
