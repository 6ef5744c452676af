"""What each ticket type needs when it is opened: its device, card, install or recharge
details, expected parts, the new address of a move. Checked before anything is written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..bounds import check_cents, check_quantity
from ..dispatch import locate
from ..errors import DomainError
from ..inventory import machines
from ..models import AccountCard, Customer, Device, DeviceModel, Part
from ..models.enums import CardStatus, DeviceStatus, Role, TicketType
from . import moves, recharge_prices
from .requests import OpenTicketRequest, require

DEVICE_TYPES = frozenset(
    {
        TicketType.UNINSTALL,
        TicketType.RELOCATE,
        TicketType.RECHARGE,
        TicketType.REPAIR,
        TicketType.FILTER_CHANGE,
        TicketType.WATER_TEST,
    }
)


async def check(
    session: AsyncSession, actor: Actor, request: OpenTicketRequest, customer: Customer
) -> tuple[dict[str, Any], Device | None, AccountCard | None]:
    """Check what the ticket's type needs and return what to keep in ``details``."""
    device: Device | None = None
    card: AccountCard | None = None
    details: dict[str, Any] = {}
    kind = request.type
    if kind in DEVICE_TYPES or request.device_id is not None:
        if request.device_id is None:
            raise DomainError("DEVICE_REQUIRED", field="device_id")
        device = await moves.visible(session, actor, Device, request.device_id)
        # The state first: "not installed" says more than "not this customer's" once a
        # device was taken away (its customer is cleared on uninstall).
        if kind in DEVICE_TYPES and device.status is not DeviceStatus.INSTALLED:
            raise DomainError("DEVICE_NOT_INSTALLED", field="device_id", status=device.status.value)
        if device.customer_id != customer.id:
            raise DomainError("DEVICE_NOT_OF_CUSTOMER", field="device_id")
        if (
            kind is TicketType.RECHARGE
            and request.recharge is not None
            and request.recharge.plan is not device.supply_mode
        ):
            raise DomainError(
                "RECHARGE_PLAN_MISMATCH", field="recharge.plan", mode=device.supply_mode.value
            )
    if kind is TicketType.CARD_CANCEL:
        if request.card_id is None:
            raise DomainError("CARD_REQUIRED", field="card_id")
        card = await moves.visible(session, actor, AccountCard, request.card_id)
        if card.customer_id != customer.id or card.status is not CardStatus.ACTIVE:
            raise DomainError("CARD_NOT_ACTIVE", field="card_id")
    if kind is TicketType.INSTALL:
        install = request.install
        if install is None:
            raise DomainError("REQUIRED", field="install")
        number = require(install.card_number, "install.card_number", 32)
        card = (
            await session.execute(select(AccountCard).where(AccountCard.card_number == number))
        ).scalar_one_or_none()
        if card is None:
            raise DomainError("NOT_FOUND", field="install.card_number")
        if card.agent_id != customer.agent_id:  # first: an agent learns nothing of the card
            _hidden_from_agents(actor, "install.card_number")
            raise DomainError("CARD_OF_OTHER_OWNER", field="install.card_number", value=number)
        if card.status is CardStatus.ACTIVE:
            raise DomainError("CARD_ALREADY_ACTIVE", field="install.card_number", value=number)
        model = await session.get(DeviceModel, install.device_model_id)
        if model is None or model.deleted_at is not None:
            raise DomainError("NOT_FOUND", field="install.device_model_id")
        serial = require(install.serial_number, "install.serial_number", 64)
        in_use = await session.scalar(
            select(Device.id).where(
                Device.serial_number == serial, Device.status == DeviceStatus.INSTALLED
            )
        )
        if in_use is not None:
            raise DomainError("SERIAL_IN_USE", field="install.serial_number", value=serial)
        machine = await machines.in_stock(session, serial)
        if machine is None:
            raise DomainError("SERIAL_NOT_IN_STOCK", field="install.serial_number", value=serial)
        if machine.agent_id != customer.agent_id:
            _hidden_from_agents(actor, "install.serial_number")
            raise DomainError("MACHINE_OF_OTHER_OWNER", field="install.serial_number", value=serial)
        await check_machine_model(session, machine, model.id)
        if install.price is not None and install.price < 0:
            raise DomainError("AMOUNT_NEGATIVE", field="install.price")
        if install.price is not None:
            check_cents(install.price, "install.price")
        details["install"] = {
            "card_number": number,
            "device_model_id": model.id,
            "serial_number": serial,
            "contract_number": install.contract_number.strip()[:64],
            "price": str(install.price if install.price is not None else model.list_price),
        }
    if kind is TicketType.RECHARGE:
        recharge = request.recharge
        if recharge is None:
            raise DomainError("REQUIRED", field="recharge")
        if actor.role is Role.CUSTOMER and device is not None:
            recharge = await recharge_prices.priced_for_customer(session, actor, recharge, device)
        details["recharge"] = recharge.validated()
    if request.expected_parts:
        if len(request.expected_parts) > 50:
            raise DomainError("INVALID_ARGUMENT", field="expected_parts")
        part_ids = {part_id for part_id, _ in request.expected_parts}
        known = set((await session.execute(select(Part.id).where(Part.id.in_(part_ids)))).scalars())
        for index, (part_id, quantity) in enumerate(request.expected_parts):
            if part_id not in known:
                raise DomainError("UNKNOWN_PART", field=f"expected_parts.{index}.part_id")
            check_quantity(quantity, f"expected_parts.{index}.quantity")
        details["expected_parts"] = [
            {"part_id": part_id, "quantity": quantity}
            for part_id, quantity in request.expected_parts
        ]
    if kind is TicketType.RELOCATE:
        if request.relocate_to is None:
            raise DomainError("REQUIRED", field="relocate_to")
        details["relocate_to"] = locate.coordinates_for_new_address(
            request.relocate_to.validated("relocate_to"), request.relocate_to.coord_system
        )
    return details, device, card


def _hidden_from_agents(actor: Actor, field: str) -> None:
    """A card or machine installed for a customer comes from their owner's stock: their
    agent's, or the company's for a direct customer (any number was taken, and stock went
    missing between the company and its agents). An agent is told of another owner's number
    only that it is not found, not that it exists."""
    if actor.role is Role.AGENT:
        raise DomainError("NOT_FOUND", field=field)


async def check_machine_model(session: AsyncSession, machine: Device, model_id: str) -> None:
    """A machine goes in as the model it was received as (it became the model typed: a
    bucket machine installed on a monthly plan). Checked at opening and at completion."""
    if machine.device_model_id == model_id:
        return
    received = await session.get(DeviceModel, machine.device_model_id)
    raise DomainError(
        "MACHINE_MODEL_MISMATCH",
        field="install.device_model_id",
        value=machine.serial_number,
        model=received.code if received else "",
    )
