"""Pricing a settlement's jobs: the outlet's rate card first, else the service-fee price
standard that held for the job (its ticket's region, its completion day), else nothing.

Jobs are grouped into lines by ticket type, source and rate, so a month whose jobs met two
standards (two cities, or a standard that changed mid-month) shows both. A line priced by
nothing says so (``source`` NONE, ``rate`` null): it counts as 0 in the total and the
settlement refuses to be confirmed until HQ accepts it (settlements.confirm_settlement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ..agents.price_lookup import Region, local_day, price_for
from ..models.enums import PriceKind, SettlementPriceSource, TicketType

CENT = Decimal("0.01")

# The ticket types a service-fee standard prices (the price standards' SERVICE_* kinds).
SERVICE_FEE: dict[str, PriceKind] = {
    TicketType.RELOCATE.value: PriceKind.SERVICE_RELOCATE,
    TicketType.UNINSTALL.value: PriceKind.SERVICE_UNINSTALL,
    TicketType.REPAIR.value: PriceKind.SERVICE_REPAIR,
}


@dataclass(frozen=True)
class DoneJob:
    ticket_type: str
    completed_at: dt.datetime
    province: str
    city: str


@dataclass(frozen=True)
class Priced:
    source: SettlementPriceSource
    rate: Decimal | None
    standard_id: str = ""


async def _price(
    session: AsyncSession,
    job: DoneJob,
    rates: dict[str, str],
    cache: dict[tuple[PriceKind, str, str, dt.date], Priced],
) -> Priced:
    if job.ticket_type in rates:
        return Priced(SettlementPriceSource.RATE_CARD, Decimal(rates[job.ticket_type]))
    kind = SERVICE_FEE.get(job.ticket_type)
    if kind is None:
        return Priced(SettlementPriceSource.NONE, None)
    key = (kind, job.province, job.city, local_day(job.completed_at))
    if key not in cache:
        standard = await price_for(
            session, kind=kind, region=Region(job.province, job.city), at=key[3]
        )
        cache[key] = (
            Priced(SettlementPriceSource.PRICE_STANDARD, Decimal(standard.price), standard.id)
            if standard is not None
            else Priced(SettlementPriceSource.NONE, None)
        )
    return cache[key]


async def price_lines(
    session: AsyncSession, jobs: list[DoneJob], rates: dict[str, str]
) -> tuple[list[dict[str, object]], Decimal]:
    """The settlement's lines (JSON-ready) and the jobs' amount."""
    cache: dict[tuple[PriceKind, str, str, dt.date], Priced] = {}
    counts: dict[tuple[str, Priced], int] = {}
    for job in jobs:
        priced = await _price(session, job, rates, cache)
        counts[(job.ticket_type, priced)] = counts.get((job.ticket_type, priced), 0) + 1
    lines: list[dict[str, object]] = []
    total = Decimal(0)
    order = sorted(
        counts, key=lambda k: (k[0], k[1].source.value, k[1].rate or Decimal(0), k[1].standard_id)
    )
    for ticket_type, priced in order:
        count = counts[(ticket_type, priced)]
        amount = ((priced.rate or Decimal(0)) * count).quantize(CENT)
        total += amount
        lines.append(
            {
                "ticket_type": ticket_type,
                "jobs": count,
                "rate": None if priced.rate is None else str(priced.rate.quantize(CENT)),
                "amount": str(amount),
                "source": priced.source.value,
                "price_standard_id": priced.standard_id,
            }
        )
    return lines, total


def unpriced_jobs(lines: list[dict[str, object]]) -> int:
    """Jobs on lines priced by nothing (older lines, without a source, were rate-card ones)."""
    return sum(
        int(str(line["jobs"]))
        for line in lines
        if line.get("source") == SettlementPriceSource.NONE.value
    )
