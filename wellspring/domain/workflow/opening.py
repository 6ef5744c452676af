"""Opening tickets: the hotline's or a customer's (``open_ticket``, with a new customer if
needed) and the system's (``open_follow_up_ticket``), all written by one factory
(``new_ticket``).

Its due time comes from the SLA hours (sla.py's defaults under the configured overrides,
``WELLSPRING_SLA_HOURS``), whoever opens it: the hotline, a customer, or the system after a
low follow-up score or a failed water test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, numbering, permissions, policy
from ..actor import Actor
from ..agents import territory
from ..agents.price_lookup import Region, service_charge
from ..bounds import MAX_TICKET_DESCRIPTION, check_length
from ..clock import clock_of
from ..config import config_of
from ..custom_fields import values as custom_values
from ..customers import customer_key, default_address
from ..db import one_at_a_time
from ..dispatch import locate
from ..errors import DomainError, present
from ..models import (
    Address,
    Agent,
    Branch,
    Contact,
    Customer,
    Device,
    Ticket,
    TicketStatusChange,
)
from ..models.enums import (
    TICKET_OPEN_STATUSES,
    Channel,
    CustomFieldEntity,
    OwnerKind,
    PriceKind,
    Priority,
    Role,
    TicketStatus,
    TicketType,
)
from . import moves, sla, ticket_details
from .requests import OpenTicketRequest, check_phone, require
from .states import system_reason


async def new_ticket(
    session: AsyncSession,
    actor: Actor,
    *,
    type: TicketType,
    priority: Priority,
    opened_at: dt.datetime,
    reason: str = "",
    audit_details: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Ticket:
    """Add a CREATED ticket with its first history row and audit entry, and flush it."""
    overrides = config_of(session).sla_hours
    ticket = Ticket(
        number=await numbering.next_number(session, numbering.TICKET),
        type=type,
        status=TicketStatus.CREATED,
        priority=priority,
        due_at=sla.due_at(opened_at, type, priority, overrides),
        **fields,
    )
    session.add(ticket)
    await session.flush()
    session.add(
        TicketStatusChange(
            ticket_id=ticket.id,
            from_status=None,
            to_status=TicketStatus.CREATED,
            actor_id=actor.user_id or None,
            at=opened_at,
            received_at=opened_at,
            reason=reason,
        )
    )
    audit.record(
        session,
        actor,
        "ticket.created",
        entity_type="Ticket",
        entity_id=ticket.id,
        type=type.value,
        **dict(audit_details or {}),
    )
    return ticket


async def open_follow_up_ticket(
    session: AsyncSession,
    actor: Actor,
    *,
    origin: Ticket,
    ticket_type: TicketType,
    description: str,
    details: dict[str, Any],
    priority: Priority = Priority.HIGH,
) -> Ticket:
    """A ticket the system opens because of another (a low score, a failed water test)."""
    return await new_ticket(
        session,
        actor,
        type=ticket_type,
        priority=priority,
        opened_at=clock_of(session).now(),
        reason=system_reason("OPENED_FROM", origin.number),
        audit_details={"linked_ticket_id": origin.id},
        channel=Channel.SYSTEM,
        customer_id=origin.customer_id,
        branch_id=origin.branch_id,
        device_id=origin.device_id,
        address_id=origin.address_id,
        description=description[:MAX_TICKET_DESCRIPTION],  # the system's own words
        # A customer acting through a tracking link may have no login: the visit's creator
        # stays its owner of record. A customer never becomes a ticket's handler.
        created_by_id=actor.user_id or origin.created_by_id,
        handler_id=(actor.user_id or None) if actor.role is not Role.CUSTOMER else None,
        linked_ticket_id=origin.id,
        details=details,
    )


async def _customer_for(
    session: AsyncSession, actor: Actor, request: OpenTicketRequest, through: Agent | None
) -> tuple[Customer, Address | None]:
    if (request.customer_id is None) == (request.new_customer is None):
        raise DomainError("CUSTOMER_REQUIRED", field="customer")
    operation = f"ticket.open:{request.type.value}"
    if request.customer_id is not None:
        await territory.check_customer(
            session, actor, customer_id=request.customer_id, operation=operation
        )
        customer = await moves.visible(session, actor, Customer, request.customer_id)
        if through is not None:
            await territory.check_through(
                session, actor, agent=through, customer=customer, operation=operation
            )
        return customer, None
    permissions.check(actor, "customer.create")
    new = present(request.new_customer, "the new customer")
    name = require(new.name, "new_customer.name")
    phone = check_phone(new.phone, "new_customer.phone")
    address_values = new.address.validated("new_customer.address")
    # New customers of one phone are made one at a time (the import takes the same key):
    # both the known-customer and the other-owner checks read what the last one made.
    await one_at_a_time(session, customer_key(phone))
    if not request.allow_duplicate:
        await check_known(session, actor, name, phone)
    agent = through or await _acting_agent(session, actor)
    if agent is not None:
        await territory.check_new_customer(
            session,
            actor,
            agent=agent,
            phone=phone,
            province=str(address_values.get("province", "")),
            city=str(address_values.get("city", "")),
            district=str(address_values.get("district", "")),
            operation=operation,
        )
    branch_id = request.branch_id or (actor.branch_id if actor.role is Role.CLERK else None)
    if agent is not None:
        branch_id = agent.branch_id  # an agent's customer is serviced through its branch
    if branch_id is None:
        raise DomainError("BRANCH_REQUIRED", field="branch_id")
    branch = (
        present(await session.get(Branch, branch_id), "the agent's branch")
        if agent is not None
        else await moves.visible(session, actor, Branch, branch_id)
    )
    permissions.check(actor, "customer.create", branch_id=branch.id)
    extra = await custom_values.apply(
        session, CustomFieldEntity.CUSTOMER, None, new.custom_fields,
        creating=actor.role is not Role.CUSTOMER, path="new_customer.custom_fields",
    )  # fmt: skip
    customer = Customer(
        code=await numbering.next_number(session, ("customer_number", "C")),
        name=name,
        kind=new.kind,
        tier=new.tier,
        phone=phone,
        owner_kind=OwnerKind.AGENT if agent is not None else OwnerKind.BRANCH,
        agent_id=agent.id if agent is not None else None,
        branch_id=branch.id,
        custom_fields=extra,
    )
    session.add(customer)
    await session.flush()
    address = Address(
        customer_id=customer.id,
        is_default=True,
        **locate.coordinates_for_new_address(address_values, new.address.coord_system),
    )
    session.add(address)
    session.add(
        Contact(
            customer_id=customer.id,
            name=(new.contact_name or name).strip()[:50],
            phone=phone,
            is_primary=True,
        )
    )
    await session.flush()
    audit.record(session, actor, "customer.created", entity_type="Customer", entity_id=customer.id)
    return customer, address


async def check_known(session: AsyncSession, actor: Actor, name: str, phone: str) -> None:
    """A new customer with the name and phone of one the actor can see (the import's natural
    key) is most likely that customer typed again, or a request sent twice: it is answered
    with CUSTOMER_EXISTS naming them. ``allow_duplicate`` creates it anyway (two people of one
    name sharing a phone). The caller holds the phone's ``customer_key``."""
    known = (
        await session.execute(
            select(Customer.id, Customer.code)
            .where(
                policy.scope(Customer, actor),
                Customer.phone == phone,
                Customer.name == name,
                Customer.deleted_at.is_(None),
            )
            .order_by(Customer.created_at, Customer.id)
            .limit(1)
        )
    ).first()
    if known is not None:
        raise DomainError(
            "CUSTOMER_EXISTS", field="new_customer.phone", customer_id=known[0], number=known[1]
        )


async def _acting_agent(session: AsyncSession, actor: Actor) -> Agent | None:
    """The agent an agent's login acts for (its new customers are its own), else None."""
    if actor.role is not Role.AGENT:
        return None
    agent = await session.get(Agent, actor.agent_id)
    if agent is None or not agent.is_active:
        raise DomainError("AGENT_INACTIVE", field="agent_id")
    return agent


# A ticket whose visit is done (completed, follow-up due) no longer blocks a new one.
IN_HAND = TICKET_OPEN_STATUSES - {TicketStatus.COMPLETED, TicketStatus.FOLLOW_UP_DUE}


async def check_duplicate(session: AsyncSession, device_id: str, type: TicketType) -> None:
    """Warn about a second ticket of the same type on the device while one is in hand; the
    caller repeats with ``allow_duplicate`` when it is really a new request.

    The device's row is locked first, until commit: two calls about one device at once
    (four answered 200 and left four open tickets) are checked one after the other."""
    await session.execute(select(Device.id).where(Device.id == device_id).with_for_update())
    existing = (
        await session.execute(
            select(Ticket.id, Ticket.number)
            .where(
                Ticket.device_id == device_id,
                Ticket.type == type,
                Ticket.status.in_(IN_HAND),
                Ticket.deleted_at.is_(None),
            )
            .order_by(Ticket.created_at, Ticket.id)
            .limit(1)
        )
    ).first()
    if existing is not None:
        raise DomainError(
            "DUPLICATE_OPEN_TICKET", field="device_id", ticket_id=existing[0], number=existing[1]
        )


def _as_customer(actor: Actor, request: OpenTicketRequest) -> OpenTicketRequest:
    """What a customer may not choose of their own ticket: its priority (NORMAL, whatever
    they send: jumping the queue is the desk's call) and passing a duplicate (their ticket of
    that type still in hand on the device answers, DUPLICATE_OPEN_TICKET)."""
    if actor.role is not Role.CUSTOMER:
        return request
    return dataclasses.replace(request, priority=Priority.NORMAL, allow_duplicate=False)


async def open_ticket(
    session: AsyncSession,
    actor: Actor,
    *,
    request: OpenTicketRequest,
) -> Ticket:
    """Open a ticket of any type for an existing or a new customer (the hotline's call)."""
    permissions.check(actor, "ticket.open")
    request = _as_customer(actor, request)
    description = check_length(request.description.strip(), "description", MAX_TICKET_DESCRIPTION)
    through = await territory.through_agent(session, actor, request.agent_id)
    customer, new_address = await _customer_for(session, actor, request, through)
    details, device, card = await ticket_details.check(session, actor, request, customer)
    if device is not None and not request.allow_duplicate:
        await check_duplicate(session, device.id, request.type)
    address_id = request.address_id
    if address_id is not None:
        address = await moves.visible(session, actor, Address, address_id)
        if address.customer_id != customer.id:
            raise DomainError("NOT_FOUND", field="address_id")
    elif new_address is not None:
        address_id = new_address.id
    elif device is not None and device.address_id is not None:
        address_id = device.address_id
    else:
        addresses = (
            await session.execute(
                select(Address).where(
                    Address.customer_id == customer.id, Address.deleted_at.is_(None)
                )
            )
        ).scalars()
        fallback = default_address(list(addresses))
        address_id = fallback.id if fallback is not None else None
    if address_id is None and request.type is TicketType.INSTALL:
        raise DomainError("REQUIRED", field="address_id")  # a machine goes in at an address
    branch_id = customer.branch_id
    if request.branch_id and request.customer_id is not None:
        branch_id = (await moves.visible(session, actor, Branch, request.branch_id)).id
    permissions.check(actor, "ticket.open", branch_id=branch_id)
    extra = await custom_values.apply(
        session, CustomFieldEntity.TICKET, None, request.custom_fields,
        creating=actor.role is not Role.CUSTOMER,
    )  # fmt: skip
    channel = {Role.CUSTOMER: Channel.APP, Role.AGENT: Channel.AGENT}.get(
        actor.role, request.channel
    )
    ticket = await new_ticket(
        session,
        actor,
        type=request.type,
        priority=request.priority,
        opened_at=clock_of(session).now(),
        channel=channel,
        customer_id=customer.id,
        branch_id=branch_id,
        device_id=device.id if device else None,
        card_id=card.id if card and request.type is TicketType.CARD_CANCEL else None,
        address_id=address_id,
        description=description,
        created_by_id=actor.user_id,
        handler_id=actor.user_id if actor.role is not Role.CUSTOMER else None,
        details={**details, **request.extra, **await _charge(session, request, address_id)},
        custom_fields=extra,
        agent_id=through.id if through is not None else None,
    )
    await session.flush()
    return ticket


async def _charge(
    session: AsyncSession, request: OpenTicketRequest, address_id: str | None
) -> dict[str, Any]:
    """A relocation's fee: the SERVICE_RELOCATE standard holding where the machine stands,
    on the day it is opened; nothing when none holds."""
    if request.type is not TicketType.RELOCATE:
        return {}
    address = await session.get(Address, address_id) if address_id else None
    charge = await service_charge(
        session,
        kind=PriceKind.SERVICE_RELOCATE,
        region=Region(address.province, address.city) if address else Region(),
        at=clock_of(session).now(),
    )
    return {"charge": charge} if charge is not None else {}
