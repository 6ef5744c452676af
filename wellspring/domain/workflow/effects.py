"""What each ticket type changes besides its status, done in the same transaction as the move.

``check_report`` refuses a report missing what its type needs; ``on_complete`` applies the
type's effect when the engineer completes the job; ``on_close`` applies what waits for the
follow-up call (a move's new address).
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, events, water
from ..actor import Actor
from ..bounds import (
    MAX_RECHARGE_BUCKETS,
    MAX_RECHARGE_MONTHS,
    MAX_REPORT_TEXT,
    MAX_TRAVEL_KM,
    check_int,
    check_length,
    check_number,
)
from ..config import TIME_ZONE
from ..errors import DomainError, present
from ..inventory import machines
from ..models import (
    AccountCard,
    Address,
    Customer,
    Device,
    DeviceModel,
    FilterChange,
    FilterType,
    Job,
    Ticket,
)
from ..models.enums import (
    CardStatus,
    DeviceStatus,
    SupplyMode,
    TicketType,
)
from . import cards, recharge_prices, ticket_details, water_tests
from .catalogue import DEVICE_CONDITIONS

REQUIRED: dict[TicketType, tuple[str, ...]] = {
    TicketType.INSTALL: ("confirmation_number",),
    TicketType.REPAIR: ("fault_symptom", "fault_code", "repair_level"),
    TicketType.UNINSTALL: ("device_condition",),
    TicketType.WATER_TEST: ("water_test",),
    TicketType.FILTER_CHANGE: ("filters_changed",),
}


# The report's key named as clients send it today: ``repair_level`` holds repairLevelCode (or
# the deprecated repairLevel enum), and a refusal points at the current input.
SENT_AS = {"repair_level": "repair_level_code"}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def check_report(ticket: Ticket, report: Mapping[str, Any]) -> dict[str, Any]:
    """The report with text trimmed, or the first field its type requires that is missing."""
    clean = {k: v.strip() if isinstance(v, str) else v for k, v in report.items()}
    for name, value in clean.items():  # refused, not cut: nobody's words lost unknowingly
        if isinstance(value, str):
            check_length(value, f"report.{name}", MAX_REPORT_TEXT)
    for name in REQUIRED.get(ticket.type, ()):
        if clean.get(name) in (None, ""):
            raise DomainError("REPORT_FIELD_REQUIRED", field=f"report.{SENT_AS.get(name, name)}")
    # A repair's fault code and level are checked against HQ's lists (workflow/fault_codes.py).
    if ticket.type is TicketType.REPAIR and not isinstance(clean["repair_level"], str):
        raise DomainError("INVALID_ARGUMENT", field="report.repair_level_code")
    if ticket.type is TicketType.UNINSTALL and clean["device_condition"] not in DEVICE_CONDITIONS:
        raise DomainError("INVALID_ARGUMENT", field="report.device_condition")
    tested = clean.get("water_test")
    if isinstance(tested, Mapping):
        water.check(_readings(tested))
    elif tested is not None:
        raise DomainError("INVALID_ARGUMENT", field="report.water_test")
    distance = clean.get("travel_distance_km")
    if distance is not None:  # summed by the reports: finite and plausible (bounds.py)
        if isinstance(distance, bool) or not isinstance(distance, int | float):
            raise DomainError("INVALID_ARGUMENT", field="report.travel_distance_km")
        if distance < 0:
            raise DomainError("AMOUNT_NEGATIVE", field="report.travel_distance_km")
        check_number(distance, "report.travel_distance_km", 0, MAX_TRAVEL_KM)
    left = clean.get("remaining_water_value")
    if left is not None:  # buckets or days still on the machine: none is fewer than nothing
        if isinstance(left, bool) or not isinstance(left, int):
            raise DomainError("INVALID_ARGUMENT", field="report.remaining_water_value")
        if left < 0:
            raise DomainError("AMOUNT_NEGATIVE", field="report.remaining_water_value")
    return clean


def _readings(values: Mapping[str, Any]) -> water.Readings:
    return water.Readings(
        tds_mg_l=values.get("tds"),
        ph=values.get("ph"),
        residual_chlorine_mg_l=values.get("residual_chlorine"),
        turbidity_ntu=values.get("turbidity"),
        temperature_c=values.get("temperature"),
    )


async def on_complete(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    job: Job,
    report: Mapping[str, Any],
    *,
    at: dt.datetime,
    recorded_offline: bool = False,
) -> Ticket | None:
    """Apply the type's effect as of ``at`` (when the work was done); returns a follow-up
    ticket it opened, if any. ``recorded_offline``: a report a phone filled from what it
    pulled (a sync push; ``_change_filters``)."""
    follow_up: Ticket | None = None
    if report.get("water_test") is not None and ticket.device_id is not None:
        _, follow_up = await water_tests.record(
            session,
            actor,
            ticket=ticket,
            job=job,
            readings=_readings(report["water_test"]),
            tested_at=at,
        )
    match ticket.type:
        case TicketType.INSTALL:
            await _install(session, actor, ticket, job, report, at)
        case TicketType.UNINSTALL:
            await _uninstall(session, actor, ticket, report, at)
        case TicketType.CARD_CANCEL:
            await cards.cancel(session, actor, ticket, at)
        case TicketType.RECHARGE:
            await _recharge(session, actor, ticket, at)
        case TicketType.FILTER_CHANGE:
            await _change_filters(session, actor, ticket, job, report, at, recorded_offline)
    return follow_up


async def on_close(session: AsyncSession, actor: Actor, ticket: Ticket) -> None:
    if ticket.type is TicketType.RELOCATE:
        await _relocate(session, actor, ticket)


async def _install(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    job: Job,
    report: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Bind and activate the card; the machine goes in at the site (装机)."""
    request = ticket.details.get("install") or {}
    number = str(report["confirmation_number"])[:32]
    taken = await session.scalar(select(Job.id).where(Job.confirmation_number == number))
    if taken is not None:
        raise DomainError("CONFIRMATION_NUMBER_TAKEN", field="report.confirmation_number")
    job.confirmation_number = number
    card = await session.scalar(  # locked: two installs of one card at once bind it once
        select(AccountCard)
        .where(AccountCard.card_number == request.get("card_number"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if card is None or card.status is CardStatus.ACTIVE:
        value = request.get("card_number", "")
        raise DomainError("CARD_ALREADY_ACTIVE", field="install.card_number", value=value)
    model = await session.get(DeviceModel, request.get("device_model_id"))
    if model is None:
        raise DomainError("NOT_FOUND", field="install.device_model_id")
    serial = request["serial_number"]
    device = await machines.in_stock(session, serial)
    if device is None:
        raise DomainError("SERIAL_NOT_IN_STOCK", field="install.serial_number", value=serial)
    customer = present(await session.get(Customer, ticket.customer_id), "the ticket's customer")
    await ticket_details.check_machine_model(session, device, model.id)  # opened before?
    source = machines.take_out(device)
    device.supply_mode = model.supply_mode
    device.contract_number = request.get("contract_number") or device.contract_number
    device.price = Decimal(request.get("price") or model.list_price)
    device.status = DeviceStatus.INSTALLED
    device.customer_id = customer.id
    device.address_id = ticket.address_id
    device.branch_id = ticket.branch_id
    device.agent_id = customer.agent_id
    device.opened_on = now.astimezone(TIME_ZONE).date()
    device.installed_at = now
    await session.flush()
    card.status = CardStatus.ACTIVE
    card.branch_id = device.branch_id  # the card goes with the machine to the customer's branch
    card.customer_id = customer.id
    card.device_id = device.id
    card.activated_at = now
    card.cancelled_at = None
    ticket.device_id = device.id
    ticket.card_id = card.id
    audit.record(
        session,
        actor,
        "device.installed",
        entity_type="Device",
        entity_id=device.id,
        card_id=card.id,
        ticket_id=ticket.id,
        confirmation_number=number,
        from_warehouse_id=source,
    )


async def _uninstall(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    report: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """The machine leaves the site; the customer's device is written off (退机) and its card
    goes back to awaiting activation."""
    # Held and read as committed, as every decision on a device is: another ticket taking
    # the machine away at that moment is waited for, and this one is refused.
    device = await session.get(
        Device, ticket.device_id, with_for_update=True, populate_existing=True
    )
    if device is None or device.status is not DeviceStatus.INSTALLED:
        status = device.status.value if device else ""
        raise DomainError("DEVICE_NOT_INSTALLED", field="device_id", status=status)
    previous = {"customer_id": device.customer_id, "address_id": device.address_id}
    device.status = DeviceStatus.UNINSTALLED
    device.customer_id = None
    device.address_id = None
    defective = report["device_condition"] == "DEFECTIVE"
    station = await machines.put_back(
        session, device, branch_id=ticket.branch_id, defective=defective
    )
    previous["warehouse_id"] = station.id
    await cards.release_with_device(session, actor, ticket, device.id, now)
    audit.record(
        session,
        actor,
        "device.uninstalled",
        entity_type="Device",
        entity_id=device.id,
        ticket_id=ticket.id,
        condition=report["device_condition"],
        **previous,
    )


async def _recharge(session: AsyncSession, actor: Actor, ticket: Ticket, now: dt.datetime) -> None:
    """Water bought: the supply expiry or the bucket balance grows (冲水)."""
    request = ticket.details.get("recharge") or {}
    device = await session.get(
        Device, ticket.device_id, with_for_update=True, populate_existing=True
    )
    if device is None or device.status is not DeviceStatus.INSTALLED:
        status = device.status.value if device else ""
        raise DomainError("DEVICE_NOT_INSTALLED", field="device_id", status=status)
    quantity = int(request["quantity"])
    # Checked at opening too; tickets opened before that check reach here with any number.
    most = MAX_RECHARGE_MONTHS if device.supply_mode is SupplyMode.MONTHLY else MAX_RECHARGE_BUCKETS
    check_int(quantity, "recharge.quantity", 1, most)
    today = now.astimezone(TIME_ZONE).date()
    if device.supply_mode is SupplyMode.MONTHLY:
        start = max(today, device.supply_expires_on or today)
        device.supply_expires_on = add_months(start, quantity)
    else:
        device.bucket_balance += quantity
    if device.first_recharged_at is None:
        device.first_recharged_at = now
    customer = await session.get(Customer, ticket.customer_id)
    amount = Decimal(request["unit_price"]) * quantity
    address = await session.get(Address, ticket.address_id) if ticket.address_id else None
    # What the price standard asked, beside what was paid.
    standard = await recharge_prices.standard_for(
        session, mode=device.supply_mode, address=address, at=now
    )
    standard_price = str(standard.price) if standard is not None else None
    ticket.details = {
        **ticket.details,
        "recharge": {**request, "standard_unit_price": standard_price},
    }
    audit.record(
        session,
        actor,
        "recharge.recorded",
        entity_type="Device",
        entity_id=device.id,
        ticket_id=ticket.id,
        plan=request["plan"],
        quantity=quantity,
        amount=str(amount),
        payment_method=request["payment_method"],
        standard_unit_price=standard_price,
        price_standard_id=standard.id if standard is not None else None,
        supply_expires_on=device.supply_expires_on.isoformat()
        if device.supply_expires_on
        else None,
        bucket_balance=device.bucket_balance,
        notify_technician_id=customer.service_technician_id if customer else None,
    )
    events.emit(  # the bound engineer delivers the water: with the address and how it was paid
        session,
        events.DomainEvent(
            kind=events.EventKind.RECHARGE_PAID,
            branch_id=ticket.branch_id,
            ticket_id=ticket.id,
            customer_id=ticket.customer_id,
            technician_id=customer.service_technician_id if customer else None,
            actor_id=actor.user_id or None,
            at=now,
            data={
                "number": ticket.number,
                "customer_name": customer.name if customer else "",
                "address": _address_text(address),
                "payment_method": request["payment_method"],
                "plan": request["plan"],
                "quantity": quantity,
                "amount": str(amount),
            },
        ),
    )


def _address_text(address: Address | None) -> str:
    if address is None:
        return ""
    parts = (address.city, address.district, address.street, address.community)
    return "".join(parts) + "".join(p for p in (address.building, address.room) if p)


async def _relocate(session: AsyncSession, actor: Actor, ticket: Ticket) -> None:
    """The move is confirmed: the device's address changes; the old one stays on record."""
    device = await session.get(Device, ticket.device_id)
    target = ticket.details.get("relocate_to")
    if device is None or not target:
        raise DomainError("NOT_FOUND", field="device_id")
    address = Address(customer_id=ticket.customer_id, label="新址", **target)
    session.add(address)
    await session.flush()
    old = device.address_id
    device.address_id = address.id
    audit.record(
        session,
        actor,
        "device.relocated",
        entity_type="Device",
        entity_id=device.id,
        ticket_id=ticket.id,
        from_address_id=old,
        to_address_id=address.id,
    )


async def _change_filters(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    job: Job,
    report: Mapping[str, Any],
    now: dt.datetime,
    recorded_offline: bool,
) -> None:
    """The filters named in the report were replaced that day: their due dates start again.
    A stage HQ retired (``devices.fitted_filter_stages``) is never due again: online it is
    refused (a stale list: pick again); from a phone offline, which still listed it, the visit
    is taken and the change kept, audited, counting for no live stage (docs/sync.md)."""
    device = await session.get(Device, ticket.device_id)
    if device is None:
        raise DomainError("NOT_FOUND", field="device_id")
    wanted = list(dict.fromkeys(report["filters_changed"]))
    stages = (
        await session.execute(
            select(FilterType).where(FilterType.device_model_id == device.device_model_id)
        )
    ).scalars()
    retired_at = {f.id: f.deleted_at for f in stages}
    if not wanted:
        raise DomainError("INVALID_ARGUMENT", field="report.filters_changed")
    if any(f not in retired_at for f in wanted):
        raise DomainError("FILTER_NOT_OF_MODEL", field="report.filters_changed")
    retired = [f for f in wanted if retired_at[f] is not None]
    if retired and not recorded_offline:
        raise DomainError("FILTER_NOT_OF_MODEL", field="report.filters_changed")
    today = now.astimezone(TIME_ZONE).date()
    for filter_type_id in wanted:
        session.add(
            FilterChange(
                device_id=device.id, filter_type_id=filter_type_id, changed_on=today, job_id=job.id
            )
        )
    audit.record(
        session,
        actor,
        "filters.changed",
        entity_type="Device",
        entity_id=device.id,
        ticket_id=ticket.id,
        filter_type_ids=wanted,
        **({"retired_filter_type_ids": retired} if retired else {}),
    )
