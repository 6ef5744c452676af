"""Facts that become true with time, found by a periodic scan (the notification worker runs it).

Each fact is emitted with an id made of its kind, its object and the day (Asia/Shanghai), so
running the scan again the same day adds nothing (the outbox ignores an event id it holds).
Customers are reminded on milestone days only, not every day of a week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from .. import events
from ..config import config_of
from ..devices import fitted_filter_stages
from ..events import DomainEvent, EventKind
from ..models import (
    Device,
    FilterChange,
    FollowUp,
    Job,
    Part,
    StockBalance,
    Ticket,
    Warehouse,
)
from ..models.enums import (
    DeviceStatus,
    EvidenceStatus,
    FollowUpStatus,
    StockBin,
    SupplyMode,
    TicketStatus,
)
from ..tickets import WORKING

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUPPLY_REMINDER_DAYS = (7, 3, 1)  # "your water plan ends in N days"
FILTER_REMINDER_DAYS = (7, 0)  # a week ahead, and on the day


async def scan(session: AsyncSession, *, now: dt.datetime) -> int:
    """Emit today's periodic facts into the session's transaction; returns how many."""
    today = now.astimezone(SHANGHAI).date()
    found = 0
    makers = (_follow_ups_due, _supply_expiring, _filters_due, _stock_below_safety)
    for make in (*makers, _tickets_overdue, _evidence_overdue):
        for event in await make(session, now, today):
            events.emit(session, event)
            found += 1
    return found


def _fact(
    kind: EventKind,
    object_id: str,
    today: dt.date,
    now: dt.datetime,
    *,
    branch_id: str | None,
    data: dict[str, object],
    ticket_id: str | None = None,
    customer_id: str | None = None,
) -> DomainEvent:
    return DomainEvent(
        kind=kind,
        id=events.periodic_id(kind, object_id, today),
        at=now,
        branch_id=branch_id,
        ticket_id=ticket_id,
        customer_id=customer_id,
        data=data,
    )


async def _follow_ups_due(
    session: AsyncSession, now: dt.datetime, today: dt.date
) -> list[DomainEvent]:
    rows = await session.execute(
        select(FollowUp.id, Ticket.id, Ticket.number, Ticket.branch_id, Ticket.customer_id)
        .join(Ticket, Ticket.id == FollowUp.ticket_id)
        .where(
            FollowUp.status == FollowUpStatus.DUE,
            FollowUp.due_at <= now,
            FollowUp.deleted_at.is_(None),
            Ticket.status == TicketStatus.FOLLOW_UP_DUE,
        )
    )
    return [
        _fact(
            EventKind.FOLLOW_UP_DUE,
            fid,
            today,
            now,
            branch_id=branch,
            ticket_id=tid,
            customer_id=customer,
            data={"number": number},
        )
        for fid, tid, number, branch, customer in rows
    ]


def _installed() -> ColumnElement[bool]:
    return and_(
        Device.deleted_at.is_(None),
        Device.status == DeviceStatus.INSTALLED,
        Device.customer_id.is_not(None),
    )


async def _supply_expiring(
    session: AsyncSession, now: dt.datetime, today: dt.date
) -> list[DomainEvent]:
    days = [today + dt.timedelta(days=n) for n in SUPPLY_REMINDER_DAYS]
    rows = await session.execute(
        select(Device.id, Device.serial_number, Device.branch_id, Device.customer_id)
        .add_columns(Device.supply_expires_on)
        .where(
            _installed(),
            Device.supply_mode == SupplyMode.MONTHLY,
            Device.supply_expires_on.in_(days),
        )
    )
    return [
        _fact(
            EventKind.SUPPLY_EXPIRING,
            did,
            today,
            now,
            branch_id=branch,
            customer_id=customer,
            data={
                "serial_number": serial,
                "expires_on": ends.isoformat(),
                "days_left": (ends - today).days,
            },
        )
        for did, serial, branch, customer, ends in rows
    ]


async def _filters_due(
    session: AsyncSession, now: dt.datetime, today: dt.date
) -> list[DomainEvent]:
    """A filter is due ``lifetime_days`` after its last change (or the device's opening); a
    stage retired from its model is never reminded of."""
    found: dict[str, DomainEvent] = {}
    for filter_type in (await session.execute(fitted_filter_stages())).scalars():
        last = (
            select(func.max(FilterChange.changed_on))
            .where(
                FilterChange.device_id == Device.id,
                FilterChange.filter_type_id == filter_type.id,
                FilterChange.deleted_at.is_(None),
            )
            .scalar_subquery()
        )
        since = func.coalesce(last, Device.opened_on)
        days = {
            n: today + dt.timedelta(days=n) - dt.timedelta(days=filter_type.lifetime_days)
            for n in FILTER_REMINDER_DAYS
        }
        rows = await session.execute(
            select(Device.id, Device.serial_number, Device.branch_id, Device.customer_id, since)
            .where(
                _installed(),
                Device.device_model_id == filter_type.device_model_id,
                or_(*[since == day for day in days.values()]),
            )
            .order_by(Device.id)
        )
        for did, serial, branch, customer, changed in rows:
            due = changed + dt.timedelta(days=filter_type.lifetime_days)
            found.setdefault(  # one reminder per device and day, whichever stage
                did,
                _fact(
                    EventKind.FILTER_DUE,
                    did,
                    today,
                    now,
                    branch_id=branch,
                    customer_id=customer,
                    data={
                        "serial_number": serial,
                        "filter": filter_type.name,
                        "due_on": due.isoformat(),
                        "days_left": (due - today).days,
                    },
                ),
            )
    return list(found.values())


async def _stock_below_safety(
    session: AsyncSession, now: dt.datetime, today: dt.date
) -> list[DomainEvent]:
    rows = await session.execute(
        select(StockBalance, Warehouse.branch_id, Warehouse.name, Part.name)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .join(Part, Part.id == StockBalance.part_id)
        .where(
            and_(
                StockBalance.bin == StockBin.GOOD,
                StockBalance.quantity < StockBalance.safety_stock,
                StockBalance.deleted_at.is_(None),
                Warehouse.branch_id.is_not(None),
            )
        )
    )
    return [
        _fact(
            EventKind.STOCK_BELOW_SAFETY,
            balance.id,
            today,
            now,
            branch_id=branch,
            data={
                "warehouse": warehouse,
                "part": part,
                "quantity": balance.quantity,
                "safety_stock": balance.safety_stock,
            },
        )
        for balance, branch, warehouse, part in rows
    ]


async def _tickets_overdue(
    session: AsyncSession, now: dt.datetime, today: dt.date
) -> list[DomainEvent]:
    """Work still owed past its service-level deadline (``tickets.is_overdue``): the branch's
    clerks hear of each once a day while it stays late."""
    rows = await session.execute(
        select(Ticket.id, Ticket.number, Ticket.branch_id, Ticket.customer_id, Ticket.due_at)
        .where(
            Ticket.status.in_(WORKING),
            Ticket.due_at < now,
            Ticket.deleted_at.is_(None),
            Ticket.branch_id.is_not(None),
        )
        .order_by(Ticket.due_at, Ticket.id)
    )
    return [
        _fact(
            EventKind.TICKET_OVERDUE,
            tid,
            today,
            now,
            branch_id=branch,
            ticket_id=tid,
            customer_id=customer,
            data={"number": number, "due_at": due.isoformat() if due else None},
        )
        for tid, number, branch, customer, due in rows
    ]


async def _evidence_overdue(
    session: AsyncSession, now: dt.datetime, today: dt.date
) -> list[DomainEvent]:
    """Completed jobs whose photos or forms are still missing past the allowed delay (the
    same list as ``media.reading.overdue_evidence``): to the branch's clerks, once a day."""
    cutoff = now - config_of(session).media.evidence_overdue_after
    rows = await session.execute(
        select(Job.id, Job.number, Job.branch_id, Job.ticket_id, Job.technician_id).where(
            Job.evidence == EvidenceStatus.PENDING,
            Job.completed_at <= cutoff,
            Job.deleted_at.is_(None),
        )
    )
    found = []
    for jid, number, branch, ticket, tech in rows:
        data: dict[str, object] = {"number": number}
        fact = _fact(EventKind.EVIDENCE_OVERDUE, jid, today, now, branch_id=branch, data=data)
        found.append(dataclasses.replace(fact, ticket_id=ticket, job_id=jid, technician_id=tech))
    return found
