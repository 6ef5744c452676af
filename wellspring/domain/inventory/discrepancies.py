"""Stock discrepancies: consumptions recorded offline that the van's book stock could not cover.

The part was used, so the consumption is never refused and always posts in full (the job, the
device history and the phone all show the whole quantity). What the book lacked is booked into
the van provisionally (``SHORTFALL``, +) just before the consumption, so the balance never goes
below zero and still equals the sum of its ledger, and a discrepancy opens for the van's branch.

The branch settles it with one of three explanations; each posts what it means into the van,
then cancels the provisional entry (``SHORTFALL_SETTLED``, -):

==================== ============================================= ======================
resolution           entries                                        net effect
==================== ============================================= ======================
UNBOOKED_TRANSFER    source -n TRANSFER_OUT, van +n TRANSFER_IN     the source's book
                     van -n SHORTFALL_SETTLED                       drops by n
STOCKTAKE_CORRECTION van +n STOCKTAKE, van -n SHORTFALL_SETTLED     none; the van's count
                                                                    was wrong
WRITE_OFF            van +n WRITE_OFF, van -n SHORTFALL_SETTLED     none; absorbed, reason
                                                                    kept
==================== ============================================= ======================

So at any time a van's open shortfall is the sum of its SHORTFALL and SHORTFALL_SETTLED
entries, and every unit consumed is explained by exactly one kind of entry. Cancelling the
job's ticket settles nothing: the parts were used all the same, and the consumption stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, events, permissions
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import Job, StockDiscrepancy, StockEntry, Warehouse
from ..models.enums import DiscrepancyResolution, DiscrepancyStatus, LedgerKind, StockBin
from ..pagination import Page, SortKey, paginate
from . import ledger
from .scopes import discrepancies_scope, warehouses_scope

MAX_REASON = 500


async def cover_shortfall(
    session: AsyncSession,
    actor: Actor,
    *,
    van: Warehouse,
    job: Job,
    part_id: str,
    quantity: int,
    client_id: str,
    recorded_at: dt.datetime | None,
) -> StockDiscrepancy | None:
    """Before an offline consumption of ``quantity`` posts: if the van's book holds less, book
    the difference in provisionally and open a discrepancy for it. Returns it, or None."""
    have = await ledger.hold(session, van.id, part_id, StockBin.GOOD)
    short = quantity - have
    if short <= 0:
        return None
    await ledger.post(
        session,
        actor,
        warehouse_id=van.id,
        part_id=part_id,
        bin_=StockBin.GOOD,
        delta=short,
        kind=LedgerKind.SHORTFALL,
        document=job.number,
        note=f"offline consumption {client_id}: book held {have} of {quantity}",
    )
    discrepancy = StockDiscrepancy(
        branch_id=van.branch_id or job.branch_id,
        warehouse_id=van.id,
        part_id=part_id,
        quantity_short=short,
        job_id=job.id,
        technician_id=van.technician_id,
        client_id=client_id,
        recorded_at=recorded_at,
        received_at=clock_of(session).now(),
        status=DiscrepancyStatus.OPEN,
    )
    session.add(discrepancy)
    await session.flush()
    audit.record(
        session,
        actor,
        "stock.discrepancy_opened",
        entity_type="StockDiscrepancy",
        entity_id=discrepancy.id,
        job_id=job.id,
        part_id=part_id,
        quantity_short=short,
    )
    events.emit(
        session,
        events.DomainEvent(
            kind=events.EventKind.STOCK_DISCREPANCY_OPENED,
            branch_id=discrepancy.branch_id,
            ticket_id=job.ticket_id,
            job_id=job.id,
            technician_id=van.technician_id,
            actor_id=actor.user_id or None,
            data={
                "number": job.number,
                "part_id": part_id,
                "quantity_short": short,
                "discrepancy_id": discrepancy.id,
            },
        ),
    )
    return discrepancy


async def discrepancies(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    status: DiscrepancyStatus | None,
    first: int | None,
    after: str | None,
) -> Page[StockDiscrepancy]:
    """The discrepancies the actor may see, oldest first (a queue to work through)."""
    stmt = select(StockDiscrepancy).where(
        discrepancies_scope(actor), StockDiscrepancy.deleted_at.is_(None)
    )
    if branch_id is not None:
        stmt = stmt.where(StockDiscrepancy.branch_id == branch_id)
    if status is not None:
        stmt = stmt.where(StockDiscrepancy.status == status)
    order = (
        SortKey(StockDiscrepancy.created_at, descending=False),
        SortKey(StockDiscrepancy.id, descending=False),
    )
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda d: (d.created_at, d.id)
    )


@dataclass(frozen=True)
class Resolved:
    discrepancy: StockDiscrepancy
    entries: list[StockEntry]


async def resolve(
    session: AsyncSession,
    actor: Actor,
    *,
    discrepancy_id: str,
    resolution: DiscrepancyResolution,
    reason: str = "",
    source_warehouse_id: str | None = None,
) -> Resolved:
    """The branch explains a shortfall; the matching entries post and the discrepancy closes."""
    permissions.check(actor, "stock_discrepancy.resolve")
    row = (
        await session.execute(
            select(StockDiscrepancy).where(
                StockDiscrepancy.id == discrepancy_id,
                StockDiscrepancy.deleted_at.is_(None),
                discrepancies_scope(actor),
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise DomainError("NOT_FOUND", field="id")
    if row.status is not DiscrepancyStatus.OPEN:
        raise DomainError("DISCREPANCY_ALREADY_RESOLVED", field="id")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise DomainError("VALUE_TOO_LONG", field="reason", maximum=MAX_REASON)
    if resolution is DiscrepancyResolution.WRITE_OFF and not reason:
        raise DomainError("REASON_REQUIRED", field="reason")
    source = await _source(session, actor, row, resolution, source_warehouse_id)
    # Claim it with a guarded UPDATE too: two clerks resolving at once settle it once.
    claimed = (
        await session.execute(
            update(StockDiscrepancy)
            .where(
                StockDiscrepancy.id == row.id,
                StockDiscrepancy.status == DiscrepancyStatus.OPEN,
            )
            .values(status=DiscrepancyStatus.RESOLVED)
            .returning(StockDiscrepancy.id)
        )
    ).scalar_one_or_none()
    if claimed is None:
        raise DomainError("DISCREPANCY_ALREADY_RESOLVED", field="id")
    entries = await _post(session, actor, row, resolution, reason, source)
    row.status = DiscrepancyStatus.RESOLVED
    row.resolution = resolution
    row.reason = reason
    row.source_warehouse_id = source.id if source else None
    row.resolved_by_id = actor.user_id or None
    row.resolved_at = clock_of(session).now()
    await session.flush()
    audit.record(
        session,
        actor,
        "stock.discrepancy_resolved",
        entity_type="StockDiscrepancy",
        entity_id=row.id,
        resolution=resolution.value,
        reason=reason,
        source_warehouse_id=row.source_warehouse_id,
        quantity=row.quantity_short,
    )
    return Resolved(row, entries)


async def _source(
    session: AsyncSession,
    actor: Actor,
    row: StockDiscrepancy,
    resolution: DiscrepancyResolution,
    source_warehouse_id: str | None,
) -> Warehouse | None:
    """The warehouse an unbooked transfer came from: one the actor may see, not the van."""
    field = "source_warehouse_id"
    if resolution is not DiscrepancyResolution.UNBOOKED_TRANSFER:
        if source_warehouse_id:
            raise DomainError("INVALID_ARGUMENT", field=field)
        return None
    if not source_warehouse_id:
        raise DomainError("REQUIRED", field=field)
    source = (
        await session.execute(
            select(Warehouse).where(Warehouse.id == source_warehouse_id, warehouses_scope(actor))
        )
    ).scalar_one_or_none()
    if source is None or not source.is_active or source.deleted_at is not None:
        raise DomainError("NOT_FOUND", field=field)
    if source.id == row.warehouse_id:
        raise DomainError("SAME_WAREHOUSE", field=field)
    return source


async def _post(
    session: AsyncSession,
    actor: Actor,
    row: StockDiscrepancy,
    resolution: DiscrepancyResolution,
    reason: str,
    source: Warehouse | None,
) -> list[StockEntry]:
    job_number = await session.scalar(select(Job.number).where(Job.id == row.job_id)) or ""

    async def step(warehouse_id: str, delta: int, kind: LedgerKind, note: str) -> StockEntry:
        return await ledger.post(
            session,
            actor,
            warehouse_id=warehouse_id,
            part_id=row.part_id,
            bin_=StockBin.GOOD,
            delta=delta,
            kind=kind,
            document=job_number,
            note=note,
            field="source_warehouse_id" if warehouse_id != row.warehouse_id else "id",
        )

    n = row.quantity_short
    entries: list[StockEntry] = []
    if source is not None:
        note = "unbooked transfer into a van, found by a stock discrepancy"
        entries.append(await step(source.id, -n, LedgerKind.TRANSFER_OUT, note))
    explained = {
        DiscrepancyResolution.UNBOOKED_TRANSFER: LedgerKind.TRANSFER_IN,
        DiscrepancyResolution.STOCKTAKE_CORRECTION: LedgerKind.STOCKTAKE,
        DiscrepancyResolution.WRITE_OFF: LedgerKind.WRITE_OFF,
    }[resolution]
    entries.append(await step(row.warehouse_id, n, explained, reason))
    entries.append(
        await step(row.warehouse_id, -n, LedgerKind.SHORTFALL_SETTLED, f"settles {row.id}")
    )
    return entries
