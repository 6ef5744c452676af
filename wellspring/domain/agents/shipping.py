"""Shipping a confirmed agent order out of an HQ warehouse into the agent's own.

Parts move through the stock ledger (a transfer out of HQ and in to the agent, the order's
number on both entries); machines move by serial number and cards by number, each marked
with the agent that now holds it. Serials and card numbers may be named; what is not named
is taken from the HQ warehouse in serial (card number) order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..inventory import ledger
from ..inventory.machines import IN_STOCK
from ..masterdata import fields
from ..models import AccountCard, AgentOrder, AgentOrderLine, Device, Warehouse
from ..models.enums import (
    AgentOrderItem,
    AgentOrderStatus,
    CardStatus,
    LedgerKind,
    StockBin,
    WarehouseKind,
)
from .orders import lines_of, visible_order

MAX_NAMED = 1_000


async def _warehouses(
    session: AsyncSession, order: AgentOrder, from_warehouse_id: str
) -> tuple[Warehouse, Warehouse]:
    source = await fields.existing(session, Warehouse, from_warehouse_id, "from_warehouse_id")
    if source.kind is not WarehouseKind.HQ or not source.is_active:
        raise DomainError("NO_WAREHOUSE", field="from_warehouse_id")
    target = (
        (
            await session.execute(
                select(Warehouse)
                .where(
                    Warehouse.agent_id == order.agent_id,
                    Warehouse.kind == WarehouseKind.AGENT,
                    Warehouse.is_active,
                    Warehouse.deleted_at.is_(None),
                )
                .order_by(Warehouse.code)
                .with_for_update(read=True)  # held, as documents.warehouse holds it
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .first()
    )
    if target is None:
        raise DomainError("NO_AGENT_WAREHOUSE", field="id")
    return source, target


async def _machines(
    session: AsyncSession, line: AgentOrderLine, source: Warehouse, named: list[str]
) -> list[Device]:
    stmt = select(Device).where(
        Device.warehouse_id == source.id,
        Device.stock_bin == StockBin.GOOD,
        Device.status.in_(IN_STOCK),
        Device.device_model_id == line.device_model_id,
        Device.deleted_at.is_(None),
    )
    if named:
        stmt = stmt.where(Device.serial_number.in_(named))
    stmt = _taken(stmt.order_by(Device.serial_number), named, line.quantity)
    rows = list((await session.execute(stmt)).scalars())
    if len(rows) < line.quantity or (named and len(rows) != line.quantity):
        raise DomainError(
            "NOT_ENOUGH_MACHINES", field=f"lines.{line.position}", wanted=line.quantity
        )
    return rows[: line.quantity]


async def _cards(
    session: AsyncSession, line: AgentOrderLine, source: Warehouse, named: list[str]
) -> list[AccountCard]:
    stmt = select(AccountCard).where(
        AccountCard.warehouse_id == source.id,
        AccountCard.status == CardStatus.IN_STOCK,
        AccountCard.agent_id.is_(None),
        AccountCard.deleted_at.is_(None),
    )
    if named:
        stmt = stmt.where(AccountCard.card_number.in_(named))
    stmt = _taken(stmt.order_by(AccountCard.card_number), named, line.quantity)
    rows = list((await session.execute(stmt)).scalars())
    if len(rows) < line.quantity or (named and len(rows) != line.quantity):
        raise DomainError("NOT_ENOUGH_CARDS", field=f"lines.{line.position}", wanted=line.quantity)
    return rows[: line.quantity]


def _taken(stmt: Select[Any], named: list[str], quantity: int) -> Select[Any]:
    """Machines or cards locked until commit as they are taken: two orders shipped at once
    took the same serials, and a ship beside an install put an installed machine back in a
    warehouse. Named ones are waited for (and then re-checked by the database); any N are
    taken from those no one else is taking."""
    stmt = stmt.execution_options(populate_existing=True)
    if named:
        return stmt.with_for_update()
    return stmt.limit(quantity).with_for_update(skip_locked=True)


def _named(values: Sequence[str], field: str) -> list[str]:
    if len(values) > MAX_NAMED:
        raise DomainError("TOO_MANY_ITEMS", field=field, maximum=MAX_NAMED)
    return [v.strip()[:64] for v in values if v.strip()]


async def ship_agent_order(
    session: AsyncSession,
    actor: Actor,
    *,
    order_id: str,
    from_warehouse_id: str,
    serial_numbers: Sequence[str] = (),
    card_numbers: Sequence[str] = (),
) -> AgentOrder:
    """HQ ships a confirmed order; every line goes out in full or nothing does."""
    permissions.check(actor, "agent_order.ship")
    order = await visible_order(session, actor, order_id, lock=True)
    if order.status is not AgentOrderStatus.CONFIRMED:
        raise DomainError("AGENT_ORDER_NOT_OPEN", field="id", status=order.status.value)
    source, target = await _warehouses(session, order, from_warehouse_id)
    serials = _named(serial_numbers, "serial_numbers")
    numbers = _named(card_numbers, "card_numbers")
    for line in await lines_of(session, [order.id]):
        if line.item is AgentOrderItem.MACHINE:
            for device in await _machines(session, line, source, serials):
                device.warehouse_id, device.agent_id = target.id, order.agent_id
                line.shipped = [*line.shipped, device.serial_number]
        elif line.item is AgentOrderItem.CARD:
            for card in await _cards(session, line, source, numbers):
                card.warehouse_id, card.agent_id = target.id, order.agent_id
                if target.branch_id is not None:  # the branch it now sits in sees it
                    card.branch_id = target.branch_id
                line.shipped = [*line.shipped, card.card_number]
        else:
            part_id = line.part_id or ""
            for warehouse, delta, kind in (
                (source, -line.quantity, LedgerKind.TRANSFER_OUT),
                (target, line.quantity, LedgerKind.TRANSFER_IN),
            ):
                await ledger.post(
                    session,
                    actor,
                    warehouse_id=warehouse.id,
                    part_id=part_id,
                    bin_=StockBin.GOOD,
                    delta=delta,
                    kind=kind,
                    document=order.number,
                    field=f"lines.{line.position}.quantity",
                )
    order.status = AgentOrderStatus.SHIPPED
    order.shipped_by_id, order.shipped_at = actor.user_id or None, clock_of(session).now()
    order.from_warehouse_id, order.to_warehouse_id = source.id, target.id
    await session.flush()
    audit.record(
        session,
        actor,
        "agent_order.shipped",
        entity_type="AgentOrder",
        entity_id=order.id,
        from_warehouse_id=source.id,
        to_warehouse_id=target.id,
    )
    return order
