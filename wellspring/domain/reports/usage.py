"""Which installed devices need their filters changed, and why (maintenance from usage).

Three rules, each one SQL statement per filter stage or one pass over recent tests:

- ``INTERVAL``: a stage's ``lifetime_days`` have passed since its last change, or since the
  device was opened if it was never changed (as ``devicesFiltersDue`` with 0 days);
- ``VOLUME``: a bucket-plan device has been recharged ``capacity_buckets`` or more since the
  stage's last change (recharges done after that day, from the RECHARGE tickets' quantities);
- ``TDS_DRIFT``: the device's latest water test reads a TDS at least ``tds_drift_ratio`` times,
  and ``tds_drift_min_mg_l`` above, the first reading after its last filter change (the
  membrane is tiring before any threshold fails); the thresholds are the operator's
  (``DomainConfig.maintenance``, reports/config.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from ..config import TIME_ZONE, config_of
from ..devices import fitted_filter_stages
from ..models import Device, FilterChange, FilterType, Ticket, WaterTest
from ..models.enums import DeviceStatus, SupplyMode, TicketType
from ..tickets import FINISHED


class DueReason(enum.StrEnum):
    INTERVAL = "INTERVAL"
    VOLUME = "VOLUME"
    TDS_DRIFT = "TDS_DRIFT"


@dataclass
class Due:
    device_id: str
    branch_id: str
    reasons: set[DueReason] = field(default_factory=set)
    stages: set[str] = field(default_factory=set)  # filter stage names


def _installed() -> ColumnElement[bool]:
    return and_(
        Device.deleted_at.is_(None),
        Device.status == DeviceStatus.INSTALLED,
        Device.customer_id.is_not(None),
    )


def _last_change(filter_type_id: str) -> ColumnElement[dt.date]:
    return (
        select(func.max(FilterChange.changed_on))
        .where(
            FilterChange.device_id == Device.id,
            FilterChange.filter_type_id == filter_type_id,
            FilterChange.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


def _note(
    found: dict[str, Due], device_id: str, branch: str, reason: DueReason, stage: str
) -> None:
    due = found.setdefault(device_id, Due(device_id, branch))
    due.reasons.add(reason)
    if stage:
        due.stages.add(stage)


async def _by_interval(
    session: AsyncSession, stage: FilterType, today: dt.date, found: dict[str, Due]
) -> None:
    since = func.coalesce(_last_change(stage.id), Device.opened_on)
    cutoff = today - dt.timedelta(days=stage.lifetime_days)
    rows = await session.execute(
        select(Device.id, Device.branch_id).where(
            _installed(), Device.device_model_id == stage.device_model_id, since <= cutoff
        )
    )
    for device_id, branch in rows:
        _note(found, device_id, branch, DueReason.INTERVAL, stage.name)


async def _by_volume(session: AsyncSession, stage: FilterType, found: dict[str, Due]) -> None:
    if not stage.capacity_buckets:
        return
    last = _last_change(stage.id)
    quantity = Ticket.details[("recharge", "quantity")].as_integer()
    # Recharges completed after the day of the last change (or ever, if never changed).
    since = func.coalesce(last, Device.opened_on)
    recharged = (
        select(func.coalesce(func.sum(quantity), 0))
        .where(
            Ticket.device_id == Device.id,
            Ticket.type == TicketType.RECHARGE,
            Ticket.status.in_(FINISHED),
            Ticket.deleted_at.is_(None),
            Ticket.completed_at.is_not(None),
            (since.is_(None)) | (func.date(Ticket.completed_at) > since),
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Device.id, Device.branch_id).where(
            _installed(),
            Device.device_model_id == stage.device_model_id,
            Device.supply_mode == SupplyMode.BUCKETS,
            recharged >= stage.capacity_buckets,
        )
    )
    for device_id, branch in rows:
        _note(found, device_id, branch, DueReason.VOLUME, stage.name)


async def _by_tds(session: AsyncSession, now: dt.datetime, found: dict[str, Due]) -> None:
    limits = config_of(session).maintenance
    last_change = (
        select(FilterChange.device_id, func.max(FilterChange.changed_on).label("on"))
        .where(FilterChange.deleted_at.is_(None))
        .group_by(FilterChange.device_id)
        .subquery()
    )
    rows = await session.execute(
        select(WaterTest.device_id, Device.branch_id, WaterTest.tested_at, WaterTest.tds_mg_l)
        .join(Device, Device.id == WaterTest.device_id)
        .outerjoin(last_change, last_change.c.device_id == WaterTest.device_id)
        .where(
            _installed(),
            WaterTest.deleted_at.is_(None),
            WaterTest.tds_mg_l.is_not(None),
            WaterTest.tested_at >= now - dt.timedelta(days=limits.tds_lookback_days),
            (last_change.c.on.is_(None)) | (func.date(WaterTest.tested_at) >= last_change.c.on),
        )
        .order_by(WaterTest.device_id, WaterTest.tested_at, WaterTest.id)
    )
    series: dict[str, tuple[str, float, float]] = {}
    for device_id, branch, _at, tds in rows:
        reading = float(tds or 0.0)
        first = series.get(device_id)
        series[device_id] = (branch, first[1] if first else reading, reading)
    for device_id, (branch, baseline, latest) in series.items():
        if limits.drifted(baseline, latest):
            _note(found, device_id, branch, DueReason.TDS_DRIFT, "")


async def due_devices(session: AsyncSession, *, now: dt.datetime) -> dict[str, Due]:
    """Every installed device due for a filter change today, with the rules that say so."""
    today = now.astimezone(TIME_ZONE).date()
    found: dict[str, Due] = {}
    stages = (await session.execute(fitted_filter_stages())).scalars()
    for stage in stages:
        await _by_interval(session, stage, today, found)
        await _by_volume(session, stage, found)
    await _by_tds(session, now, found)
    return found
