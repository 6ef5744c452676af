"""A customer of agent-1's dealer with a device and a ticket, made to be soft-deleted."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select, update

from tests.factories import execute, fetch, unique
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import (
    DeviceStatus,
    OwnerKind,
    SupplyMode,
    TicketStatus,
    TicketType,
)
from wellspring.schema.core.ids import global_id


def agent_owned_rows(url: str) -> dict[str, str]:
    """A customer of agent-1's dealer with one device and one ticket; returns raw ids."""
    agent_user = fetch(url, select(m.User).where(m.User.username == "agent-1"))[0][0]
    admin = fetch(url, select(m.User).where(m.User.username == "admin"))[0][0]
    agent = fetch(url, select(m.Agent).where(m.Agent.id == agent_user.agent_id))[0][0]
    model = fetch(url, select(m.DeviceModel).limit(1))[0][0]
    code = unique("DEL")

    async def create() -> dict[str, str]:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                customer = m.Customer(
                    code=code,
                    name="待删除客户",
                    phone="13800000000",
                    owner_kind=OwnerKind.AGENT,
                    branch_id=agent.branch_id,
                    agent_id=agent.id,
                )
                session.add(customer)
                await session.flush()
                device = m.Device(
                    serial_number=code,
                    device_model_id=model.id,
                    status=DeviceStatus.INSTALLED,
                    branch_id=agent.branch_id,
                    agent_id=agent.id,
                    customer_id=customer.id,
                    supply_mode=SupplyMode.MONTHLY,
                )
                session.add(device)
                await session.flush()
                ticket = m.Ticket(
                    number=code,
                    type=TicketType.INQUIRY,
                    status=TicketStatus.CREATED,
                    customer_id=customer.id,
                    branch_id=agent.branch_id,
                    device_id=device.id,
                    created_by_id=admin.id,
                )
                session.add(ticket)
                await session.flush()
                # Every ticket's history starts at its creation (test_demo_data checks it).
                session.add(
                    m.TicketStatusChange(
                        ticket_id=ticket.id,
                        from_status=None,
                        to_status=TicketStatus.CREATED,
                        actor_id=admin.id,
                    )
                )
                return {"c": customer.id, "d": device.id, "t": ticket.id, "code": code}
        finally:
            await engine.dispose()

    return asyncio.run(create())


def global_ids(raw: dict[str, str]) -> dict[str, str]:
    return {
        "c": global_id("Customer", raw["c"]),
        "d": global_id("Device", raw["d"]),
        "t": global_id("Ticket", raw["t"]),
    }


def soft_delete(url: str, raw: dict[str, str]) -> None:
    when = dt.datetime.now(dt.UTC)

    async def ticket() -> None:
        # Through the ORM: a ticket's deletion moves the maintained counts (ticket_counts.py).
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                row = await session.get(m.Ticket, raw["t"])
                assert row is not None
                row.deleted_at = when
        finally:
            await engine.dispose()

    asyncio.run(ticket())
    for model, key in ((m.Device, "d"), (m.Customer, "c")):
        execute(url, update(model).where(model.id == raw[key]).values(deleted_at=when))
