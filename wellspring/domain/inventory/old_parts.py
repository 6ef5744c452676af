"""Old parts returned to the repair center: its check of each line, the replacements it ships
and the station's confirmation that they arrived. None of them commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, bounds, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import StockMovement
from ..models.enums import (
    LedgerKind,
    MovementKind,
    MovementStatus,
    StockBin,
)
from . import documents, ledger


@dataclass(frozen=True)
class Checked:
    """The repair center's count of one returned line."""

    part_id: str
    valid: int
    rejected: int


async def check_old_parts(
    session: AsyncSession, actor: Actor, *, movement_id: str, counts: list[Checked]
) -> StockMovement:
    """The repair center receives returned old parts: valid ones stay for the factory,
    rejected ones go back to the station's defective bin; replacements for the valid ones are
    shipped to the station from the center's good stock."""
    permissions.check(actor, "old_parts.check")
    movement = await documents.movement(session, movement_id)
    if movement.kind is not MovementKind.OLD_PART_RETURN:
        raise DomainError("NOT_FOUND", field="id")
    center = await documents.warehouse(session, actor, movement.to_warehouse_id or "", "id")
    if movement.status is not MovementStatus.IN_TRANSIT:
        raise DomainError("INVALID_TRANSITION", action="check", status=movement.status.value)
    shipped = {line["part_id"]: int(line["quantity"]) for line in movement.lines}
    by_part = {c.part_id: c for c in counts}
    if set(by_part) != set(shipped):
        raise DomainError("INVALID_ARGUMENT", field="counts")
    for i, (part_id, quantity) in enumerate(shipped.items()):
        count = by_part[part_id]
        for name in ("valid", "rejected"):
            bounds.check_quantity(getattr(count, name), f"counts.{i}.{name}", allow_zero=True)
        if count.valid + count.rejected != quantity:
            raise DomainError("COUNTS_DO_NOT_ADD_UP", field=f"counts.{i}", shipped=quantity)
    station = movement.from_warehouse_id or ""
    # Balances locked in part order, whatever the counts' order: two checks of returns naming
    # the same parts in opposite orders deadlocked on the center's rows.
    for part_id, count in sorted(by_part.items()):
        if count.valid:
            await ledger.post(
                session,
                actor,
                warehouse_id=center.id,
                part_id=part_id,
                bin_=StockBin.DEFECTIVE,
                delta=count.valid,
                kind=LedgerKind.TRANSFER_IN,
                document=movement.number,
                note="valid, for the factory",
            )
            await ledger.post(
                session,
                actor,
                warehouse_id=center.id,
                part_id=part_id,
                bin_=StockBin.GOOD,
                delta=-count.valid,
                kind=LedgerKind.TRANSFER_OUT,
                document=movement.number,
                note="replacement shipped",
            )
        if count.rejected:
            await ledger.post(
                session,
                actor,
                warehouse_id=station,
                part_id=part_id,
                bin_=StockBin.DEFECTIVE,
                delta=count.rejected,
                kind=LedgerKind.TRANSFER_IN,
                document=movement.number,
                note="rejected by the repair center",
            )
    movement.lines = [
        {
            **line,
            "valid": by_part[line["part_id"]].valid,
            "rejected": by_part[line["part_id"]].rejected,
        }
        for line in movement.lines
    ]
    movement.status = MovementStatus.REPLACEMENT_SHIPPED
    movement.decided_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "stock.old_parts_checked",
        entity_type="StockMovement",
        entity_id=movement.id,
    )
    return movement


async def confirm_replacement(
    session: AsyncSession, actor: Actor, *, movement_id: str
) -> StockMovement:
    """The station confirms the replacements arrived: they enter its good bin."""
    permissions.check(actor, "old_parts.confirm_replacement")
    movement = await documents.movement(session, movement_id)
    if movement.kind is not MovementKind.OLD_PART_RETURN:
        raise DomainError("NOT_FOUND", field="id")
    station = await documents.warehouse(session, actor, movement.from_warehouse_id or "", "id")
    if movement.status is not MovementStatus.REPLACEMENT_SHIPPED:
        raise DomainError("INVALID_TRANSITION", action="confirm", status=movement.status.value)
    for _, line in ledger.in_lock_order(movement.lines):
        if int(line.get("valid", 0)):
            await ledger.post(
                session,
                actor,
                warehouse_id=station.id,
                part_id=line["part_id"],
                bin_=StockBin.GOOD,
                delta=int(line["valid"]),
                kind=LedgerKind.TRANSFER_IN,
                document=movement.number,
                note="replacement for returned old parts",
            )
    movement.status = MovementStatus.DONE
    audit.record(
        session,
        actor,
        "stock.replacement_confirmed",
        entity_type="StockMovement",
        entity_id=movement.id,
    )
    return movement
