"""Each exportable list: its filters, its columns, and its rows through the list's own query.

Rows come a page (100) at a time by keyset, so an export of a large list streams in constant
memory and sees exactly what the list shows the same actor.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, policy, tickets
from .. import customers as customer_queries
from ..actor import Actor
from ..custom_fields.definitions import definitions
from ..custom_fields.values import shown
from ..dispatch import board
from ..errors import DomainError
from ..inventory import discrepancies
from ..inventory import queries as stock_queries
from ..models import Device
from ..models.enums import (
    CustomFieldEntity,
    DeviceStatus,
    DiscrepancyStatus,
    JobStatus,
    Priority,
    TicketStatus,
    TicketType,
)
from ..outlets import settlements
from ..pagination import MAX_PAGE_SIZE, Page, SortKey, paginate
from ..workflow import queries as workflow_queries
from .filters import Filters
from .values import SHANGHAI, page_values


class ExportList(enum.StrEnum):
    TICKETS = "tickets"
    JOBS = "jobs"
    CUSTOMERS = "customers"
    DEVICES = "devices"
    STOCK = "stock"
    FOLLOW_UPS = "follow-ups"
    DISCREPANCIES = "discrepancies"
    SETTLEMENTS = "settlements"  # monthly outlet settlements (issue 18)


FILTERS: dict[ExportList, frozenset[str]] = {
    ExportList.TICKETS: frozenset(
        {"status", "type", "priority", "branch", "overdue", "open", "from", "to"}
    ),
    ExportList.JOBS: frozenset(
        {"from", "to", "technician", "branch", "status", "unassigned", "overdue"}
    ),
    ExportList.CUSTOMERS: frozenset({"search"}),
    ExportList.DEVICES: frozenset({"branch", "status"}),
    ExportList.STOCK: frozenset({"warehouse"}),
    ExportList.FOLLOW_UPS: frozenset(),
    ExportList.DISCREPANCIES: frozenset({"branch", "status"}),
    ExportList.SETTLEMENTS: frozenset({"month", "outlet"}),
}

# Column keys (headers are named in the caller's language by the transport, i18n).
COLUMNS: dict[ExportList, tuple[str, ...]] = {
    ExportList.TICKETS: (
        "number",
        "type",
        "status",
        "priority",
        "customer",
        "phone",
        "branch",
        "created_at",
        "due_at",
        "completed_at",
    ),
    ExportList.JOBS: (
        "number",
        "ticket",
        "status",
        "branch",
        "technician",
        "appointment_start",
        "appointment_end",
        "completed_at",
    ),
    ExportList.CUSTOMERS: ("code", "name", "kind", "phone", "branch", "created_at"),
    ExportList.DEVICES: (
        "serial",
        "model",
        "status",
        "customer",
        "branch",
        "opened_on",
        "supply_expires_on",
        "bucket_balance",
    ),
    ExportList.STOCK: ("warehouse", "sku", "part", "bin", "quantity", "safety_stock", "location"),
    ExportList.FOLLOW_UPS: ("ticket", "status", "due_at", "customer", "phone"),
    ExportList.DISCREPANCIES: (
        "warehouse",
        "sku",
        "part",
        "quantity_short",
        "job",
        "status",
        "received_at",
    ),
    ExportList.SETTLEMENTS: (
        "outlet",
        "month",
        "status",
        "job_count",
        "jobs_amount",
        "parts_amount",
        "adjustments_amount",
        "total",
    ),
}

# The lists whose rows carry custom fields (issue 18 §4).
CUSTOM_ENTITY: dict[ExportList, CustomFieldEntity] = {
    ExportList.TICKETS: CustomFieldEntity.TICKET,
    ExportList.CUSTOMERS: CustomFieldEntity.CUSTOMER,
    ExportList.DEVICES: CustomFieldEntity.DEVICE,
}

Fetch = Callable[[str | None], Awaitable[Page[Any]]]


@dataclass(frozen=True)
class Export:
    name: ExportList
    columns: tuple[str, ...]
    rows: AsyncIterator[list[Any]]


def parse_list(name: str) -> ExportList:
    try:
        return ExportList(name)
    except ValueError:
        raise DomainError("EXPORT_UNKNOWN_LIST", field="list", value=name[:64]) from None


async def _pages(fetch: Fetch) -> AsyncIterator[list[Any]]:
    after: str | None = None
    while True:
        page = await fetch(after)
        if page.items:
            yield page.items
        if not page.has_next_page or page.end_cursor is None:
            return
        after = page.end_cursor


def _fetcher(
    session: AsyncSession,
    actor: Actor,
    name: ExportList,
    f: Filters,
    now: dt.datetime,
    ids: dict[str, str | None],
) -> Fetch:
    size = MAX_PAGE_SIZE
    if name is ExportList.TICKETS:
        start, end = f.date("from"), f.date("to")
        ticket_filter = tickets.TicketFilter(
            statuses=f.enums("status", TicketStatus),
            types=f.enums("type", TicketType),
            priorities=f.enums("priority", Priority),
            branch_id=ids["branch"],
            overdue=f.flag("overdue"),
            open=f.flag("open"),
            created_after=dt.datetime.combine(start, dt.time(0), SHANGHAI) if start else None,
            created_before=(
                dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), SHANGHAI)
                if end
                else None
            ),
        )
        return lambda after: tickets.list_tickets(
            session, actor, filter=ticket_filter, first=size, after=after
        )
    if name is ExportList.JOBS:
        job_filter = board.JobFilter(
            date_from=f.date("from"),
            date_to=f.date("to"),
            technician_id=ids["technician"],
            branch_id=ids["branch"],
            statuses=f.enums("status", JobStatus),
            unassigned=f.flag("unassigned"),
            overdue=f.flag("overdue"),
        )
        return lambda after: board.jobs_page(
            session, actor, filter=job_filter, now=now, first=size, after=after
        )
    if name is ExportList.CUSTOMERS:
        search = f.text("search")
        return lambda after: customer_queries.search_customers(
            session, actor, search=search, first=size, after=after
        )
    if name is ExportList.DEVICES:
        statuses = f.enums("status", DeviceStatus)
        branch_id = ids["branch"]
        return lambda after: _devices(session, actor, branch_id, statuses, size, after)
    if name is ExportList.STOCK:
        warehouse_id = ids["warehouse"]
        if warehouse_id is None:
            raise DomainError("EXPORT_INVALID_FILTER", field="warehouse", value_field="warehouse")
        return lambda after: stock_queries.stock(
            session, actor, warehouse_id=warehouse_id, first=size, after=after
        )
    if name is ExportList.SETTLEMENTS:
        month, outlet = f.text("month"), f.text("outlet")  # outlet: its code
        return lambda after: settlements.settlements_page(
            session, actor, outlet_id=None, month=month, first=size, after=after, outlet_code=outlet
        )
    if name is ExportList.FOLLOW_UPS:
        return lambda after: workflow_queries.follow_ups_due(
            session, actor, first=size, after=after
        )
    statuses_d = f.enums("status", DiscrepancyStatus)
    status = statuses_d[0] if statuses_d else None
    return lambda after: discrepancies.discrepancies(
        session, actor, branch_id=ids["branch"], status=status, first=size, after=after
    )


async def _devices(
    session: AsyncSession,
    actor: Actor,
    branch_id: str | None,
    statuses: list[DeviceStatus],
    first: int,
    after: str | None,
) -> Page[Device]:
    """The devices the actor may see (the Device reads' scope), newest first."""
    stmt = select(Device).where(policy.devices_scope(actor), Device.deleted_at.is_(None))
    if branch_id is not None:
        stmt = stmt.where(Device.branch_id == branch_id)
    if statuses:
        stmt = stmt.where(Device.status.in_(statuses))
    order = (SortKey(Device.created_at), SortKey(Device.id))
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda d: (d.created_at, d.id)
    )


async def export(
    session: AsyncSession,
    actor: Actor,
    name: ExportList,
    values: dict[str, str],
    *,
    now: dt.datetime,
) -> Export:
    """The list's columns and its rows; filters are checked before the first row is read."""
    permissions.check(actor, "list.export")
    f = Filters(values, FILTERS[name])
    start, end = f.date("from"), f.date("to")
    if start is not None and end is not None and end < start:
        raise DomainError("EXPORT_RANGE_INVERTED", field="to")
    branch_id = await f.branch_id(session)
    if branch_id not in (None, "-"):  # another branch's list is refused, as its report is
        permissions.check(actor, "list.export", branch_id=branch_id)
    ids = {
        "branch": branch_id,
        "warehouse": await f.warehouse_id(session),
        "technician": await f.technician_id(session),
    }
    fetch = _fetcher(session, actor, name, f, now, ids)
    first = await fetch(None)  # fails now (a bad filter, a warehouse not visible), not mid-file
    entity = CUSTOM_ENTITY.get(name)
    extra = [] if entity is None else await definitions(session, entity, is_active=True)

    async def rows() -> AsyncIterator[list[Any]]:
        async def again(after: str | None) -> Page[Any]:
            return first if after is None else await fetch(after)

        async for items in _pages(again):
            values = await page_values(session, name.value, items)
            for item, row in zip(items, values, strict=True):
                stored = (item.custom_fields or {}) if extra else {}
                yield row + [shown(stored.get(c.key)) or "" for c in extra]

    # HQ's custom fields follow the list's own columns, headed by their keys (an import
    # reads them back by key or by label).
    return Export(name, COLUMNS[name] + tuple(c.key for c in extra), rows())


MAX_LOGGED_VALUE = 200  # a filter's value as the audit log keeps it


def record_download(
    session: AsyncSession, actor: Actor, kind: str, name: str, filters: dict[str, str]
) -> None:
    """Who took which list or report out, with which filters: customers' names and phones
    leave the system with an export, and the audit log is where an administrator looks."""
    kept = {k[:MAX_LOGGED_VALUE]: v[:MAX_LOGGED_VALUE] for k, v in sorted(filters.items())}
    audit.record(
        session, actor, f"{kind}.exported", entity_type="Export", entity_id=name, filters=kept
    )
