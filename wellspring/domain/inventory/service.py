"""Stock use cases: receipts, two-step transfers, breakage with HQ approval, stocktakes, and
parts consumed on jobs (idempotent per phone-generated line id, reversed if the job is
cancelled). None of them commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, numbering, policy
from ..actor import Actor
from ..errors import DomainError, PermissionDenied
from ..models import Job, Part, StockBalance, StockEntry, StockMovement, Warehouse
from ..models.enums import (
    JobStatus,
    LedgerKind,
    MovementKind,
    MovementStatus,
    Role,
    StockBin,
    WarehouseKind,
)
from . import discrepancies, ledger

MANAGERS = frozenset({Role.ADMIN, Role.HQ, Role.CLERK})
APPROVERS = frozenset({Role.ADMIN, Role.HQ})
MAX_LINES = 100
MOVEMENT = ("stock_movement_number", "M")


@dataclass(frozen=True)
class Line:
    part_id: str
    quantity: int
    bin: StockBin = StockBin.GOOD
    old_part_returned: bool = False


async def _warehouse(
    session: AsyncSession, actor: Actor, warehouse_id: str, field: str
) -> Warehouse:
    row = (
        await session.execute(
            select(Warehouse).where(Warehouse.id == warehouse_id, policy.warehouses_scope(actor))
        )
    ).scalar_one_or_none()
    if row is None or not row.is_active:
        raise DomainError("NOT_FOUND", field=field)
    return row


async def _check_lines(
    session: AsyncSession, lines: list[Line], *, allow_zero: bool = False
) -> None:
    if not lines or len(lines) > MAX_LINES:
        raise DomainError("INVALID_ARGUMENT", field="lines")
    known = set(
        (
            await session.execute(
                select(Part.id).where(Part.id.in_({line.part_id for line in lines}))
            )
        ).scalars()
    )
    for index, line in enumerate(lines):
        if line.part_id not in known:
            raise DomainError("UNKNOWN_PART", field=f"lines.{index}.partId")
        if line.quantity < 0 or (line.quantity == 0 and not allow_zero):
            raise DomainError("QUANTITY_OUT_OF_RANGE", field=f"lines.{index}.quantity")


def _as_json(lines: list[Line]) -> list[dict[str, object]]:
    return [{"part_id": x.part_id, "bin": x.bin.value, "quantity": x.quantity} for x in lines]


async def _document(
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
    engineer_return = kind is MovementKind.MATERIAL_RETURN and actor.role is Role.TECHNICIAN
    if actor.role not in MANAGERS and not engineer_return:
        raise PermissionDenied
    await _check_lines(session, lines, allow_zero=kind is MovementKind.STOCKTAKE)
    match kind:
        case MovementKind.RECEIPT:
            target = await _warehouse(
                session, actor, _need(to_warehouse_id, "toWarehouseId"), "toWarehouseId"
            )
            movement = await _document(
                session,
                actor,
                kind,
                MovementStatus.DONE,
                lines,
                source=None,
                target=target,
                note=note,
            )
            for i, line in enumerate(lines):
                await ledger.post(
                    session,
                    actor,
                    warehouse_id=target.id,
                    part_id=line.part_id,
                    bin_=line.bin,
                    delta=line.quantity,
                    kind=LedgerKind.RECEIPT,
                    document=movement.number,
                    field=f"lines.{i}.quantity",
                )
        case MovementKind.TRANSFER | MovementKind.MATERIAL_RETURN | MovementKind.OLD_PART_RETURN:
            source = await _warehouse(
                session, actor, _need(from_warehouse_id, "fromWarehouseId"), "fromWarehouseId"
            )
            target_id = _need(to_warehouse_id, "toWarehouseId")
            if target_id == source.id:
                raise DomainError("SAME_WAREHOUSE", field="toWarehouseId")
            destination = await session.get(Warehouse, target_id)
            if destination is None or not destination.is_active or destination.deleted_at:
                raise DomainError("NOT_FOUND", field="toWarehouseId")
            target = destination
            _check_route(kind, source, target, lines)
            movement = await _document(
                session,
                actor,
                kind,
                MovementStatus.IN_TRANSIT,
                lines,
                source=source,
                target=target,
                note=note,
            )
            for i, line in enumerate(lines):
                await ledger.post(
                    session,
                    actor,
                    warehouse_id=source.id,
                    part_id=line.part_id,
                    bin_=line.bin,
                    delta=-line.quantity,
                    kind=LedgerKind.TRANSFER_OUT,
                    document=movement.number,
                    field=f"lines.{i}.quantity",
                )
        case MovementKind.BREAKAGE:
            source = await _warehouse(
                session, actor, _need(from_warehouse_id, "fromWarehouseId"), "fromWarehouseId"
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
            movement = await _document(
                session,
                actor,
                kind,
                MovementStatus.REPORTED,
                lines,
                source=source,
                target=None,
                note=note,
            )
        case MovementKind.STOCKTAKE:
            target = await _warehouse(
                session, actor, _need(to_warehouse_id, "toWarehouseId"), "toWarehouseId"
            )
            movement = await _document(
                session,
                actor,
                kind,
                MovementStatus.DONE,
                lines,
                source=None,
                target=target,
                note=note,
            )
            for i, line in enumerate(lines):
                counted = line.quantity
                delta = counted - await ledger.available(session, target.id, line.part_id, line.bin)
                if delta:
                    await ledger.post(
                        session,
                        actor,
                        warehouse_id=target.id,
                        part_id=line.part_id,
                        bin_=line.bin,
                        delta=delta,
                        kind=LedgerKind.STOCKTAKE,
                        document=movement.number,
                        field=f"lines.{i}.quantity",
                        note=f"counted {counted}",
                    )
    return movement


def _check_route(
    kind: MovementKind, source: Warehouse, target: Warehouse, lines: list[Line]
) -> None:
    """A material return leaves a van; old parts go, from the defective bin, to the center."""
    if kind is MovementKind.MATERIAL_RETURN and source.kind is not WarehouseKind.VAN:
        raise DomainError("INVALID_ARGUMENT", field="fromWarehouseId")
    if kind is MovementKind.OLD_PART_RETURN:
        if target.kind is not WarehouseKind.REPAIR_CENTER:
            raise DomainError("INVALID_ARGUMENT", field="toWarehouseId")
        if any(line.bin is not StockBin.DEFECTIVE for line in lines):
            raise DomainError("INVALID_ARGUMENT", field="lines")


def _need(value: str | None, field: str) -> str:
    if not value:
        raise DomainError("REQUIRED", field=field)
    return value


async def _movement(session: AsyncSession, movement_id: str) -> StockMovement:
    movement = await session.get(StockMovement, movement_id)
    if movement is None or movement.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="id")
    return movement


async def receive_transfer(
    session: AsyncSession, actor: Actor, *, movement_id: str
) -> StockMovement:
    """The destination confirms a shipped transfer; the stock in transit arrives."""
    if actor.role not in MANAGERS:
        raise PermissionDenied
    movement = await _movement(session, movement_id)
    target_id = movement.to_warehouse_id or ""
    await _warehouse(session, actor, target_id, "id")  # only the destination's people
    receivable = (MovementKind.TRANSFER, MovementKind.MATERIAL_RETURN)
    if movement.kind not in receivable or movement.status is not MovementStatus.IN_TRANSIT:
        raise DomainError("INVALID_TRANSITION", action="receive", status=movement.status.value)
    for line in movement.lines:
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
    if actor.role not in APPROVERS:
        raise PermissionDenied
    movement = await _movement(session, movement_id)
    if movement.kind is not MovementKind.BREAKAGE or movement.status is not MovementStatus.REPORTED:
        raise DomainError("INVALID_TRANSITION", action="decide", status=movement.status.value)
    if approve:
        for i, line in enumerate(movement.lines):
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


async def consume_parts(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    lines: list[Line],
    client_id: str,
    recorded_at: dt.datetime | None = None,
    recorded_offline: bool = False,
) -> list[StockEntry]:
    """Parts used on a job, from the engineer's van; swapped old parts go to its defective bin.

    ``client_id`` is the phone's id for this batch: sent again (a retry after a lost answer),
    it returns what the first call recorded and changes nothing. Recorded offline, the work
    is already done: what the van's book cannot cover opens a discrepancy instead of failing.
    """
    if actor.role is not Role.TECHNICIAN:
        raise PermissionDenied
    key = client_id.strip()
    if not key or len(key) > 80:
        raise DomainError("INVALID_ARGUMENT", field="clientId")
    job = await session.get(Job, job_id)
    if job is None or job.technician_id != actor.technician_id:
        raise DomainError("NOT_FOUND", field="jobId")
    earlier = (
        (
            await session.execute(
                select(StockEntry)
                .where(StockEntry.client_id.like(f"{key}:%"))
                .order_by(StockEntry.client_id)
            )
        )
        .scalars()
        .all()
    )
    if earlier:
        if any(entry.job_id != job.id for entry in earlier):
            raise DomainError("INVALID_ARGUMENT", field="clientId")
        return list(earlier)
    if job.status not in (JobStatus.ON_SITE, JobStatus.COMPLETED):
        raise DomainError("INVALID_TRANSITION", action="consume", status=job.status.value)
    await _check_lines(session, lines)
    van = (
        await session.execute(
            select(Warehouse).where(Warehouse.technician_id == actor.technician_id)
        )
    ).scalar_one_or_none()
    if van is None:
        raise DomainError("NO_VAN", field="jobId")
    entries = []
    for i, line in enumerate(lines):
        if recorded_offline:
            await discrepancies.cover_shortfall(
                session,
                actor,
                van=van,
                job=job,
                part_id=line.part_id,
                quantity=line.quantity,
                client_id=f"{key}:{i:03d}",
                recorded_at=recorded_at,
            )
        entries.append(
            await ledger.post(
                session,
                actor,
                warehouse_id=van.id,
                part_id=line.part_id,
                bin_=StockBin.GOOD,
                delta=-line.quantity,
                kind=LedgerKind.CONSUMPTION,
                job_id=job.id,
                document=job.number,
                client_id=f"{key}:{i:03d}",
                field=f"lines.{i}.quantity",
            )
        )
        if line.old_part_returned:
            entries.append(
                await ledger.post(
                    session,
                    actor,
                    warehouse_id=van.id,
                    part_id=line.part_id,
                    bin_=StockBin.DEFECTIVE,
                    delta=line.quantity,
                    kind=LedgerKind.OLD_PART,
                    job_id=job.id,
                    document=job.number,
                    client_id=f"{key}:{i:03d}:old",
                )
            )
    for entry in entries:
        entry.recorded_at = recorded_at  # the phone's time, when it was recorded offline
    audit.record(
        session, actor, "stock.consumed", entity_type="Job", entity_id=job.id, client_id=key
    )
    return entries


async def reverse_job(session: AsyncSession, actor: Actor, *, job_id: str) -> int:
    """Undo what a cancelled job consumed, with reversing entries (the ledger is never edited)."""
    entries = (
        (
            await session.execute(
                select(StockEntry).where(
                    StockEntry.job_id == job_id,
                    StockEntry.kind.in_((LedgerKind.CONSUMPTION, LedgerKind.OLD_PART)),
                )
            )
        )
        .scalars()
        .all()
    )
    for entry in entries:
        await ledger.post(
            session,
            actor,
            warehouse_id=entry.warehouse_id,
            part_id=entry.part_id,
            bin_=entry.bin,
            delta=-entry.delta,
            kind=LedgerKind.REVERSAL,
            job_id=job_id,
            document=entry.document,
            note=f"reverses {entry.id}",
        )
    return len(entries)


async def set_safety_stock(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    part_id: str,
    safety_stock: int | None = None,
    location: str | None = None,
) -> StockBalance:
    """A part's settings in a warehouse: the refill level of its good stock, its bin location."""
    if actor.role not in MANAGERS:
        raise PermissionDenied
    if safety_stock is not None and not 0 <= safety_stock <= 1_000_000:
        raise DomainError("QUANTITY_OUT_OF_RANGE", field="safetyStock")
    if location is not None and len(location.strip()) > 32:
        raise DomainError("VALUE_TOO_LONG", field="location", maximum=32)
    warehouse = await _warehouse(session, actor, warehouse_id, "warehouseId")
    if await session.get(Part, part_id) is None:
        raise DomainError("UNKNOWN_PART", field="partId")
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
        balance.location = location.strip()
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
    if actor.role not in MANAGERS:
        raise PermissionDenied
    movement = await _movement(session, movement_id)
    if movement.kind is not MovementKind.OLD_PART_RETURN:
        raise DomainError("NOT_FOUND", field="id")
    center = await _warehouse(session, actor, movement.to_warehouse_id or "", "id")
    if movement.status is not MovementStatus.IN_TRANSIT:
        raise DomainError("INVALID_TRANSITION", action="check", status=movement.status.value)
    shipped = {line["part_id"]: int(line["quantity"]) for line in movement.lines}
    by_part = {c.part_id: c for c in counts}
    if set(by_part) != set(shipped):
        raise DomainError("INVALID_ARGUMENT", field="counts")
    for i, (part_id, quantity) in enumerate(shipped.items()):
        count = by_part[part_id]
        if count.valid < 0 or count.rejected < 0 or count.valid + count.rejected != quantity:
            raise DomainError("COUNTS_DO_NOT_ADD_UP", field=f"counts.{i}", shipped=quantity)
    station = movement.from_warehouse_id or ""
    for part_id, count in by_part.items():
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
    if actor.role not in MANAGERS:
        raise PermissionDenied
    movement = await _movement(session, movement_id)
    if movement.kind is not MovementKind.OLD_PART_RETURN:
        raise DomainError("NOT_FOUND", field="id")
    station = await _warehouse(session, actor, movement.from_warehouse_id or "", "id")
    if movement.status is not MovementStatus.REPLACEMENT_SHIPPED:
        raise DomainError("INVALID_TRANSITION", action="confirm", status=movement.status.value)
    for line in movement.lines:
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
