"""Warehouses (仓库): HQ, repair centers and stations, dealers' stock. Vans come with their
engineer (``technicians``); a warehouse still holding anything cannot be deactivated."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import AccountCard, Agent, Branch, Device, StockBalance, StockMovement, Warehouse
from ..models.enums import CardStatus, MovementStatus, WarehouseKind
from . import fields

# A van belongs to one engineer and is made with them, so it is not created here.
KINDS = frozenset(WarehouseKind) - {WarehouseKind.VAN}


@dataclass(frozen=True)
class WarehouseChange:
    """What to set; ``None`` leaves a field as it is."""

    id: str | None = None
    code: str | None = None
    name: str | None = None
    kind: WarehouseKind | None = None
    branch_id: str | None = None
    agent_id: str | None = None
    is_active: bool | None = None


async def holds_anything(session: AsyncSession, warehouse_id: str) -> bool:
    """Parts on its books, machines or spare cards in it, or a transfer on its way to it."""
    parts = await session.scalar(
        select(func.coalesce(func.sum(StockBalance.quantity), 0)).where(
            StockBalance.warehouse_id == warehouse_id
        )
    )
    if parts:
        return True
    machine = await session.scalar(select(Device.id).where(Device.warehouse_id == warehouse_id))
    card = await session.scalar(
        select(AccountCard.id).where(
            AccountCard.warehouse_id == warehouse_id, AccountCard.status != CardStatus.ACTIVE
        )
    )
    incoming = await session.scalar(
        select(StockMovement.id).where(
            StockMovement.to_warehouse_id == warehouse_id,
            StockMovement.status == MovementStatus.IN_TRANSIT,
        )
    )
    return machine is not None or card is not None or incoming is not None


async def upsert_warehouse(
    session: AsyncSession, actor: Actor, *, change: WarehouseChange
) -> Warehouse:
    permissions.check(actor, "warehouse.upsert")
    if change.id is None:
        kind = change.kind or WarehouseKind.REPAIR_STATION
        warehouse = Warehouse(
            code=fields.code(change.code, "code"), name=fields.text(change.name, "name"), kind=kind
        )
    else:
        warehouse = await fields.existing(session, Warehouse, change.id, "id")
        if warehouse.kind is WarehouseKind.VAN:
            raise DomainError("VAN_BELONGS_TO_ENGINEER", field="id")
        if change.code is not None:
            warehouse.code = fields.code(change.code, "code")
        if change.name is not None:
            warehouse.name = fields.text(change.name, "name")
        if change.kind is not None:
            warehouse.kind = change.kind
    if warehouse.kind not in KINDS:
        raise DomainError("VAN_BELONGS_TO_ENGINEER", field="kind")
    await fields.unique(session, Warehouse.code, warehouse.code, field="code", own_id=change.id)
    if change.branch_id is not None:
        warehouse.branch_id = (
            await fields.existing(session, Branch, change.branch_id, "branch_id")
        ).id
    if change.agent_id is not None:
        agent = await fields.existing(session, Agent, change.agent_id, "agent_id")
        warehouse.agent_id, warehouse.branch_id = agent.id, agent.branch_id
    if warehouse.kind is WarehouseKind.AGENT and warehouse.agent_id is None:
        raise DomainError("REQUIRED", field="agent_id")
    if warehouse.branch_id is None:
        raise DomainError("REQUIRED", field="branch_id")
    if change.is_active is not None:
        if not change.is_active and change.id:
            # Held until commit, then checked: stock, machines or cards arriving meanwhile
            # (each holds the warehouse FOR SHARE) are waited for and seen, where before the
            # warehouse closed with them inside and nothing could move them out.
            held = select(Warehouse.id).where(Warehouse.id == change.id).with_for_update()
            await session.execute(held)
            if await holds_anything(session, change.id):
                raise DomainError("WAREHOUSE_NOT_EMPTY", field="is_active")
        warehouse.is_active = change.is_active
    if change.id is None:
        session.add(warehouse)
    await session.flush()
    audit.record(
        session,
        actor,
        "warehouse.created" if change.id is None else "warehouse.updated",
        entity_type="Warehouse",
        entity_id=warehouse.id,
        code=warehouse.code,
    )
    return warehouse
