"""The one place balances change: ``post`` writes the guarded update and its ledger entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .. import versioning
from ..actor import Actor
from ..bounds import MAX_BALANCE
from ..errors import DomainError
from ..models import StockBalance, StockEntry, new_id, utcnow
from ..models.enums import LedgerKind, StockBin

L = TypeVar("L")

BALANCES: Table = StockBalance.__table__  # type: ignore[assignment]


async def ensure_balance(
    session: AsyncSession, warehouse_id: str, part_id: str, bin_: StockBin
) -> None:
    """Create the balance row at zero if it is missing, racing writers included."""
    values = {
        "id": new_id(),
        "warehouse_id": warehouse_id,
        "part_id": part_id,
        "bin": bin_,
        "quantity": 0,
        "safety_stock": 0,
        "location": "",
        "created_at": utcnow(),
        "updated_at": utcnow(),
        "version": 0,
    }
    dialect = session.bind.dialect.name if session.bind is not None else ""
    keys = ["warehouse_id", "part_id", "bin"]
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(StockBalance).values(values)
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite.insert(StockBalance).values(values)
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - the two engines we run on are above
        stmt = insert(StockBalance).values(values)
    await session.execute(stmt)


async def available(
    session: AsyncSession, warehouse_id: str, part_id: str, bin_: StockBin = StockBin.GOOD
) -> int:
    quantity = await session.scalar(
        select(StockBalance.quantity).where(
            StockBalance.warehouse_id == warehouse_id,
            StockBalance.part_id == part_id,
            StockBalance.bin == bin_,
        )
    )
    return int(quantity or 0)


async def hold(
    session: AsyncSession, warehouse_id: str, part_id: str, bin_: StockBin = StockBin.GOOD
) -> int:
    """Lock one balance row until the transaction ends and read it (a missing row is zero).

    A no-op UPDATE takes the row lock on both engines (``FOR UPDATE`` is dropped on SQLite,
    where a write is what serialises a transaction), so a quantity decided from this read
    is still right when it is posted.
    """
    await ensure_balance(session, warehouse_id, part_id, bin_)
    quantity = (
        await session.execute(
            update(StockBalance)
            .where(
                StockBalance.warehouse_id == warehouse_id,
                StockBalance.part_id == part_id,
                StockBalance.bin == bin_,
            )
            .values(quantity=StockBalance.quantity)
            .returning(StockBalance.quantity)
        )
    ).scalar_one()
    return int(quantity)


def in_lock_order(lines: Sequence[L]) -> list[tuple[int, L]]:
    """A document's lines with their places, in the order their balances are locked: by
    part, then bin: two writes naming the same parts in opposite orders deadlock (two
    consumptions of one van did)."""
    return sorted(enumerate(lines), key=lambda item: _part_and_bin(item[1]))


def _part_and_bin(line: Any) -> tuple[str, str]:
    if isinstance(line, Mapping):  # a stored document's line
        return str(line["part_id"]), str(line.get("bin", ""))
    return str(line.part_id), str(line.bin)


async def post(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    part_id: str,
    bin_: StockBin,
    delta: int,
    kind: LedgerKind,
    job_id: str | None = None,
    document: str = "",
    client_id: str | None = None,
    note: str = "",
    field: str = "quantity",
) -> StockEntry:
    """Change one balance by ``delta`` and record why; refuses to go below zero, or above
    ``bounds.MAX_BALANCE`` (what the column and GraphQL's Int hold: two receipts of
    2,147,483,647 were both taken, and the warehouse's stock list failed for everyone)."""
    if delta == 0:
        raise DomainError("QUANTITY_OUT_OF_RANGE", field=field)
    if delta > MAX_BALANCE:  # not even sent: PostgreSQL would refuse it as an int4 parameter
        have = await available(session, warehouse_id, part_id, bin_)
        raise DomainError("STOCK_LIMIT_EXCEEDED", field=field, maximum=MAX_BALANCE, available=have)
    if delta > 0:
        await ensure_balance(session, warehouse_id, part_id, bin_)
    guard = (
        StockBalance.quantity >= -delta
        if delta < 0
        else StockBalance.quantity <= MAX_BALANCE - delta
    )
    stamp = await versioning.bulk_values(session)
    changed = (
        await session.execute(
            update(StockBalance)
            .where(
                StockBalance.warehouse_id == warehouse_id,
                StockBalance.part_id == part_id,
                StockBalance.bin == bin_,
                guard,
            )
            .values(quantity=StockBalance.quantity + delta, updated_at=utcnow(), **stamp)
            .returning(StockBalance.id)
        )
    ).scalar_one_or_none()
    if changed is None:
        have = await available(session, warehouse_id, part_id, bin_)
        if delta > 0:
            raise DomainError(
                "STOCK_LIMIT_EXCEEDED", field=field, maximum=MAX_BALANCE, available=have
            )
        raise DomainError("INSUFFICIENT_STOCK", field=field, available=have, wanted=-delta)
    if not stamp:
        versioning.mark_changed(session, BALANCES, [changed])
    entry = StockEntry(
        warehouse_id=warehouse_id,
        part_id=part_id,
        bin=bin_,
        delta=delta,
        kind=kind,
        job_id=job_id,
        document=document,
        client_id=client_id,
        actor_id=actor.user_id or None,
        note=note[:500],
    )
    session.add(entry)
    await session.flush()
    return entry
