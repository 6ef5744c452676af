"""A device's or customer's record decided on while another transaction writes it: each waits
for the other and decides on what it left (found by reading every decision read from a row
and written back; each answered OK with a wrong result).

Made certain as in ``test_decision_races.py``; only PostgreSQL lets two writers overlap."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.ticket_types_world import sh_device
from tests.api.workflow_steps import appoint, doc, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import execute, raw_id, scalars
from wellspring.domain import water
from wellspring.domain.actor import SYSTEM
from wellspring.domain.models import AccountCard, Customer, Device, Job, Ticket
from wellspring.domain.models.enums import (
    TICKET_OPEN_STATUSES,
    CardStatus,
    SupplyMode,
    TicketType,
)
from wellspring.domain.workflow import water_tests
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")

FAILING = {"tds": 320, "ph": 7.1, "residualChlorine": 0.05, "turbidity": 0.3, "temperature": 18}


def _on_site(gql: GraphQL, database_url: str, device: str, customer: str, **opened: str) -> str:
    """A visit of the device (a water test unless ``opened`` says otherwise), the engineer on
    site: its job's global id."""
    o = ids(database_url)
    opened = {"type": "WATER_TEST", "customerId": customer, "deviceId": device, **opened}
    ticket = ok(payload(gql, "OpenTicket", {"input": opened}, "hotline"))["ticket"]
    job, _start = appoint(gql, o, ticket["id"])
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job}, "tech-sh-1"))
    return job


def test_two_failing_water_tests_of_one_device_at_once_open_one_filter_change(
    database_url: str, gql: GraphQL
) -> None:
    """Two visits' failing tests of one device, recorded at once, both found no filter change
    waiting and opened two: the device is now held while that is decided."""
    device, customer = sh_device(database_url, SupplyMode.BUCKETS)
    first, second = (_on_site(gql, database_url, device, customer) for _ in range(2))

    async def hold(session: AsyncSession) -> None:  # the first visit's test, not committed
        job = await session.get(Job, raw_id(first))
        assert job is not None
        ticket = await session.get(Ticket, job.ticket_id)
        assert ticket is not None
        readings = water.Readings(tds_mg_l=320, ph=7.1, residual_chlorine_mg_l=0.05,
                                  turbidity_ntu=0.3, temperature_c=18)  # fmt: skip
        _test, opened = await water_tests.record(
            session, SYSTEM, ticket=ticket, job=job, readings=readings,
            tested_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        assert opened is not None

    variables = {"input": {"jobId": second, "report": {"waterTest": FAILING}}}
    answer = race(database_url, gql, "tech-sh-1", hold, doc("CompleteJob"), variables)
    assert answer["data"]["completeJob"]["errors"] == []
    filter_changes = select(func.count()).where(
        Ticket.device_id == raw_id(device),
        Ticket.type == TicketType.FILTER_CHANGE,
        Ticket.status.in_(TICKET_OPEN_STATUSES),
    )
    assert scalars(database_url, filter_changes) == [1]


@pytest.fixture
def new_field(gql: GraphQL) -> Iterator[Callable[..., str]]:
    """Defines a text field (of ``entity``, optionally filled on site) and puts it out of
    use after the test: the database is shared."""
    made: list[tuple[str, str]] = []

    def define(entity: str, *, on_site: bool = False) -> str:
        key = f"race_{uuid.uuid4().hex[:6]}"
        field = {"entity": entity, "key": key, "type": "TEXT", "labelZh": "测试",
                 "labelEn": "Test", "onSite": on_site}  # fmt: skip
        ok(gql.data(doc("DefineCustomField"), {"input": field}, as_user="hq")["defineCustomField"])
        made.append((entity, key))
        return key

    yield define
    for entity, key in made:
        off = {"entity": entity, "key": key, "isActive": False}
        ok(gql.data(doc("DefineCustomField"), {"input": off}, as_user="hq")["defineCustomField"])


def test_two_edits_of_a_customers_fields_at_once_keep_both(
    database_url: str, gql: GraphQL, new_field: Callable[..., str]
) -> None:
    """The values are one JSON column: an edit read it, another wrote its key meanwhile, and
    the first wrote the whole column back without it."""
    mine, theirs = new_field("CUSTOMER"), new_field("CUSTOMER")
    _device, customer = sh_device(database_url, SupplyMode.BUCKETS)
    execute(database_url, update(Customer).where(Customer.id == raw_id(customer))
            .values(custom_fields={}))  # fmt: skip

    async def hold(session: AsyncSession) -> None:  # the other edit, as the code makes it
        row = await session.scalar(
            select(Customer).where(Customer.id == raw_id(customer)).with_for_update()
        )
        assert row is not None
        row.custom_fields = {theirs: "theirs"}
        await session.flush()

    setting = {"input": {"id": customer, "customFields": [{"key": mine, "value": "mine"}]}}
    answer = race(database_url, gql, "hq", hold, doc("SetCustomFieldValues"), setting)
    assert answer["data"]["setCustomFieldValues"]["errors"] == []
    kept = scalars(
        database_url, select(Customer.custom_fields).where(Customer.id == raw_id(customer))
    )
    assert kept == [{theirs: "theirs", mine: "mine"}]


def test_a_devices_field_set_on_site_keeps_one_the_desk_set_meanwhile(
    database_url: str, gql: GraphQL, new_field: Callable[..., str]
) -> None:
    """A completion's on-site values of the device, beside a dispatcher's edit of another."""
    mine, theirs = new_field("DEVICE", on_site=True), new_field("DEVICE")
    device, customer = sh_device(database_url, SupplyMode.BUCKETS)
    execute(database_url, update(Device).where(Device.id == raw_id(device))
            .values(custom_fields={}))  # fmt: skip
    job = _on_site(gql, database_url, device, customer)

    async def hold(session: AsyncSession) -> None:  # another write of the row, not committed
        # A plain UPDATE, which (unlike FOR UPDATE) lets the water test's insert check its
        # device key without waiting: the completion must wait for the values themselves.
        await session.execute(
            update(Device)
            .where(Device.id == raw_id(device))
            .values(custom_fields={theirs: "theirs"})
        )

    passing = {**FAILING, "tds": 30}
    report = {"waterTest": passing, "deviceCustomFields": [{"key": mine, "value": "mine"}]}
    variables = {"input": {"jobId": job, "report": report}}
    answer = race(database_url, gql, "tech-sh-1", hold, doc("CompleteJob"), variables)
    assert answer["data"]["completeJob"]["errors"] == []
    kept = scalars(database_url, select(Device.custom_fields).where(Device.id == raw_id(device)))
    assert kept == [{theirs: "theirs", mine: "mine"}]


def test_a_card_cancelled_twice_at_once_is_cancelled_once(database_url: str, gql: GraphQL) -> None:
    """Another visit cancels the card (uncommitted) as this one completes: both read it
    active, and it was cancelled, unbound and audited twice. Now the second is refused."""
    device, customer = sh_device(database_url, SupplyMode.BUCKETS, with_card=True)
    held = select(AccountCard.id).where(
        AccountCard.device_id == raw_id(device), AccountCard.status == CardStatus.ACTIVE
    )
    card = scalars(database_url, held)[0]
    job = _on_site(gql, database_url, device, customer, type="CARD_CANCEL",
                   cardId=global_id("AccountCard", card))  # fmt: skip

    async def hold(session: AsyncSession) -> None:  # the other cancellation, not committed
        row = await session.get(AccountCard, card, with_for_update=True)
        assert row is not None
        row.status, row.customer_id, row.device_id = CardStatus.AWAITING_ACTIVATION, None, None
        await session.flush()

    variables = {"input": {"jobId": job, "report": {}}}
    answer = race(database_url, gql, "tech-sh-1", hold, doc("CompleteJob"), variables)
    codes = [e["code"] for e in answer["data"]["completeJob"]["errors"]]
    assert codes == ["CARD_NOT_ACTIVE"]
