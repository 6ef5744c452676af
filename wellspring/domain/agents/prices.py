"""Price standards (价格标准): HQ sets what a recharge, a chargeable service or a dealer's
purchase costs per region, from one day until another; periods of one key never overlap.

Which one holds on a day is ``price_lookup.price_for`` (re-exported here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..clock import clock_of
from ..db import one_at_a_time
from ..errors import DomainError
from ..masterdata import fields
from ..models import DeviceModel, Part, PriceStandard
from ..models.enums import PriceKind
from ..pagination import Page, SortKey, paginate
from .price_lookup import Region, price_for

__all__ = ["PriceChange", "Region", "price_for", "price_standards_page", "upsert_price_standard"]

# The kinds priced per item, and the catalogue the item comes from.
ITEM_MODELS: dict[PriceKind, type[DeviceModel] | type[Part]] = {
    PriceKind.DEALER_MACHINE: DeviceModel,
    PriceKind.DEALER_PART: Part,
}


@dataclass(frozen=True)
class PriceChange:
    """Without ``id`` a new standard (kind, price and effective_from required); with it an
    edit of the fields given. ``retire`` withdraws it (kept, never deleted)."""

    id: str | None = None
    kind: PriceKind | None = None
    item_id: str | None = None
    province: str | None = None
    city: str | None = None
    price: Decimal | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    clear_effective_to: bool = False
    note: str | None = None
    retire: bool = False


async def upsert_price_standard(
    session: AsyncSession, actor: Actor, *, change: PriceChange
) -> PriceStandard:
    permissions.check(actor, "price_standard.upsert")
    if change.id is None:
        if change.kind is None:
            raise DomainError("REQUIRED", field="kind")
        if change.effective_from is None:
            raise DomainError("REQUIRED", field="effective_from")
        row = PriceStandard(kind=change.kind, price=fields.amount(change.price, "price"))
        row.effective_from = change.effective_from
    else:
        row = await fields.existing(session, PriceStandard, change.id, "id")
        if change.kind is not None:
            row.kind = change.kind
        if change.price is not None:
            row.price = fields.amount(change.price, "price")
        if change.effective_from is not None:
            row.effective_from = change.effective_from
    if change.item_id is not None or change.id is None:
        row.item_id = change.item_id or ""
    await _check_item(session, row)
    if change.province is not None:
        row.province = fields.text(change.province, "province", maximum=50, required=False)
    if change.city is not None:
        row.city = fields.text(change.city, "city", maximum=50, required=False)
    if row.city and not row.province:
        raise DomainError("REQUIRED", field="province")  # a city is named within its province
    if change.effective_to is not None:
        row.effective_to = change.effective_to
    elif change.clear_effective_to:
        row.effective_to = None
    if row.effective_to is not None and row.effective_to <= row.effective_from:
        raise DomainError("INVALID_PERIOD", field="effective_to")
    if change.note is not None:
        row.note = fields.text(change.note, "note", maximum=200, required=False)
    if change.retire:
        row.deleted_at = clock_of(session).now()
    else:
        # One save of a key at a time: two overlapping periods saved at once both passed.
        await one_at_a_time(session, lock_key(row.kind, row.item_id, row.province, row.city))
        await _check_overlap(session, row)
    if change.id is None:
        session.add(row)
    await session.flush()
    action = "price_standard.created" if change.id is None else "price_standard.updated"
    if change.retire:
        action = "price_standard.retired"
    audit.record(
        session,
        actor,
        action,
        entity_type="PriceStandard",
        entity_id=row.id,
        kind=row.kind.value,
        price=str(row.price),
        effective_from=row.effective_from.isoformat(),
    )
    return row


def lock_key(kind: PriceKind, item_id: str, province: str, city: str) -> str:
    """What two saves of standards of one key wait on."""
    return f"price:{kind.value}:{item_id}:{province}:{city}"


async def _check_item(session: AsyncSession, row: PriceStandard) -> None:
    catalogue = ITEM_MODELS.get(row.kind)
    if catalogue is None:
        if row.item_id:
            raise DomainError("INVALID_ARGUMENT", field="item_id")
        return
    if not row.item_id:
        raise DomainError("REQUIRED", field="item_id")
    await fields.existing(session, catalogue, row.item_id, "item_id")


async def _check_overlap(session: AsyncSession, row: PriceStandard) -> None:
    """One price per key and day: refuse a period that meets another of the same key."""
    stmt = select(PriceStandard.id, PriceStandard.effective_from).where(
        PriceStandard.kind == row.kind,
        PriceStandard.item_id == row.item_id,
        PriceStandard.province == row.province,
        PriceStandard.city == row.city,
        PriceStandard.deleted_at.is_(None),
        or_(PriceStandard.effective_to.is_(None), PriceStandard.effective_to > row.effective_from),
    )
    if row.effective_to is not None:
        stmt = stmt.where(PriceStandard.effective_from < row.effective_to)
    if row.id is not None:
        stmt = stmt.where(PriceStandard.id != row.id)
    other = (await session.execute(stmt.limit(1))).first()
    if other is not None:
        raise DomainError(
            "PRICE_PERIOD_OVERLAP", field="effective_from", since=other[1].isoformat()
        )


async def price_standards_page(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: PriceKind | None,
    province: str | None,
    on: dt.date | None,
    first: int | None,
    after: str | None,
) -> Page[PriceStandard]:
    """The standards in force or planned (retired ones left out), newest period first."""
    permissions.check(actor, "price_standards.list")
    stmt = select(PriceStandard).where(PriceStandard.deleted_at.is_(None))
    if kind is not None:
        stmt = stmt.where(PriceStandard.kind == kind)
    if province:
        stmt = stmt.where(PriceStandard.province == province.strip()[:50])
    if on is not None:
        stmt = stmt.where(
            PriceStandard.effective_from <= on,
            or_(PriceStandard.effective_to.is_(None), PriceStandard.effective_to > on),
        )
    return await paginate(
        session,
        stmt,
        order=(SortKey(PriceStandard.effective_from), SortKey(PriceStandard.id)),
        first=first,
        after=after,
        row_key=lambda r: (r.effective_from, r.id),
    )
