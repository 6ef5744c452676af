"""A page of a list as rows of plain values, names looked up once per page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import (
    Branch,
    Customer,
    DeviceModel,
    Job,
    Part,
    ServiceOutlet,
    Technician,
    Ticket,
    User,
    Warehouse,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def when(value: dt.datetime | None) -> str:
    """A moment as a dispatcher reads it: Asia/Shanghai, to the minute."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


async def _lookup(
    session: AsyncSession, column: Any, key: Any, ids: Sequence[Any]
) -> dict[str, Any]:
    wanted = list({i for i in ids if i})
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(key, column).where(key.in_(wanted[start : start + 500]))
        found.update({k: v for k, v in await session.execute(stmt)})
    return found


async def _technician_names(session: AsyncSession, ids: Sequence[Any]) -> dict[str, str]:
    wanted = list({i for i in ids if i})
    if not wanted:
        return {}
    stmt = (
        select(Technician.id, User.display_name)
        .join(User, User.id == Technician.user_id)
        .where(Technician.id.in_(wanted))
    )
    return {k: v for k, v in await session.execute(stmt)}


async def page_values(session: AsyncSession, name: str, items: Sequence[Any]) -> list[list[Any]]:
    """One list of values per row, in the list's column order (``lists.COLUMNS``)."""
    branches = await _lookup(
        session, Branch.name, Branch.id, [getattr(i, "branch_id", None) for i in items]
    )
    if name == "tickets":
        customers = await _lookup(
            session, Customer.name, Customer.id, [t.customer_id for t in items]
        )
        phones = await _lookup(session, Customer.phone, Customer.id, [t.customer_id for t in items])
        return [
            [
                t.number,
                t.type.value,
                t.status.value,
                t.priority.value,
                customers.get(t.customer_id, ""),
                phones.get(t.customer_id, ""),
                branches.get(t.branch_id, ""),
                when(t.created_at),
                when(t.due_at),
                when(t.completed_at),
            ]
            for t in items
        ]
    if name == "jobs":
        numbers = await _lookup(session, Ticket.number, Ticket.id, [j.ticket_id for j in items])
        techs = await _technician_names(session, [j.technician_id for j in items])
        return [
            [
                j.number,
                numbers.get(j.ticket_id, ""),
                j.status.value,
                branches.get(j.branch_id, ""),
                techs.get(j.technician_id, ""),
                when(j.appointment_start),
                when(j.appointment_end),
                when(j.completed_at),
            ]
            for j in items
        ]
    if name == "customers":
        return [
            [
                c.code,
                c.name,
                c.kind.value,
                c.phone,
                branches.get(c.branch_id, ""),
                when(c.created_at),
            ]
            for c in items
        ]
    if name == "devices":
        models = await _lookup(
            session, DeviceModel.name, DeviceModel.id, [d.device_model_id for d in items]
        )
        owners = await _lookup(session, Customer.name, Customer.id, [d.customer_id for d in items])
        return [
            [
                d.serial_number,
                models.get(d.device_model_id, ""),
                d.status.value,
                owners.get(d.customer_id, ""),
                branches.get(d.branch_id, ""),
                day(d.opened_on),
                day(d.supply_expires_on),
                d.bucket_balance,
            ]
            for d in items
        ]
    if name in {"stock", "discrepancies"}:
        houses = await _lookup(
            session, Warehouse.code, Warehouse.id, [i.warehouse_id for i in items]
        )
        skus = await _lookup(session, Part.sku, Part.id, [i.part_id for i in items])
        parts = await _lookup(session, Part.name, Part.id, [i.part_id for i in items])
        if name == "stock":
            return [
                [
                    houses.get(b.warehouse_id, ""),
                    skus.get(b.part_id, ""),
                    parts.get(b.part_id, ""),
                    b.bin.value,
                    b.quantity,
                    b.safety_stock,
                    b.location,
                ]
                for b in items
            ]
        jobs = await _lookup(session, Job.number, Job.id, [d.job_id for d in items])
        return [
            [
                houses.get(d.warehouse_id, ""),
                skus.get(d.part_id, ""),
                parts.get(d.part_id, ""),
                d.quantity_short,
                jobs.get(d.job_id, ""),
                d.status.value,
                when(d.received_at),
            ]
            for d in items
        ]
    if name == "settlements":
        outlets = await _lookup(
            session, ServiceOutlet.name, ServiceOutlet.id, [s.outlet_id for s in items]
        )
        return [
            [
                outlets.get(s.outlet_id, ""),
                s.month,
                s.status.value,
                s.job_count,
                s.jobs_amount,
                s.parts_amount,
                s.adjustments_amount,
                s.total,
            ]
            for s in items
        ]
    # follow-ups
    tickets = await _lookup(session, Ticket.number, Ticket.id, [f.ticket_id for f in items])
    owners = await _lookup(session, Ticket.customer_id, Ticket.id, [f.ticket_id for f in items])
    names = await _lookup(session, Customer.name, Customer.id, list(owners.values()))
    phones = await _lookup(session, Customer.phone, Customer.id, list(owners.values()))
    return [
        [
            tickets.get(f.ticket_id, ""),
            f.status.value,
            when(f.due_at),
            names.get(owners.get(f.ticket_id, ""), ""),
            phones.get(owners.get(f.ticket_id, ""), ""),
        ]
        for f in items
    ]
