"""Reads of stock: a warehouse's balances, an engineer's van."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import distance
from .. import permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import Branch, StockBalance, StockEntry, Warehouse
from ..models.enums import StockBin, WarehouseKind
from ..pagination import Page, SortKey, paginate
from .scopes import balances_scope, warehouses_scope


async def stock(
    session: AsyncSession, actor: Actor, *, warehouse_id: str, first: int | None, after: str | None
) -> Page[StockBalance]:
    """The balances of a warehouse the actor may see, by part and bin."""
    visible = await session.scalar(
        select(Warehouse.id).where(Warehouse.id == warehouse_id, warehouses_scope(actor))
    )
    if visible is None:
        raise DomainError("NOT_FOUND", field="warehouse_id")
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


async def ledger(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    part_id: str | None,
    first: int | None,
    after: str | None,
) -> Page[StockEntry]:
    """A visible warehouse's ledger, newest first (an agent its own warehouse's: quantities,
    kinds and documents, no cost in them)."""
    permissions.check(actor, "stock.ledger")
    visible = await session.scalar(
        select(Warehouse.id).where(Warehouse.id == warehouse_id, warehouses_scope(actor))
    )
    if visible is None:
        raise DomainError("NOT_FOUND", field="warehouse_id")
    stmt = select(StockEntry).where(StockEntry.warehouse_id == warehouse_id)
    if part_id is not None:
        stmt = stmt.where(StockEntry.part_id == part_id)
    return await paginate(
        session,
        stmt,
        order=(SortKey(StockEntry.created_at), SortKey(StockEntry.id)),
        first=first,
        after=after,
        row_key=lambda entry: (entry.created_at, entry.id),
    )


async def my_van(session: AsyncSession, actor: Actor) -> list[StockBalance]:
    """What is in the engineer's van, both bins."""
    permissions.check(actor, "stock.van")
    stmt = (
        select(StockBalance)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(Warehouse.technician_id == actor.technician_id)
        .order_by(StockBalance.part_id, StockBalance.bin)
    )
    return list((await session.execute(stmt)).scalars())


class SuggestedAction(enum.StrEnum):
    """What a stock suggestion proposes."""

    TRANSFER = "TRANSFER"  # from the nearest warehouse that can spare it
    PURCHASE = "PURCHASE"  # none can: buy it


@dataclass(frozen=True)
class Suggestion:
    """What to do about a balance below its safety stock."""

    balance: StockBalance
    shortfall: int
    source: Warehouse | None  # transfer from here; None means purchase
    distance_km: float | None

    @property
    def action(self) -> SuggestedAction:
        return SuggestedAction.TRANSFER if self.source is not None else SuggestedAction.PURCHASE


async def suggestions(session: AsyncSession, actor: Actor) -> list[Suggestion]:
    """For every visible good-bin balance under its safety stock: a transfer from the nearest
    warehouse that can spare the shortfall (keeping its own safety stock), else a purchase."""
    permissions.check(actor, "stock.suggestions")
    low = (
        (
            await session.execute(
                select(StockBalance).where(
                    balances_scope(actor),
                    StockBalance.bin == StockBin.GOOD,
                    StockBalance.quantity < StockBalance.safety_stock,
                )
            )
        )
        .scalars()
        .all()
    )
    if not low:
        return []
    places = {
        w.id: (w, b)
        for w, b in (
            await session.execute(
                select(Warehouse, Branch)
                .outerjoin(Branch, Branch.id == Warehouse.branch_id)
                .where(Warehouse.is_active, Warehouse.kind != WarehouseKind.VAN)
            )
        ).all()
    }
    donors = (
        (
            await session.execute(
                select(StockBalance).where(
                    StockBalance.part_id.in_({b.part_id for b in low}),
                    StockBalance.bin == StockBin.GOOD,
                    StockBalance.warehouse_id.in_(places),
                )
            )
        )
        .scalars()
        .all()
    )
    result = []
    for balance in low:
        shortfall = balance.safety_stock - balance.quantity
        here = _point(places.get(balance.warehouse_id))
        best: tuple[float, Warehouse] | None = None
        for donor in donors:
            spare = donor.quantity - donor.safety_stock
            if donor.part_id != balance.part_id or donor.warehouse_id == balance.warehouse_id:
                continue
            if spare < shortfall:
                continue
            there = _point(places.get(donor.warehouse_id))
            far = distance.km(here, there) if here and there else float("inf")
            if best is None or far < best[0]:
                best = (far, places[donor.warehouse_id][0])
        if best is None:
            result.append(Suggestion(balance, shortfall, None, None))
        else:
            known = None if best[0] == float("inf") else round(best[0], 1)
            result.append(Suggestion(balance, shortfall, best[1], known))
    return result


def _point(place: tuple[Warehouse, Branch | None] | None) -> tuple[float, float] | None:
    if place is None or place[1] is None:
        return None
    branch = place[1]
    if branch.latitude is None or branch.longitude is None:
        return None
    return (branch.latitude, branch.longitude)


async def vans_stock(
    session: AsyncSession, technician_ids: Sequence[str], parts: Sequence[str] | None = None
) -> dict[str, dict[str, int]]:
    """Good stock per part in engineers' vans, in one statement (for a job's expected parts);
    of the given ``parts`` only, when given."""
    found: dict[str, dict[str, int]] = {t: {} for t in technician_ids}
    statement = (
        select(Warehouse.technician_id, StockBalance.part_id, StockBalance.quantity)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(
            Warehouse.technician_id.in_(list(technician_ids)),
            StockBalance.bin == StockBin.GOOD,
        )
    )
    if parts is not None:
        statement = statement.where(StockBalance.part_id.in_(list(parts)))
    rows = await session.execute(statement)
    for technician_id, part_id, quantity in rows.all():
        if technician_id is not None:
            found[technician_id][part_id] = int(quantity)
    return found
