"""Repairs by fault code and model, and parts consumed by model (what breaks, what it costs
in parts: quantities only, never cost prices, so an agent may read its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import BigInteger, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..models import Device, Job, Part, StockEntry, Ticket
from ..models.enums import JobStatus, LedgerKind, StockBin, TicketType
from . import scope
from .period import Period, period_of, within
from .service import tickets_in


@dataclass(frozen=True)
class RepairsRow:
    fault_code: str  # "" when the report named none
    device_model_id: str | None
    repairs: int


@dataclass(frozen=True)
class PartsRow:
    part_id: str
    sku: str
    name: str
    device_model_id: str | None
    quantity: int


async def repairs_by_fault(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[RepairsRow]:
    """Repair visits completed in the period, by the report's fault code and device model."""
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    code = func.coalesce(Job.report["fault_code"].as_string(), "")
    rows = await session.execute(
        select(code, Device.device_model_id, func.count(Job.id))
        .join(Ticket, Ticket.id == Job.ticket_id)
        .outerjoin(Device, Device.id == Ticket.device_id)
        .where(
            tickets_in(actor, period),
            Ticket.type == TicketType.REPAIR,
            Job.status == JobStatus.COMPLETED,
            Job.deleted_at.is_(None),
            Job.completed_at.is_not(None),
            within(Job.completed_at, period),
        )
        .group_by(code, Device.device_model_id)
        .order_by(func.count(Job.id).desc(), code, Device.device_model_id)
    )
    return [RepairsRow(str(c), m, int(n)) for c, m, n in rows]


def _consumed(actor: Actor, period: Period):  # type: ignore[no-untyped-def]
    jobs = select(Job.id).where(scope.jobs(actor), Job.deleted_at.is_(None))
    condition = and_(
        StockEntry.job_id.in_(jobs),
        StockEntry.kind.in_((LedgerKind.CONSUMPTION, LedgerKind.REVERSAL)),
        StockEntry.bin == StockBin.GOOD,
        within(StockEntry.created_at, period),
    )
    if period.branch_id is not None:
        condition = condition & (Job.branch_id == period.branch_id)
    return condition


async def parts_by_model(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[PartsRow]:
    """Parts consumed on jobs in the period (net of reversals), by part and device model."""
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    used = -func.sum(cast(StockEntry.delta, BigInteger))  # a total may pass 32 bits (BigInt)
    rows = await session.execute(
        select(Part.id, Part.sku, Part.name, Device.device_model_id, used)
        .join(Part, Part.id == StockEntry.part_id)
        .join(Job, Job.id == StockEntry.job_id)
        .join(Ticket, Ticket.id == Job.ticket_id)
        .outerjoin(Device, Device.id == Ticket.device_id)
        .where(_consumed(actor, period))
        .group_by(Part.id, Part.sku, Part.name, Device.device_model_id)
        .order_by(Part.sku, Device.device_model_id)
    )
    return [PartsRow(p, s, n, m, int(q)) for p, s, n, m, q in rows if q]
