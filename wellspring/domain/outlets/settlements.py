"""Monthly settlements with an outlet: draft -> confirmed -> paid.

A draft is computed from the month's completed jobs of the outlet's engineers (Shanghai
month, by ``completed_at``): jobs by ticket type x the outlet's rate card, or, for a type
missing from the card, the service-fee price standard that held for the job (pricing.py);
a job priced by neither is on a flagged line and the settlement is confirmed only when HQ
accepts it. Less the parts fitted on those jobs at list price (the vans' stock is the
company's, so parts are charged to the outlet), plus adjustments with a reason. Generating
again recomputes a draft and keeps its adjustments; a confirmed or paid settlement is never
recomputed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, clock, permissions
from ..actor import Actor
from ..bounds import check_cents
from ..errors import DomainError
from ..models import (
    Address,
    Branch,
    Job,
    OutletSettlement,
    Part,
    ServiceOutlet,
    StockEntry,
    Technician,
    Ticket,
)
from ..models.enums import JobStatus, LedgerKind, SettlementStatus
from ..pagination import Page, SortKey, paginate
from . import scopes
from .figures import day_bounds
from .outlets import visible_outlet
from .pricing import CENT, DoneJob, price_lines, unpriced_jobs

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_ADJUSTMENT = Decimal("10000000")
MAX_ADJUSTMENTS = 50


def parse_month(month: str, field: str = "month") -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` -> its first and last day."""
    found = MONTH.match(month.strip())
    if found is None or not 2000 <= int(found.group(1)) <= 2999:
        raise DomainError("INVALID_MONTH", field=field, value=month[:16])
    first = dt.date(int(found.group(1)), int(found.group(2)), 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


async def _compute(session: AsyncSession, row: OutletSettlement, rates: dict[str, str]) -> None:
    first, last = parse_month(row.month)
    low, high = day_bounds(first, last)
    engineers = select(Technician.id).where(Technician.outlet_id == row.outlet_id)
    # The job's region is its ticket's address, else its branch's (price_lookup.Region).
    jobs = (
        await session.execute(
            select(
                Job.id,
                Ticket.type,
                Job.completed_at,
                func.coalesce(Address.province, Branch.province, ""),
                func.coalesce(Address.city, Branch.city, ""),
            )
            .join(Ticket, Ticket.id == Job.ticket_id)
            .outerjoin(Address, Address.id == Ticket.address_id)
            .outerjoin(Branch, Branch.id == Ticket.branch_id)
            .where(
                Job.technician_id.in_(engineers),
                Job.status == JobStatus.COMPLETED,
                Job.completed_at >= low,
                Job.completed_at < high,
                Job.deleted_at.is_(None),
            )
        )
    ).all()
    done = [  # completed_at is set: the query asks for it
        DoneJob(str(t.value), at or low, province, city) for _id, t, at, province, city in jobs
    ]
    lines, jobs_amount = await price_lines(session, done, rates)
    parts = Decimal(0)
    if jobs:
        fitted = await session.scalar(
            select(func.coalesce(func.sum(-StockEntry.delta * Part.list_price), 0))
            .select_from(StockEntry)
            .join(Part, Part.id == StockEntry.part_id)
            .where(
                StockEntry.job_id.in_([job[0] for job in jobs]),
                StockEntry.kind == LedgerKind.CONSUMPTION,
            )
        )
        parts = Decimal(str(fitted or 0)).quantize(CENT)
    row.lines = lines
    row.job_count = len(jobs)
    row.jobs_amount = jobs_amount
    row.parts_amount = parts
    _total(row)
    row.generated_at = clock.now(session)


def _total(row: OutletSettlement) -> None:
    adjusted = sum((Decimal(a["amount"]) for a in row.adjustments), Decimal(0))
    row.adjustments_amount = adjusted.quantize(CENT)
    row.total = (Decimal(row.jobs_amount) - Decimal(row.parts_amount) + adjusted).quantize(CENT)


async def generate_settlement(
    session: AsyncSession, actor: Actor, *, outlet_id: str, month: str
) -> OutletSettlement:
    """The outlet's draft for the month, made or recomputed from the jobs as they are now."""
    permissions.check(actor, "outlet_settlement.generate")
    parse_month(month)
    outlet = await visible_outlet(session, actor, outlet_id)
    permissions.check(actor, "outlet_settlement.generate", branch_id=outlet.branch_id)
    row = await session.scalar(
        select(OutletSettlement)
        .where(OutletSettlement.outlet_id == outlet.id, OutletSettlement.month == month.strip())
        .with_for_update()  # a recomputation waits for a decision on the draft, and sees it
        .execution_options(populate_existing=True)
    )
    if row is None:
        row = OutletSettlement(
            outlet_id=outlet.id, month=month.strip(), currency=outlet.currency, adjustments=[]
        )
        session.add(row)
    elif row.status is not SettlementStatus.DRAFT:
        raise DomainError("SETTLEMENT_NOT_DRAFT", field="month")
    await _compute(session, row, dict(outlet.rate_card or {}))
    await session.flush()
    audit.record(
        session, actor, "settlement.generated", entity_type="OutletSettlement", entity_id=row.id
    )
    return row


async def _visible(
    session: AsyncSession, actor: Actor, operation: str, settlement_id: str
) -> OutletSettlement:
    permissions.check(actor, operation)
    row = await session.scalar(
        select(OutletSettlement)
        .where(
            OutletSettlement.id == settlement_id,
            scopes.settlements_scope(actor),
            OutletSettlement.deleted_at.is_(None),
        )
        # Locked until commit: two decisions on one settlement at once (ten confirmations,
        # adjustments each writing the list over the other's) are taken one after the other.
        .with_for_update(of=OutletSettlement)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise DomainError("NOT_FOUND", field="id")
    outlet = await visible_outlet(session, actor, row.outlet_id)
    permissions.check(actor, operation, branch_id=outlet.branch_id)
    return row


async def adjust_settlement(
    session: AsyncSession, actor: Actor, *, settlement_id: str, amount: Decimal, reason: str
) -> OutletSettlement:
    """Add (or, negative, take off) an amount with a reason; drafts only."""
    row = await _visible(session, actor, "outlet_settlement.adjust", settlement_id)
    if row.status is not SettlementStatus.DRAFT:
        raise DomainError("SETTLEMENT_NOT_DRAFT", field="id")
    text = reason.strip()
    if not text:
        raise DomainError("REQUIRED", field="reason")
    if len(text) > 200:
        raise DomainError("VALUE_TOO_LONG", field="reason", maximum=200)
    if not amount.is_finite() or amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise DomainError("INVALID_RATE", field="amount", value_field="amount")
    check_cents(amount, "amount")
    if len(row.adjustments) >= MAX_ADJUSTMENTS:
        raise DomainError("TOO_MANY_ITEMS", field="amount", maximum=MAX_ADJUSTMENTS)
    entry = {
        "amount": str(amount.quantize(CENT)),
        "reason": text,
        "by": actor.user_id,
        "at": clock.now(session).isoformat(),
    }
    row.adjustments = [*row.adjustments, entry]
    _total(row)
    await session.flush()
    audit.record(
        session, actor, "settlement.adjusted", entity_type="OutletSettlement", entity_id=row.id
    )
    return row


async def confirm_settlement(
    session: AsyncSession, actor: Actor, *, settlement_id: str, accept_unpriced: bool = False
) -> OutletSettlement:
    """Freeze a draft. Jobs priced by neither the rate card nor a standard count 0; HQ
    confirms them so only by saying so (``accept_unpriced``), else SETTLEMENT_UNPRICED."""
    row = await _visible(session, actor, "outlet_settlement.confirm", settlement_id)
    if row.status is not SettlementStatus.DRAFT:
        raise DomainError("SETTLEMENT_NOT_DRAFT", field="id")
    unpriced = unpriced_jobs(row.lines)
    if unpriced and not accept_unpriced:
        raise DomainError("SETTLEMENT_UNPRICED", field="accept_unpriced", count=unpriced)
    row.status = SettlementStatus.CONFIRMED
    row.confirmed_at = clock.now(session)
    row.confirmed_by_id = actor.user_id or None
    await session.flush()
    audit.record(
        session, actor, "settlement.confirmed", entity_type="OutletSettlement", entity_id=row.id
    )
    return row


async def mark_settlement_paid(
    session: AsyncSession, actor: Actor, *, settlement_id: str, reference: str = ""
) -> OutletSettlement:
    row = await _visible(session, actor, "outlet_settlement.pay", settlement_id)
    if row.status is not SettlementStatus.CONFIRMED:
        raise DomainError("SETTLEMENT_NOT_CONFIRMED", field="id")
    text = reference.strip()
    if len(text) > 64:
        raise DomainError("VALUE_TOO_LONG", field="reference", maximum=64)
    row.status = SettlementStatus.PAID
    row.paid_at = clock.now(session)
    row.paid_by_id = actor.user_id or None
    row.payment_reference = text
    await session.flush()
    audit.record(
        session, actor, "settlement.paid", entity_type="OutletSettlement", entity_id=row.id
    )
    return row


async def settlements_page(
    session: AsyncSession,
    actor: Actor,
    *,
    outlet_id: str | None,
    month: str | None,
    first: int | None,
    after: str | None,
    outlet_code: str | None = None,
) -> Page[OutletSettlement]:
    """Settlements the actor may see (an outlet's engineer: their outlet's), newest month first."""
    permissions.check(actor, "outlet_settlements.list")
    stmt = select(OutletSettlement).where(
        scopes.settlements_scope(actor), OutletSettlement.deleted_at.is_(None)
    )
    if outlet_id is not None:
        stmt = stmt.where(OutletSettlement.outlet_id == outlet_id)
    if outlet_code is not None:  # the export's filter: an unknown code matches nothing
        code = select(ServiceOutlet.id).where(ServiceOutlet.code == outlet_code.strip())
        stmt = stmt.where(OutletSettlement.outlet_id.in_(code))
    if month:
        parse_month(month)
        stmt = stmt.where(OutletSettlement.month == month.strip())
    order = (SortKey(OutletSettlement.month), SortKey(OutletSettlement.id))
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda s: (s.month, s.id)
    )
