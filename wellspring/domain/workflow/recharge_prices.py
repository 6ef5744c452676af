"""What water costs by the company's price standard (价格标准): the standard for a device's
supply plan that holds where it stands on a day.

Read when a customer opens a recharge themselves (the company prices its water: a unit price
they send is never taken) and when any recharge is completed (the standard is recorded beside
the price paid). Staff still enter the price they took.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import Actor
from ..agents.price_lookup import Region, price_for
from ..clock import clock_of
from ..errors import DomainError
from ..models import Address, Device, PriceStandard
from ..models.enums import PriceKind, SupplyMode
from .requests import RechargeRequest

RECHARGE_PRICE = {
    SupplyMode.MONTHLY: PriceKind.RECHARGE_MONTH,
    SupplyMode.BUCKETS: PriceKind.RECHARGE_BUCKET,
}


async def standard_for(
    session: AsyncSession, *, mode: SupplyMode, address: Address | None, at: dt.datetime
) -> PriceStandard | None:
    """The standard for a month or a bucket of ``mode`` at ``address`` (its city's, else its
    province's, else the country's) on ``at``'s day; None when none holds."""
    region = Region(address.province, address.city) if address is not None else Region()
    return await price_for(session, kind=RECHARGE_PRICE[mode], region=region, at=at)


async def priced_for_customer(
    session: AsyncSession, actor: Actor, recharge: RechargeRequest, device: Device
) -> RechargeRequest:
    """A customer's own recharge at the standard unit price of the device's plan where the
    device stands, today. The unit price they sent is ignored (the audit entry keeps it);
    when no standard holds, ``RECHARGE_PRICE_UNAVAILABLE``: never their number instead."""
    address = await session.get(Address, device.address_id) if device.address_id else None
    standard = await standard_for(
        session, mode=device.supply_mode, address=address, at=clock_of(session).now()
    )
    if standard is None:
        raise DomainError(
            "RECHARGE_PRICE_UNAVAILABLE", field="recharge", mode=device.supply_mode.value
        )
    audit.record(
        session,
        actor,
        "recharge.priced",
        entity_type="Device",
        entity_id=device.id,
        price_standard_id=standard.id,
        unit_price=str(standard.price),
        unit_price_sent=str(recharge.unit_price) if recharge.unit_price is not None else None,
    )
    return dataclasses.replace(recharge, unit_price=standard.price)
