"""Moving stock between warehouses: receipts, two-step transfers and returns, breakage
reports with HQ approval (报损), stocktakes. None of them commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..bounds import check_length
from ..errors import DomainError
from ..models import StockMovement, Warehouse
from ..models.enums import (
    LedgerKind,
    MovementKind,
    MovementStatus,
    StockBin,
    WarehouseKind,
)
from . import documents, ledger
from .documents import Line

# A note on a stock document, bounded like other notes people type (orders, payments, calls).
MAX_MOVEMENT_NOTE = 500


def permission(kind: MovementKind) -> str:
    """The operation a movement of ``kind`` is checked as."""
    # An engineer may return van stock (a material return); the rest is branch stock-keeping.
    return "stock.return_material" if kind is MovementKind.MATERIAL_RETURN else "stock.move"


async def move_stock(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: MovementKind,
    lines: list[Line],
    from_warehouse_id: str | None = None,
    to_warehouse_id: str | None = None,
    note: str = "",
) -> StockMovement:
    """A receipt, a transfer (shipped now, received later), a breakage report or a stocktake."""
    note = check_length(note, "note", MAX_MOVEMENT_NOTE)
    permissions.check(actor, permission(kind))
    await documents.check_lines(
        session,
        lines,
        allow_zero=kind is MovementKind.STOCKTAKE,
        active_only=kind in (MovementKind.RECEIPT, MovementKind.TRANSFER),
    )
    match kind:
        case MovementKind.RECEIPT | MovementKind.STOCKTAKE:
            target = await documents.warehouse(
                session, actor, _need(to_warehouse_id, "to_warehouse_id"), "to_warehouse_id"
            )
            movement = await documents.new_movement(
                session,
                actor,
                kind,
                MovementStatus.DONE,
                lines,
                source=None,
                target=target,
                note=note,
            )
            if kind is MovementKind.RECEIPT:
                await _post_lines(
                    session, actor, movement, target, LedgerKind.RECEIPT, lines, sign=1
                )
            else:
                await _count(session, actor, movement, target, lines)
        case MovementKind.TRANSFER | MovementKind.MATERIAL_RETURN | MovementKind.OLD_PART_RETURN:
            source = await documents.warehouse(
                session, actor, _need(from_warehouse_id, "from_warehouse_id"), "from_warehouse_id"
            )
            target_id = _need(to_warehouse_id, "to_warehouse_id")
            if target_id == source.id:
                raise DomainError("SAME_WAREHOUSE", field="to_warehouse_id")
            destination = await session.get(Warehouse, target_id)
            if destination is None or not destination.is_active or destination.deleted_at:
                raise DomainError("NOT_FOUND", field="to_warehouse_id")
            target = destination
            _check_route(kind, source, target, lines)
            movement = await documents.new_movement(
                session,
                actor,
                kind,
                MovementStatus.IN_TRANSIT,
                lines,
                source=source,
                target=target,
                note=note,
            )
            await _post_lines(
                session, actor, movement, source, LedgerKind.TRANSFER_OUT, lines, sign=-1
            )
        case MovementKind.BREAKAGE:
            source = await documents.warehouse(
                session, actor, _need(from_warehouse_id, "from_warehouse_id"), "from_warehouse_id"
            )
            for i, line in enumerate(lines):
                have = await ledger.available(session, source.id, line.part_id, line.bin)
                if have < line.quantity:
                    raise DomainError(
                        "INSUFFICIENT_STOCK",
                        field=f"lines.{i}.quantity",
                        available=have,
                        wanted=line.quantity,
                    )
            movement = await documents.new_movement(
                session,
                actor,
                kind,
                MovementStatus.REPORTED,
                lines,
                source=source,
                target=None,
                note=note,
            )
    return movement


async def _count(
    session: AsyncSession,
    actor: Actor,
    movement: StockMovement,
    warehouse: Warehouse,
    lines: list[Line],
) -> None:
    """A stocktake: each counted line sets the book to the count (the difference is posted)."""
    for i, line in ledger.in_lock_order(lines):
        counted = line.quantity
        # the balance locked: a consumption committing meanwhile is counted, not undone
        delta = counted - await ledger.hold(session, warehouse.id, line.part_id, line.bin)
        if delta:
            await ledger.post(
                session,
                actor,
                warehouse_id=warehouse.id,
                part_id=line.part_id,
                bin_=line.bin,
                delta=delta,
                kind=LedgerKind.STOCKTAKE,
                document=movement.number,
                field=f"lines.{i}.quantity",
                note=f"counted {counted}",
            )


async def _post_lines(
    session: AsyncSession,
    actor: Actor,
    movement: StockMovement,
    warehouse: Warehouse,
    kind: LedgerKind,
    lines: list[Line],
    *,
    sign: int,
) -> None:
    """Post each line of the document to the warehouse's book, in (+1) or out (-1)."""
    for i, line in ledger.in_lock_order(lines):
        await ledger.post(
            session,
            actor,
            warehouse_id=warehouse.id,
            part_id=line.part_id,
            bin_=line.bin,
            delta=sign * line.quantity,
            kind=kind,
            document=movement.number,
            field=f"lines.{i}.quantity",
        )


def _check_route(
    kind: MovementKind, source: Warehouse, target: Warehouse, lines: list[Line]
) -> None:
    """A material return leaves a van; old parts go, from the defective bin, to the center."""
    if kind is MovementKind.MATERIAL_RETURN and source.kind is not WarehouseKind.VAN:
        raise DomainError("INVALID_ARGUMENT", field="from_warehouse_id")
    if kind is MovementKind.OLD_PART_RETURN:
        if target.kind is not WarehouseKind.REPAIR_CENTER:
            raise DomainError("INVALID_ARGUMENT", field="to_warehouse_id")
        if any(line.bin is not StockBin.DEFECTIVE for line in lines):
            raise DomainError("INVALID_ARGUMENT", field="lines")


def _need(value: str | None, field: str) -> str:
    if not value:
        raise DomainError("REQUIRED", field=field)
    return value


async def receive_transfer(
    session: AsyncSession, actor: Actor, *, movement_id: str
) -> StockMovement:
    """The destination confirms a shipped transfer; the stock in transit arrives."""
    permissions.check(actor, "stock.receive_transfer")
    movement = await documents.movement(session, movement_id)
    target_id = movement.to_warehouse_id or ""
    await documents.warehouse(session, actor, target_id, "id")  # only the destination's people
    receivable = (MovementKind.TRANSFER, MovementKind.MATERIAL_RETURN)
    if movement.kind not in receivable or movement.status is not MovementStatus.IN_TRANSIT:
        raise DomainError("INVALID_TRANSITION", action="receive", status=movement.status.value)
    for _, line in ledger.in_lock_order(movement.lines):
        await ledger.post(
            session,
            actor,
            warehouse_id=target_id,
            part_id=line["part_id"],
            bin_=StockBin(line["bin"]),
            delta=int(line["quantity"]),
            kind=LedgerKind.TRANSFER_IN,
            document=movement.number,
        )
    movement.status = MovementStatus.DONE
    audit.record(
        session,
        actor,
        "stock.transfer_received",
        entity_type="StockMovement",
        entity_id=movement.id,
    )
    return movement


async def decide_breakage(
    session: AsyncSession, actor: Actor, *, movement_id: str, approve: bool, note: str = ""
) -> StockMovement:
    """HQ approves (stock is written off) or rejects a reported breakage (报损)."""
    permissions.check(actor, "stock.decide_breakage")
    note = check_length(note, "note", MAX_MOVEMENT_NOTE)
    movement = await documents.movement(session, movement_id)
    if movement.kind is not MovementKind.BREAKAGE or movement.status is not MovementStatus.REPORTED:
        raise DomainError("INVALID_TRANSITION", action="decide", status=movement.status.value)
    if approve:
        for i, line in ledger.in_lock_order(movement.lines):
            await ledger.post(
                session,
                actor,
                warehouse_id=movement.from_warehouse_id or "",
                part_id=line["part_id"],
                bin_=StockBin(line["bin"]),
                delta=-int(line["quantity"]),
                kind=LedgerKind.BREAKAGE,
                document=movement.number,
                field=f"lines.{i}.quantity",
                note=note,
            )
    movement.status = MovementStatus.DONE if approve else MovementStatus.REJECTED
    movement.decided_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "stock.breakage_decided",
        entity_type="StockMovement",
        entity_id=movement.id,
        approved=approve,
    )
    return movement
