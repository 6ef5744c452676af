"""The revenue reminders the daily planner adds to the notification scan's (issue 18 §5).

The scan (``notifications/scan.py``) already tells monthly-plan customers 7, 3 and 1 days
before their supply ends, and reminds of filters and follow-ups; it says nothing to
bucket-plan customers, and nobody hears when a plan has lapsed. So, once a day:

- ``BUCKETS_LOW`` to the customer of an installed bucket-plan device on the days its balance
  is at a milestone (``buckets_low_at``, by default 2 and 0 buckets, told once each, as the
  scan tells milestones, not every day);
- ``RECHARGE_LAPSED`` to the branch's clerks, ``recharge_lapsed_days`` (by default 1 and 7)
  days after a monthly plan ended without a recharge, for the call that brings the customer
  back.

The milestones are the operator's (``DomainConfig.maintenance``, reports/config.py).

Each fact's id is its kind, device and day (``events.periodic_id``), so a second run the same
day adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import events
from ..config import TIME_ZONE, config_of
from ..events import DomainEvent, EventKind
from ..models import Customer, Device
from ..models.enums import DeviceStatus, SupplyMode


def _fact(
    kind: EventKind, device: Device, today: dt.date, now: dt.datetime, **data: object
) -> DomainEvent:
    return DomainEvent(
        kind=kind,
        id=events.periodic_id(kind, device.id, today),
        at=now,
        branch_id=device.branch_id,
        customer_id=device.customer_id,
        data={"serial_number": device.serial_number, **data},
    )


async def remind(session: AsyncSession, *, now: dt.datetime) -> int:
    """Emit today's revenue reminders into the session's transaction; returns how many."""
    today = now.astimezone(TIME_ZONE).date()
    limits = config_of(session).maintenance
    installed = and_(
        Device.deleted_at.is_(None),
        Device.status == DeviceStatus.INSTALLED,
        Device.customer_id.is_not(None),
    )
    low = (
        await session.execute(
            select(Device).where(
                installed,
                Device.supply_mode == SupplyMode.BUCKETS,
                Device.bucket_balance.in_(limits.buckets_low_at),
                Device.first_recharged_at.is_not(None),  # never recharged: not a lapse yet
            )
        )
    ).scalars()
    found = [_fact(EventKind.BUCKETS_LOW, d, today, now, buckets=d.bucket_balance) for d in low]
    ended = [today - dt.timedelta(days=n) for n in limits.recharge_lapsed_days]
    lapsed = await session.execute(
        select(Device, Customer.name)
        .join(Customer, Customer.id == Device.customer_id)
        .where(
            installed,
            Device.supply_mode == SupplyMode.MONTHLY,
            Device.supply_expires_on.in_(ended),
        )
    )
    for device, name in lapsed:
        expired = device.supply_expires_on.isoformat() if device.supply_expires_on else ""
        found.append(
            _fact(
                EventKind.RECHARGE_LAPSED,
                device,
                today,
                now,
                expired_on=expired,
                customer_name=name,
            )
        )
    for event in found:
        events.emit(session, event)
    return len(found)
