"""Reads of the workflow: the follow-up calls due and an engineer's jobs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import bounds, joined, permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..column_rows import Columns
from ..config import TIME_ZONE
from ..devices import fitted_filter_stages
from ..errors import DomainError
from ..models import Device, FilterChange, FollowUp, Job, Ticket
from ..models.enums import (
    JOB_OPEN_STATUSES,
    DeviceStatus,
    FollowUpSource,
    FollowUpStatus,
    SupplyMode,
    TicketStatus,
)
from ..pagination import Page, SortKey, paginate


async def follow_ups_due(
    session: AsyncSession,
    actor: Actor,
    *,
    first: int | None = None,
    after: str | None = None,
    include_answered: bool = False,
) -> Page[FollowUp]:
    """Completed work waiting for the hotline's call back, the longest-waiting first; with
    ``include_answered``, also the visits the customer rated themselves (no call needed)."""
    permissions.check(actor, "follow_ups.list")
    waiting = (FollowUp.status == FollowUpStatus.DUE) & (
        Ticket.status == TicketStatus.FOLLOW_UP_DUE
    )
    answered = (FollowUp.status == FollowUpStatus.DONE) & (
        FollowUp.source == FollowUpSource.CUSTOMER
    )
    stmt = (
        select(FollowUp)
        .join(Ticket, Ticket.id == FollowUp.ticket_id)
        .where(
            or_(waiting, answered) if include_answered else waiting,
            policy.tickets_scope(actor),
            FollowUp.deleted_at.is_(None),
        )
    )
    order = (SortKey(FollowUp.due_at, descending=False), SortKey(FollowUp.id, descending=False))
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda f: (f.due_at, f.id)
    )


async def my_jobs(
    session: AsyncSession,
    actor: Actor,
    *,
    day: dt.date | None,
    relations: joined.Relations | None = None,
    columns: Columns | None = None,
) -> joined.Listed:
    """The engineer's jobs: those appointed or routed on ``day`` (Asia/Shanghai), else all
    open. ``relations`` are read in the same statement (``Listed.related``), and with
    ``columns`` only those attributes (``column_rows.py``)."""
    permissions.check(actor, "jobs.mine")
    criteria = [Job.technician_id == actor.technician_id, Job.deleted_at.is_(None)]
    if day is None:
        criteria.append(Job.status.in_(JOB_OPEN_STATUSES))
    else:
        bounds.check_day(day, "date")
        start = dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)
        end = start + dt.timedelta(days=1)
        # Appointed that day, or placed on that day by an applied route plan.
        criteria.append(
            or_(
                and_(Job.appointment_start >= start, Job.appointment_start < end),
                and_(Job.planned_arrival >= start, Job.planned_arrival < end),
            )
        )
    # In route order once a plan is applied, else by appointment; unscheduled work last.
    when = func.coalesce(Job.planned_arrival, Job.appointment_start)
    asked = joined.Wanted(Job, actor, relations or {}, columns)
    return await joined.listed(
        session, asked, *criteria, order_by=(when.is_(None), when, Job.created_at, Job.id)
    )


async def supply_expiring(
    session: AsyncSession,
    actor: Actor,
    *,
    within_days: int,
    include_expired: bool,
    first: int | None,
    after: str | None,
) -> Page[Device]:
    """Installed monthly-plan devices whose supply (供水期限) ends within ``within_days``.

    For the hotline's reminder calls: the soonest first. Scoped like every device list.
    """
    permissions.check(actor, "devices.supply_expiring")
    if not 0 <= within_days <= 366:
        raise DomainError("INVALID_ARGUMENT", field="within_days")
    today = clock_of(session).now().astimezone(TIME_ZONE).date()
    stmt = select(Device).where(
        policy.devices_scope(actor),
        Device.deleted_at.is_(None),
        Device.status == DeviceStatus.INSTALLED,
        Device.supply_mode == SupplyMode.MONTHLY,
        Device.supply_expires_on.is_not(None),
        Device.supply_expires_on <= today + dt.timedelta(days=within_days),
    )
    if not include_expired:
        stmt = stmt.where(Device.supply_expires_on >= today)
    order = (
        SortKey(Device.supply_expires_on, descending=False),
        SortKey(Device.id, descending=False),
    )
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=lambda d: (d.supply_expires_on, d.id),
    )


async def filters_due(
    session: AsyncSession,
    actor: Actor,
    *,
    within_days: int,
    first: int | None,
    after: str | None,
) -> Page[Device]:
    """Installed devices with a filter due for change within ``within_days``, by device id.

    One condition per filter stage still fitted (there are a handful; a retired one is never
    due): the last change of that stage, or the device's open date, is on or before
    ``today + within_days - lifetime``.
    """
    permissions.check(actor, "devices.filters_due")
    if not 0 <= within_days <= 366:
        raise DomainError("INVALID_ARGUMENT", field="within_days")
    horizon = clock_of(session).now().astimezone(TIME_ZONE).date() + dt.timedelta(days=within_days)
    conditions = []
    for filter_type in (await session.execute(fitted_filter_stages())).scalars():
        last_change = (
            select(func.max(FilterChange.changed_on))
            .where(
                FilterChange.device_id == Device.id,
                FilterChange.filter_type_id == filter_type.id,
                FilterChange.deleted_at.is_(None),
            )
            .scalar_subquery()
        )
        cutoff = horizon - dt.timedelta(days=filter_type.lifetime_days)
        conditions.append(
            and_(
                Device.device_model_id == filter_type.device_model_id,
                func.coalesce(last_change, Device.opened_on) <= cutoff,
            )
        )
    if not conditions:
        conditions.append(false())
    stmt = select(Device).where(
        policy.devices_scope(actor),
        Device.deleted_at.is_(None),
        Device.status == DeviceStatus.INSTALLED,
        or_(*conditions),
    )
    order = (SortKey(Device.id, descending=False),)
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda d: (d.id,)
    )
