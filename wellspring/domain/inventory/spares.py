"""What an install takes from stock: spare account cards and machines, listed by warehouse.

A card or machine is listed to whoever may see it (``policy.cards_scope``) or the warehouse
holding it (``warehouses_scope``), so a clerk finds their stations' spares and an agent
its own, and nobody else's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions, policy
from ..actor import Actor
from ..errors import DomainError
from ..models import AccountCard, Device, Warehouse
from ..models.enums import CardStatus
from ..pagination import Page, SortKey, paginate
from .machines import IN_STOCK
from .scopes import warehouses_scope

# Spare: never bound, or unbound again after a cancellation (退卡).
SPARE = (CardStatus.IN_STOCK, CardStatus.AWAITING_ACTIVATION)


@dataclass(frozen=True)
class CardFilter:
    warehouse_id: str | None = None
    branch_id: str | None = None
    card_number: str | None = None
    statuses: Sequence[CardStatus] = ()
    spare: bool | None = None


async def account_cards_page(
    session: AsyncSession,
    actor: Actor,
    *,
    filter: CardFilter,
    first: int | None,
    after: str | None,
) -> Page[AccountCard]:
    """Cards by number; a number given finds that card (exactly)."""
    permissions.check(actor, "cards.list")
    f = filter
    visible_warehouses = select(Warehouse.id).where(warehouses_scope(actor))
    stmt = select(AccountCard).where(
        policy.cards_scope(actor) | AccountCard.warehouse_id.in_(visible_warehouses),
        AccountCard.deleted_at.is_(None),
    )
    if f.warehouse_id is not None:
        stmt = stmt.where(AccountCard.warehouse_id == f.warehouse_id)
    if f.branch_id is not None:
        stmt = stmt.where(AccountCard.branch_id == f.branch_id)
    if f.card_number:
        stmt = stmt.where(AccountCard.card_number == f.card_number.strip())
    if f.statuses:
        stmt = stmt.where(AccountCard.status.in_(list(f.statuses)))
    if f.spare is not None:
        spare = AccountCard.status.in_(SPARE)
        stmt = stmt.where(spare if f.spare else ~spare)
    order = (
        SortKey(AccountCard.card_number, descending=False),
        SortKey(AccountCard.id, descending=False),
    )
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=lambda c: (c.card_number, c.id),
    )


async def machines_in_stock_page(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    model_id: str | None,
    first: int | None,
    after: str | None,
) -> Page[Device]:
    """Machines in a warehouse the actor may see (either bin), by serial number."""
    permissions.check(actor, "machines.list_in_stock")
    visible = await session.scalar(
        select(Warehouse.id).where(Warehouse.id == warehouse_id, warehouses_scope(actor))
    )
    if visible is None:
        raise DomainError("NOT_FOUND", field="warehouse_id")
    stmt = select(Device).where(
        Device.warehouse_id == warehouse_id,
        Device.status.in_(IN_STOCK),
        Device.deleted_at.is_(None),
    )
    if model_id is not None:
        stmt = stmt.where(Device.device_model_id == model_id)
    order = (
        SortKey(Device.serial_number, descending=False),
        SortKey(Device.id, descending=False),
    )
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=lambda d: (d.serial_number, d.id),
    )
