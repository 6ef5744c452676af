"""The custom fields a completion report fills on site (custom_fields/on_site.py): the
ticket's (``custom_fields``) and the device's (``device_custom_fields``: the machine an
install puts in, else the ticket's device), each key → text, checked as SetCustomFieldValues
checks them. Completing refuses while a required on-site field is empty."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..custom_fields import on_site
from ..errors import DomainError
from ..models import Device, Ticket
from ..models.enums import CustomFieldEntity, TicketType

TICKET_PATH = "report.custom_fields"
DEVICE_PATH = "report.device_custom_fields"


async def fill_ticket(
    session: AsyncSession, ticket: Ticket, report: dict[str, Any]
) -> dict[str, str | None] | None:
    """Take the report's values out of it, fill the ticket's, and return the device's (to be
    written once the install has put the machine in: ``fill_device``)."""
    given = on_site.given_values(report.pop("custom_fields", None), TICKET_PATH)
    device_given = on_site.given_values(report.pop("device_custom_fields", None), DEVICE_PATH)
    filled = await on_site.fill(
        session,
        CustomFieldEntity.TICKET,
        ticket.custom_fields,
        given,
        path=TICKET_PATH,
        complete=True,
    )
    if given:
        ticket.custom_fields = filled
    return device_given


async def fill_device(
    session: AsyncSession, ticket: Ticket, given: dict[str, str | None] | None
) -> None:
    """The device's on-site values; an install's required ones must be there."""
    installing = ticket.type is TicketType.INSTALL
    if ticket.device_id is None:
        if given:
            raise DomainError("INVALID_ARGUMENT", field=DEVICE_PATH)  # no device to hold them
        return
    if not given and not installing:
        return
    # Held and read as committed: a dispatcher's SetCustomFieldValues at the same moment
    # would otherwise lose its keys to this write of the whole JSON (or this one to it).
    device = await session.scalar(
        select(Device)
        .where(Device.id == ticket.device_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if device is None:
        raise DomainError("NOT_FOUND", field=DEVICE_PATH)
    filled = await on_site.fill(
        session,
        CustomFieldEntity.DEVICE,
        device.custom_fields,
        given,
        path=DEVICE_PATH,
        complete=installing,
    )
    if given:
        device.custom_fields = filled
