"""What the company measures of stock: parts consumed, and what the stock is worth."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import bounds, permissions
from ..actor import Actor
from ..config import TIME_ZONE
from ..errors import DomainError
from ..models import Device, Job, Part, StockBalance, StockEntry, Ticket, Warehouse
from ..models.enums import LedgerKind, StockBin
from .scopes import stock_entries_scope, warehouses_scope


@dataclass(frozen=True)
class ConsumptionRow:
    part: Part
    branch_id: str | None
    device_model_id: str | None
    quantity: int
    value: Decimal


@dataclass(frozen=True)
class WarehouseValue:
    warehouse: Warehouse
    quantity: int
    value: Decimal


def _check(actor: Actor) -> None:
    permissions.check(actor, "stock.report")  # costs inside (policy.can_see_costs)


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """``2026-11`` as [start, end) instants, the month taken in Asia/Shanghai."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise DomainError("INVALID_ARGUMENT", field="month") from exc
    bounds.check_day(first, "month")
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=TIME_ZONE)
    end = dt.datetime.combine(following, dt.time(0), tzinfo=TIME_ZONE)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


async def consumption(session: AsyncSession, actor: Actor, *, month: str) -> list[ConsumptionRow]:
    """Parts consumed on jobs in a month (net of reversals), by part, branch and device model."""
    _check(actor)
    start, end = month_bounds(month)
    used = -func.sum(cast(StockEntry.delta, BigInteger))  # a total may pass 32 bits (BigInt)
    stmt = (
        select(Part, Warehouse.branch_id, Device.device_model_id, used)
        .join(Part, Part.id == StockEntry.part_id)
        .join(Warehouse, Warehouse.id == StockEntry.warehouse_id)
        .join(Job, Job.id == StockEntry.job_id)
        .join(Ticket, Ticket.id == Job.ticket_id)
        .outerjoin(Device, Device.id == Ticket.device_id)
        .where(
            stock_entries_scope(actor),
            StockEntry.kind.in_((LedgerKind.CONSUMPTION, LedgerKind.REVERSAL)),
            StockEntry.bin == StockBin.GOOD,
            StockEntry.created_at >= start,
            StockEntry.created_at < end,
        )
        .group_by(Part.id, Warehouse.branch_id, Device.device_model_id)
        .order_by(Part.sku, Warehouse.branch_id, Device.device_model_id)
    )
    rows = []
    for part, branch_id, model_id, quantity in (await session.execute(stmt)).all():
        if quantity:
            rows.append(
                ConsumptionRow(part, branch_id, model_id, int(quantity), part.cost * int(quantity))
            )
    return rows


async def stock_value(session: AsyncSession, actor: Actor) -> list[WarehouseValue]:
    """Good stock by warehouse, valued at cost."""
    _check(actor)
    stmt = (
        select(
            Warehouse,
            func.sum(cast(StockBalance.quantity, BigInteger)),  # many balances: past 32 bits
            func.sum(StockBalance.quantity * Part.cost),
        )
        .join(StockBalance, StockBalance.warehouse_id == Warehouse.id)
        .join(Part, Part.id == StockBalance.part_id)
        .where(warehouses_scope(actor), StockBalance.bin == StockBin.GOOD)
        .group_by(Warehouse.id)
        .order_by(Warehouse.code)
    )
    return [
        WarehouseValue(warehouse, int(quantity or 0), Decimal(value or 0).quantize(Decimal("0.01")))
        for warehouse, quantity, value in (await session.execute(stmt)).all()
    ]
