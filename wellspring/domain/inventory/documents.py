"""Stock documents (movements) and their lines: who may write them, the warehouse or movement
a document names, checking its lines, numbering and recording a new one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, bounds, numbering
from ..actor import Actor
from ..errors import DomainError
from ..models import Part, StockMovement, Warehouse
from ..models.enums import (
    MovementKind,
    MovementStatus,
    StockBin,
)
from .scopes import warehouses_scope

MAX_LINES = 100
MOVEMENT = ("stock_movement_number", "M")


@dataclass(frozen=True)
class Line:
    part_id: str
    quantity: int
    bin: StockBin = StockBin.GOOD
    old_part_returned: bool = False


async def warehouse(
    session: AsyncSession, actor: Actor, warehouse_id: str, field: str
) -> Warehouse:
    """An active warehouse the actor may use, held (``FOR SHARE``) until commit: a
    deactivation waits for the stock arriving, and then finds the warehouse not empty."""
    row = (
        await session.execute(
            select(Warehouse)
            .where(Warehouse.id == warehouse_id, warehouses_scope(actor))
            .with_for_update(read=True, of=Warehouse)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None or not row.is_active:
        raise DomainError("NOT_FOUND", field=field)
    return row


async def check_lines(
    session: AsyncSession,
    lines: list[Line],
    *,
    allow_zero: bool = False,
    active_only: bool = False,
) -> dict[str, Part]:
    """The lines' parts by id. ``active_only``: a deactivated part is refused (it is no longer
    received, transferred or consumed; counts, breakages and returns still empty the shelves)."""
    if not lines or len(lines) > MAX_LINES:
        raise DomainError("INVALID_ARGUMENT", field="lines")
    known = {
        part.id: part
        for part in (
            await session.execute(select(Part).where(Part.id.in_({line.part_id for line in lines})))
        ).scalars()
    }
    for index, line in enumerate(lines):
        part = known.get(line.part_id)
        if part is None:
            raise DomainError("UNKNOWN_PART", field=f"lines.{index}.part_id")
        if active_only and not part.is_active:
            raise DomainError("PART_INACTIVE", field=f"lines.{index}.part_id", sku=part.sku)
        bounds.check_quantity(line.quantity, f"lines.{index}.quantity", allow_zero=allow_zero)
    return known


def _as_json(lines: list[Line]) -> list[dict[str, object]]:
    return [{"part_id": x.part_id, "bin": x.bin.value, "quantity": x.quantity} for x in lines]


async def new_movement(
    session: AsyncSession,
    actor: Actor,
    kind: MovementKind,
    status: MovementStatus,
    lines: list[Line],
    *,
    source: Warehouse | None,
    target: Warehouse | None,
    note: str,
) -> StockMovement:
    movement = StockMovement(
        number=await numbering.next_number(session, MOVEMENT),
        kind=kind,
        status=status,
        from_warehouse_id=source.id if source else None,
        to_warehouse_id=target.id if target else None,
        lines=_as_json(lines),
        created_by_id=actor.user_id or None,
        note=note.strip()[:500],
    )
    session.add(movement)
    await session.flush()
    audit.record(
        session,
        actor,
        f"stock.{kind.value.lower()}",
        entity_type="StockMovement",
        entity_id=movement.id,
        status=status.value,
    )
    return movement


async def movement(session: AsyncSession, movement_id: str) -> StockMovement:
    """A document about to be decided (received, approved, checked, confirmed), locked until
    commit: a second decision of it waits and then finds it decided, instead of posting its
    lines to the ledger again (receiving one transfer six times at once added it six times)."""
    movement = await session.scalar(
        select(StockMovement)
        .where(StockMovement.id == movement_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if movement is None or movement.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="id")
    return movement
