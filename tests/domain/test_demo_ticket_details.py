"""The demo's open tickets carry the details their completion needs, as if opened through
OpenTicket: an install's unbound card and in-stock machine (each named once), a recharge's
plan, a move's new address. One open demo install is then done by its engineer (rolled back)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import make_database
from wellspring.api import migrations
from wellspring.demo import load_demo_data
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import (
    TICKET_OPEN_STATUSES,
    CardStatus,
    DeviceStatus,
    JobStatus,
    Role,
    SupplyMode,
    TicketType,
)
from wellspring.domain.workflow import engineer_moves, ticket_details
from wellspring.domain.workflow.requests import InstallRequest, OpenTicketRequest, RechargeRequest

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo database of its own: the test completes a job in it."""
    url, drop = make_database(tmp_path_factory.mktemp("demo-details"), "details")
    try:
        migrations.upgrade(url)

        async def load() -> None:
            engine = create_engine(url)
            try:
                async with transaction(session_factory(engine)) as session:
                    await load_demo_data(session, scale=40, now=NOW)
            finally:
                await engine.dispose()

        asyncio.run(load())
        yield url
    finally:
        drop()


async def _in_session(url: str, work, *, keep: bool = True):  # type: ignore[no-untyped-def]
    """``work`` in a session, committed when ``keep``, else rolled back: a test that changes
    the demo leaves it as the module's other tests expect, whatever their order."""
    engine = create_engine(url)
    try:
        if keep:
            async with transaction(session_factory(engine)) as session:
                return await work(session)
        async with session_factory(engine)() as session:
            try:
                return await work(session)
            finally:
                await session.rollback()
    finally:
        await engine.dispose()


async def _open(session: AsyncSession, kind: TicketType) -> list[m.Ticket]:
    rows = await session.execute(
        select(m.Ticket)
        .where(m.Ticket.type == kind, m.Ticket.status.in_(TICKET_OPEN_STATUSES))
        .order_by(m.Ticket.number)
    )
    return list(rows.scalars())


async def _hq(session: AsyncSession) -> Actor:
    user = (await session.execute(select(m.User).where(m.User.username == "hq"))).scalar_one()
    return Actor(user.id, user.username, user.role, user.branch_id)


def test_open_demo_tickets_carry_what_opening_would_have_kept(demo_url: str) -> None:
    async def work(session: AsyncSession) -> None:
        hq = await _hq(session)
        installs = await _open(session, TicketType.INSTALL)
        assert len(installs) >= 2
        cards: Counter[str] = Counter()
        serials: Counter[str] = Counter()
        for ticket in installs:
            kept = ticket.details["install"]
            customer = await session.get(m.Customer, ticket.customer_id)
            assert customer is not None
            request = OpenTicketRequest(
                type=TicketType.INSTALL,
                customer_id=customer.id,
                install=InstallRequest(
                    card_number=kept["card_number"],
                    device_model_id=kept["device_model_id"],
                    serial_number=kept["serial_number"],
                ),
            )
            details, _, _ = await ticket_details.check(session, hq, request, customer)
            assert details["install"]["serial_number"] == kept["serial_number"]
            card = (
                await session.execute(
                    select(m.AccountCard).where(m.AccountCard.card_number == kept["card_number"])
                )
            ).scalar_one()
            assert card.status in (CardStatus.IN_STOCK, CardStatus.AWAITING_ACTIVATION)
            assert card.customer_id is None
            assert card.branch_id == ticket.branch_id
            assert card.agent_id in (None, customer.agent_id)
            machine = (
                await session.execute(
                    select(m.Device).where(m.Device.serial_number == kept["serial_number"])
                )
            ).scalar_one()
            assert machine.status is DeviceStatus.IN_STOCK
            assert machine.device_model_id == kept["device_model_id"]
            station = await session.get(m.Warehouse, machine.warehouse_id)
            assert station is not None
            assert station.branch_id == ticket.branch_id
            cards[kept["card_number"]] += 1
            serials[kept["serial_number"]] += 1
        assert max(cards.values()) == 1
        assert max(serials.values()) == 1
        for ticket in await _open(session, TicketType.RECHARGE):
            device = await session.get(m.Device, ticket.device_id)
            assert device is not None
            assert device.status is DeviceStatus.INSTALLED
            kept = ticket.details["recharge"]
            again = RechargeRequest(
                plan=SupplyMode(kept["plan"]),
                quantity=kept["quantity"],
                unit_price=Decimal(kept["unit_price"]),
                payment_method=kept["payment_method"],
            )
            assert again.validated() == kept
            assert again.plan is device.supply_mode
        for ticket in await _open(session, TicketType.RELOCATE):
            target = ticket.details["relocate_to"]
            assert target["district"]
            assert target["latitude"] is not None
        for ticket in await _open(session, TicketType.CARD_CANCEL):
            cancelled = await session.get(m.AccountCard, ticket.card_id)
            assert cancelled is not None
            assert cancelled.status is CardStatus.ACTIVE

    asyncio.run(_in_session(demo_url, work))


def test_an_open_demo_install_is_done_by_its_engineer(demo_url: str) -> None:
    async def work(session: AsyncSession) -> None:
        ticket, job = (
            await session.execute(
                select(m.Ticket, m.Job)
                .join(m.Job, m.Job.ticket_id == m.Ticket.id)
                .where(
                    m.Ticket.type == TicketType.INSTALL,
                    m.Job.status.in_((JobStatus.ASSIGNED, JobStatus.ACCEPTED)),
                )
                .order_by(m.Job.number)
                .limit(1)
            )
        ).one()
        tech = await session.get(m.Technician, job.technician_id)
        assert tech is not None
        user = await session.get(m.User, tech.user_id)
        assert user is not None
        engineer = Actor(
            user.id, user.username, Role.TECHNICIAN, tech.branch_id, technician_id=tech.id
        )
        if job.status is JobStatus.ASSIGNED:
            await engineer_moves.accept_job(session, engineer, job_id=job.id)
        await engineer_moves.start_travel(session, engineer, job_id=job.id)
        await engineer_moves.arrive_on_site(session, engineer, job_id=job.id)
        await engineer_moves.complete_job(
            session, engineer, job_id=job.id, report={"confirmation_number": "QR-DEMO-0001"}
        )
        kept = ticket.details["install"]
        machine = (
            await session.execute(
                select(m.Device).where(m.Device.serial_number == kept["serial_number"])
            )
        ).scalar_one()
        card = await session.get(m.AccountCard, ticket.card_id)
        assert machine.status is DeviceStatus.INSTALLED
        assert machine.customer_id == ticket.customer_id
        assert ticket.device_id == machine.id
        assert card is not None
        assert card.card_number == kept["card_number"]
        assert card.status is CardStatus.ACTIVE
        assert card.device_id == machine.id

    asyncio.run(_in_session(demo_url, work, keep=False))
