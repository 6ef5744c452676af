"""Which price standard holds (``price_for``): read by recharges, agents' orders and, later,
the outlets' settlements. It refuses nothing; a missing standard is ``None`` and the caller
falls back to its list price."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import TIME_ZONE
from ..models import PriceStandard
from ..models.enums import PriceKind


@dataclass(frozen=True)
class Region:
    """A place prices differ by: a city, a whole province (no city), or the country (neither)."""

    province: str = ""
    city: str = ""

    def candidates(self) -> list[tuple[str, str]]:
        """The keys to try, most specific first: the city, the province, the country."""
        keys = []
        if self.province and self.city:
            keys.append((self.province, self.city))
        if self.province:
            keys.append((self.province, ""))
        keys.append(("", ""))
        return keys


def local_day(at: dt.datetime | dt.date) -> dt.date:
    if isinstance(at, dt.datetime):
        return at.astimezone(TIME_ZONE).date()
    return at


async def price_for(
    session: AsyncSession,
    *,
    kind: PriceKind,
    region: Region,
    at: dt.datetime | dt.date,
    item_id: str = "",
) -> PriceStandard | None:
    """The standard for ``kind`` (and ``item_id``) that holds in ``region`` on ``at``'s day
    (Asia/Shanghai): the city's if it has one, else the province's, else the country's."""
    day = local_day(at)
    keys = region.candidates()
    rows = (
        (
            await session.execute(
                select(PriceStandard).where(
                    PriceStandard.kind == kind,
                    PriceStandard.item_id == item_id,
                    PriceStandard.deleted_at.is_(None),
                    PriceStandard.province.in_({p for p, _ in keys}),
                    PriceStandard.city.in_({c for _, c in keys}),
                    PriceStandard.effective_from <= day,
                    or_(PriceStandard.effective_to.is_(None), PriceStandard.effective_to > day),
                )
            )
        )
        .scalars()
        .all()
    )
    by_key = {(row.province, row.city): row for row in rows}
    return next((by_key[key] for key in keys if key in by_key), None)


async def service_charge(
    session: AsyncSession, *, kind: PriceKind, region: Region, at: dt.datetime | dt.date
) -> dict[str, str] | None:
    """What a chargeable visit costs, as a ticket keeps it (``details["charge"]``): the
    standard's price, currency and id; None when no standard holds there and then."""
    standard = await price_for(session, kind=kind, region=region, at=at)
    if standard is None:
        return None
    return {
        "amount": str(standard.price),
        "currency": standard.currency,
        "standard_id": standard.id,
        "kind": kind.value,
    }
