"""Devices at customers' sites, with their card, model, address and supply.

Natural keys: a device's serial, a card's number. A device already recorded for the same
customer is unchanged; for another customer, or a card bound to another device, the row is
refused. Devices are written in bulk like customers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import versioning
from ..errors import DomainError
from ..masterdata.cards import hash_card_secret
from ..models import AccountCard, Address, Customer, Device, DeviceModel
from ..models.enums import CardStatus, DeviceStatus, SupplyMode
from . import custom
from .base import Checked, Context, SourceRow, chunks, record_columns
from .customers import address_values
from .values import Cells, Place, place

DEVICES: Table = Device.__table__  # type: ignore[assignment]
CARDS: Table = AccountCard.__table__  # type: ignore[assignment]
ADDRESSES: Table = Address.__table__  # type: ignore[assignment]
NO_SECRET = "!"  # noqa: S105 - a legacy card whose secret the old system did not export: never matches


@dataclass(frozen=True)
class NewDevice:
    line: int
    serial: str
    model: DeviceModel
    customer_id: str
    branch_id: str
    agent_id: str | None
    address_id: str | None
    place: Place | None
    street: str
    community: str
    building: str
    room: str
    card_number: str
    card_secret: str
    card_id: str | None  # a spare card already recorded, to bind
    contract_number: str
    opened_on: dt.date | None
    supply_expires_on: dt.date | None
    bucket_balance: int
    custom_fields: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Read:
    cells: Cells
    serial: str
    model: DeviceModel | None
    phone: str
    customer_name: str
    card_number: str
    agent_id: str | None
    place: Place | None
    custom_fields: dict[str, Any] | None = None


def _read(row: SourceRow, ctx: Context) -> _Read:
    cells = Cells(row.line, row.values)
    serial = cells.text("serial", required=True, maximum=64)
    model_text = cells.text("model", required=True)
    model = ctx.models.get(model_text.upper())
    if model_text and model is None:
        cells.fail("model", "IMPORT_UNKNOWN_MODEL", value=model_text)
    phone = cells.phone("customer_phone")
    name = cells.text("customer_name")
    card = cells.text("card_number", maximum=32)
    cells.text("card_secret", maximum=64)
    cells.text("contract_number", maximum=64)
    cells.date("opened_on")
    cells.date("supply_expires_on")
    cells.integer("bucket_balance", maximum=100_000)
    agent_id = None
    agent_code = cells.text("agent", maximum=32).upper()
    if agent_code:
        agent = ctx.agents.get(agent_code)
        if agent is None:
            cells.fail("agent", "IMPORT_UNKNOWN_AGENT", value=agent_code)
        else:
            agent_id = agent[0]
    where = None
    if any(cells.values.get(n) for n in ("province", "city", "district")):
        where = place(cells)
    for name_ in ("street", "community"):
        cells.text(name_)
    for name_ in ("building", "room"):
        cells.text(name_, maximum=50)
    extra = custom.read(cells, ctx.custom_fields)
    return _Read(cells, serial, model, phone, name, card, agent_id, where, extra)


async def _customers(session: AsyncSession, phones: list[str]) -> dict[str, list[Customer]]:
    found: dict[str, list[Customer]] = {}
    for chunk in chunks(phones):
        stmt = select(Customer).where(Customer.phone.in_(chunk), Customer.deleted_at.is_(None))
        for customer in (await session.execute(stmt)).scalars():
            found.setdefault(customer.phone, []).append(customer)
    return found


async def _default_addresses(session: AsyncSession, customer_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(customer_ids):
        stmt = (
            select(Address.customer_id, Address.id)
            .where(Address.customer_id.in_(chunk), Address.deleted_at.is_(None))
            .order_by(Address.is_default.desc(), Address.created_at, Address.id)
        )
        for customer_id, address_id in await session.execute(stmt):
            found.setdefault(customer_id, address_id)
    return found


async def existing_serials(session: AsyncSession, serials: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for chunk in chunks(serials):
        stmt = select(Device.serial_number, Device.customer_id).where(
            Device.serial_number.in_(chunk)
        )
        found.update({s: c for s, c in await session.execute(stmt)})
    return found


async def existing_cards(session: AsyncSession, numbers: list[str]) -> dict[str, AccountCard]:
    found: dict[str, AccountCard] = {}
    for chunk in chunks(numbers):
        stmt = select(AccountCard).where(AccountCard.card_number.in_(chunk))
        found.update({c.card_number: c for c in (await session.execute(stmt)).scalars()})
    return found


def _customer(read: _Read, found: dict[str, list[Customer]]) -> Customer | None:
    matches = found.get(read.phone, [])
    if read.customer_name:
        matches = [c for c in matches if c.name == read.customer_name]
    if not matches:
        read.cells.fail("customer_phone", "IMPORT_UNKNOWN_CUSTOMER", value=read.phone)
        return None
    if len(matches) > 1:
        read.cells.fail("customer_name", "IMPORT_AMBIGUOUS_CUSTOMER", value=read.phone)
        return None
    return matches[0]


class DevicesImport:
    async def check(
        self, session: AsyncSession, rows: Sequence[SourceRow], ctx: Context
    ) -> Checked:
        checked = Checked()
        reads = [_read(row, ctx) for row in rows]
        customers = await _customers(session, [r.phone for r in reads if r.phone])
        serials = await existing_serials(session, [r.serial for r in reads if r.serial])
        cards = await existing_cards(session, [r.card_number for r in reads if r.card_number])
        owners = {r.cells.line: _customer(r, customers) for r in reads if r.phone and r.serial}
        defaults = await _default_addresses(
            session, [c.id for c in owners.values() if c is not None]
        )
        seen_serial: dict[str, int] = {}
        seen_card: dict[str, int] = {}
        for read in reads:
            cells, line = read.cells, read.cells.line
            first = seen_serial.setdefault(read.serial, line) if read.serial else line
            if first != line:
                cells.fail("serial", "IMPORT_DUPLICATE_IN_FILE", first_line=first)
            if read.card_number:
                first = seen_card.setdefault(read.card_number, line)
                if first != line:
                    cells.fail("card_number", "IMPORT_DUPLICATE_IN_FILE", first_line=first)
            customer = owners.get(line)
            if cells.errors or customer is None or read.model is None:
                checked.errors.extend(cells.errors)
                continue
            if read.serial in serials:
                if serials[read.serial] == customer.id:
                    checked.unchanged += 1
                else:
                    cells.fail("serial", "IMPORT_DUPLICATE_IN_DB", value=read.serial)
                    checked.errors.extend(cells.errors)
                continue
            card = cards.get(read.card_number) if read.card_number else None
            if card is not None and (card.device_id is not None or card.customer_id is not None):
                cells.fail("card_number", "IMPORT_CARD_ALREADY_BOUND", value=read.card_number)
                checked.errors.extend(cells.errors)
                continue
            checked.items.append(_new_device(read, customer, card, defaults))
        return checked

    async def apply(self, session: AsyncSession, items: Sequence[Any], ctx: Context) -> None:
        batch: list[NewDevice] = list(items)
        present = await existing_serials(session, [d.serial for d in batch])
        batch = [d for d in batch if d.serial not in present]
        if not batch:
            return
        stamp = record_columns(ctx.now)
        addresses, devices, cards = [], [], []
        for item in batch:
            address_id = item.address_id
            if item.place is not None:
                values = address_values(item, item.customer_id, stamp)
                values["is_default"] = False
                addresses.append(values)
                address_id = values["id"]
            device_id = str(uuid.uuid4())
            devices.append(_device_values(item, device_id, address_id, stamp, ctx.now))
            if item.card_number and item.card_id is None:
                cards.append(_card_values(item, device_id, stamp, ctx.now))
            elif item.card_id is not None:
                bound = await session.scalar(
                    update(AccountCard)
                    .where(AccountCard.id == item.card_id, AccountCard.device_id.is_(None))
                    .values(
                        status=CardStatus.ACTIVE,
                        customer_id=item.customer_id,
                        device_id=device_id,
                        warehouse_id=None,
                        activated_at=ctx.now,
                        updated_at=ctx.now,
                    )
                    .returning(AccountCard.id)
                )
                if bound is None:  # an install bound it since the check: keep nothing
                    raise DomainError(
                        "IMPORT_CARD_ALREADY_BOUND", field="card_number", value=item.card_number
                    )
                versioning.mark_changed(session, CARDS, [item.card_id])
        if addresses:
            await session.execute(insert(ADDRESSES), addresses)
            versioning.mark_changed(session, ADDRESSES, [a["id"] for a in addresses])
        await session.execute(insert(DEVICES), devices)
        versioning.mark_changed(session, DEVICES, [d["id"] for d in devices])
        if cards:
            await session.execute(insert(CARDS), cards)
            versioning.mark_changed(session, CARDS, [c["id"] for c in cards])


def _new_device(
    read: _Read, customer: Customer, card: AccountCard | None, defaults: dict[str, str]
) -> NewDevice:
    cells = read.cells
    model = read.model
    if model is None:  # checked by the caller
        raise ValueError("a device row without a model")
    return NewDevice(
        line=cells.line,
        serial=read.serial,
        model=model,
        customer_id=customer.id,
        branch_id=customer.branch_id,
        agent_id=read.agent_id or customer.agent_id,
        address_id=None if read.place else defaults.get(customer.id),
        place=read.place,
        street=cells.text("street"),
        community=cells.text("community"),
        building=cells.text("building", maximum=50),
        room=cells.text("room", maximum=50),
        card_number=read.card_number,
        card_secret=cells.text("card_secret", maximum=64),
        card_id=card.id if card is not None else None,
        contract_number=cells.text("contract_number", maximum=64),
        opened_on=cells.date("opened_on"),
        supply_expires_on=cells.date("supply_expires_on"),
        bucket_balance=cells.integer("bucket_balance", maximum=100_000) or 0,
        custom_fields=read.custom_fields,
    )


def _device_values(
    item: NewDevice, device_id: str, address_id: str | None, stamp: dict[str, Any], now: Any
) -> dict[str, Any]:
    opened = item.opened_on
    installed = (
        dt.datetime.combine(opened, dt.time(12), tzinfo=dt.UTC) if opened is not None else now
    )
    monthly = item.model.supply_mode is SupplyMode.MONTHLY
    return {
        **stamp,
        "id": device_id,
        "serial_number": item.serial,
        "device_model_id": item.model.id,
        "contract_number": item.contract_number,
        "status": DeviceStatus.INSTALLED,
        "opened_on": opened,
        "price": item.model.list_price or Decimal("0"),
        "currency": "CNY",
        "branch_id": item.branch_id,
        "agent_id": item.agent_id,
        "customer_id": item.customer_id,
        "address_id": address_id,
        "supply_mode": item.model.supply_mode,
        "supply_expires_on": item.supply_expires_on if monthly else None,
        "bucket_balance": 0 if monthly else item.bucket_balance,
        "first_recharged_at": None,
        "installed_at": installed,
        "warehouse_id": None,
        "stock_bin": None,
        "custom_fields": item.custom_fields,
    }


def _card_values(
    item: NewDevice, device_id: str, stamp: dict[str, Any], now: Any
) -> dict[str, Any]:
    secret = item.card_secret
    return {
        **stamp,
        "id": str(uuid.uuid4()),
        "card_number": item.card_number,
        "secret_hash": hash_card_secret(item.card_number, secret) if secret else NO_SECRET,
        "status": CardStatus.ACTIVE,
        "branch_id": item.branch_id,
        "agent_id": item.agent_id,
        "customer_id": item.customer_id,
        "device_id": device_id,
        "activated_at": now,
        "warehouse_id": None,
        "cancelled_at": None,
    }
