"""Decisions read from a row and written back, made while another transaction changes that
row: each waits for the other and decides on what it left (found by reading every such
decision; none of these failed loudly, each answered OK with a wrong result).

Made certain as in ``test_lost_races.py``: the other transaction holds its change,
uncommitted, until the request waits for it. Only PostgreSQL lets two writers overlap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.dealer_world import RECEIVE_MACHINE, Tenants, tenants
from tests.api.discrepancy_world import site_with_van, token
from tests.api.held_writes import race
from tests.api.stock_world import good_balance, new_part, warehouse
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    add_job,
    add_technician,
    local,
    make_branch,
    next_day,
    signed_in,
)
from tests.factories import execute, fetch, raw_id, scalars, unique
from wellspring.domain.actor import SYSTEM
from wellspring.domain.agents.prices import lock_key
from wellspring.domain.db import one_at_a_time
from wellspring.domain.inventory import ledger
from wellspring.domain.inventory.machines import IN_STOCK
from wellspring.domain.models import (
    Device,
    DeviceModel,
    Job,
    MissedCall,
    PriceStandard,
    Technician,
    User,
)
from wellspring.domain.models.enums import (
    DeviceStatus,
    JobStatus,
    LedgerKind,
    MissedCallStatus,
    PriceKind,
    StockBin,
)
from wellspring.domain.workflow.dispatching import assign_job
from wellspring.schema.core.ids import global_id

__all__ = ["tenants"]  # the dealers' fixture


pytestmark = pytest.mark.usefixtures("postgresql_only")


def test_a_stocktake_sets_the_book_to_the_count_whatever_moved_meanwhile(
    database_url: str, gql: GraphQL
) -> None:
    """The book says 8, two parts are being used (uncommitted), the shelf holds 5: the
    stocktake must leave 5. It read 8 and posted -3, leaving 3."""
    part = new_part(database_url)
    sh = warehouse(database_url, "WH-SH")
    lines = [{"partId": global_id("Part", part), "quantity": 8}]
    received = {"kind": "RECEIPT", "toWarehouseId": sh, "lines": lines}
    ok(payload(gql, "MoveStock", {"input": received}, "hq"))

    async def hold(session: AsyncSession) -> None:  # two parts used, through the ledger
        await ledger.post(
            session, SYSTEM, warehouse_id=raw_id(sh), part_id=part, bin_=StockBin.GOOD,
            delta=-2, kind=LedgerKind.CONSUMPTION,
        )  # fmt: skip

    counted = [{"partId": global_id("Part", part), "quantity": 5}]
    variables = {"input": {"kind": "STOCKTAKE", "toWarehouseId": sh, "lines": counted}}
    answer = race(database_url, gql, "clerk-sh", hold, doc("MoveStock"), variables)
    assert answer["data"]["moveStock"]["errors"] == []
    assert scalars(database_url, good_balance(raw_id(sh), part)) == [5]


def test_parts_used_while_the_job_is_being_cancelled_are_refused(
    database_url: str, gql: GraphQL
) -> None:
    """A consumption racing a cancellation read the job as still on site and took parts on a
    job already cancelled. The consumption now waits for the job, and is refused."""
    part = new_part(database_url)
    s, job, van = site_with_van(database_url, part, 3)
    engineer = s.usernames["a"]
    token(gql, engineer)

    async def hold(session: AsyncSession) -> None:  # the cancellation, not yet committed
        await session.execute(update(Job).where(Job.id == job).values(status=JobStatus.CANCELLED))

    lines = [{"partId": global_id("Part", part), "quantity": 1}]
    used = {"jobId": global_id("Job", job), "lines": lines, "clientId": unique("late")}
    before = scalars(database_url, select(Job.status).where(Job.id == job))[0]
    try:
        answer = race(database_url, gql, engineer, hold, doc("ConsumeParts"), {"input": used})
    finally:  # the job's history knows no cancellation: the shared database stays consistent
        execute(database_url, update(Job).where(Job.id == job).values(status=before))
    assert [e["code"] for e in answer["data"]["consumeParts"]["errors"]] == ["JOB_CLOSED"]
    assert scalars(database_url, good_balance(van, part)) == [3]


def test_a_price_standard_while_another_of_its_key_is_being_saved_is_checked_against_it(
    database_url: str, gql: GraphQL
) -> None:
    """Two standards of one key and overlapping periods, saved at once, both passed the
    overlap check, and orders were priced from either."""
    part_id = new_part(database_url)
    first = {
        "kind": "DEALER_PART",
        "itemId": global_id("Part", part_id),
        "province": "上海市",
        "city": "上海市",
        "price": "12.50",
        "effectiveFrom": "2026-01-01",
    }

    async def hold(session: AsyncSession) -> None:  # the first save, not yet committed
        await one_at_a_time(session, lock_key(PriceKind.DEALER_PART, part_id, "上海市", "上海市"))
        session.add(
            PriceStandard(
                kind=PriceKind.DEALER_PART,
                item_id=part_id,
                province="上海市",
                city="上海市",
                price=Decimal("12.50"),
                effective_from=dt.date(2026, 1, 1),
            )
        )
        await session.flush()

    second = {**first, "price": "13.00", "effectiveFrom": "2026-06-01"}
    answer = race(database_url, gql, "hq", hold, doc("UpsertPriceStandard"), {"input": second})
    codes = [e["code"] for e in answer["data"]["upsertPriceStandard"]["errors"]]
    assert codes == ["PRICE_PERIOD_OVERLAP"]


def test_a_window_booked_for_the_engineer_meanwhile_is_seen_by_the_next_assignment(
    database_url: str, gql: GraphQL
) -> None:
    """Two dispatchers giving two jobs to one engineer in one window at once both passed the
    overlap check: the engineer was double-booked and both customers told. The engineer's
    row is now held while a job is given to them."""
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    for name in ("first", "second"):
        add_job(s, name, at=PLACES["jingan"])
    day = next_day({1, 2, 3, 4, 5, 6, 7})
    start, end = local(day, 10), local(day, 12)

    async def hold(session: AsyncSession) -> None:  # the first assignment, not yet committed
        await assign_job(
            session, SYSTEM, job_id=s.jobs["first"], technician_id=s.techs["a"],
            appointment_start=start, appointment_end=end,
        )  # fmt: skip

    variables = {
        "jobId": global_id("Job", s.jobs["second"]),
        "technicianId": global_id("Technician", s.techs["a"]),
        "appointmentStart": start.isoformat(),
        "appointmentEnd": end.isoformat(),
    }
    answer = race(database_url, gql, signed_in(gql, s.clerk), hold, doc("AssignJob"), variables)
    codes = [e["code"] for e in answer["data"]["assignJob"]["errors"]]
    assert codes == ["APPOINTMENT_OVERLAP"]


def _confirmed_order(gql: GraphQL, tenants: Tenants, model: str) -> str:
    """An agent's confirmed order of one machine of ``model``."""
    lines = [{"item": "MACHINE", "quantity": 1, "deviceModelId": model}]
    placed = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": lines}}, tenants.general_login))
    confirm = {"input": {"id": placed["order"]["id"], "approveOverCredit": True}}
    ok(payload(gql, "ConfirmAgentOrder", confirm, "hq"))
    return str(placed["order"]["id"])


def _machine(gql: GraphQL, tenants: Tenants, model: str) -> str:
    serial = unique("SN")
    received = {"w": tenants.hq_warehouse, "m": model, "s": serial}
    ok(gql.data(RECEIVE_MACHINE, received, as_user="hq")["receiveMachine"])
    return serial


def _model(database_url: str) -> str:
    return global_id("DeviceModel", scalars(database_url, select(DeviceModel.id).limit(1))[0])


def test_a_named_machine_installed_while_its_order_ships_stays_installed(
    database_url: str, gql: GraphQL, tenants: Tenants
) -> None:
    model = _model(database_url)
    serial = _machine(gql, tenants, model)
    order = _confirmed_order(gql, tenants, model)

    async def hold(session: AsyncSession) -> None:  # an install taking it, not yet committed
        await session.execute(
            update(Device)
            .where(Device.serial_number == serial)
            .values(status=DeviceStatus.INSTALLED, warehouse_id=None)
        )

    ship = {"id": order, "fromWarehouseId": tenants.hq_warehouse, "serialNumbers": [serial]}
    answer = race(database_url, gql, "hq", hold, doc("ShipAgentOrder"), {"input": ship})
    codes = [e["code"] for e in answer["data"]["shipAgentOrder"]["errors"]]
    assert codes == ["NOT_ENOUGH_MACHINES"]
    where = select(Device.warehouse_id).where(Device.serial_number == serial)
    assert scalars(database_url, where) == [None]


def test_an_order_shipped_while_another_takes_a_machine_takes_another(
    database_url: str, gql: GraphQL, tenants: Tenants
) -> None:
    """Two orders shipped at once took the same first serial: the second now takes the
    next machine no one is taking, without waiting."""
    model = _model(database_url)
    _machine(gql, tenants, model)
    _machine(gql, tenants, model)
    order = _confirmed_order(gql, tenants, model)
    in_stock = (
        select(Device.serial_number)
        .where(
            Device.warehouse_id == raw_id(tenants.hq_warehouse),
            Device.device_model_id == raw_id(model),
            Device.status.in_(IN_STOCK),
            Device.stock_bin == StockBin.GOOD,
            Device.deleted_at.is_(None),
        )
        .order_by(Device.serial_number)
        .limit(1)
    )
    first = scalars(database_url, in_stock)[0]

    async def hold(session: AsyncSession) -> None:  # another order's ship taking it
        await session.execute(
            select(Device.id).where(Device.serial_number == first).with_for_update()
        )

    ship = {"id": order, "fromWarehouseId": tenants.hq_warehouse}
    answer = race(
        database_url, gql, "hq", hold, doc("ShipAgentOrder"), {"input": ship}, waits=False
    )
    result = answer["data"]["shipAgentOrder"]
    assert result["errors"] == []
    (line,) = result["order"]["lines"]
    assert line["shipped"] != [first]


def test_an_older_position_sent_beside_a_newer_one_does_not_replace_it(
    database_url: str, gql: GraphQL
) -> None:
    """A phone's queued fix of ten minutes ago, sent while a fresh one is being saved: both
    passed the "never older than the one kept" check on the same read, and the older one,
    committed last, became the engineer's position."""
    s = make_branch(database_url)
    tech = add_technician(s, "a", home=PLACES["jingan"])
    newer = dt.datetime.now(dt.UTC).replace(microsecond=0)

    async def hold(session: AsyncSession) -> None:  # the fresh fix, not yet committed
        await session.execute(
            update(Technician)
            .where(Technician.id == tech)
            .values(position_latitude=31.2, position_longitude=121.4, position_at=newer)
        )

    older = (newer - dt.timedelta(minutes=10)).isoformat()
    document = """mutation($at: DateTime) { updateLocation(input: {latitude: 31.3,
      longitude: 121.5, recordedAt: $at}) { errors { code } } }"""
    answer = race(database_url, gql, signed_in(gql, s.usernames["a"]), hold, document,
                  {"at": older})  # fmt: skip
    assert answer["data"]["updateLocation"]["errors"] == []
    kept = select(Technician.position_at, Technician.position_latitude).filter_by(id=tech)
    assert [tuple(r) for r in fetch(database_url, kept)] == [(newer, 31.2)]


def test_a_callback_closed_meanwhile_is_not_given_to_an_agent(
    database_url: str, gql: GraphQL
) -> None:
    """An agent's last attempt closes the call (uncommitted) while a supervisor gives it to
    another agent: the assignment read it open and put a closed call in that agent's queue."""
    recorded = {"callId": unique("race"), "callerNumber": "021 6999 0001",
                "calledAt": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    call = ok(payload(gql, "RecordMissedCall", {"input": recorded}, "hotline"))["missedCall"]

    async def hold(session: AsyncSession) -> None:  # the closing attempt, not committed
        await session.execute(
            update(MissedCall)
            .where(MissedCall.id == raw_id(call["id"]))
            .values(status=MissedCallStatus.CLOSED, closed_at=dt.datetime.now(dt.UTC))
        )

    agent = scalars(database_url, select(User.id).where(User.username == "hotline"))[0]
    variables = {"input": {"missedCallId": call["id"], "userId": global_id("User", agent)}}
    answer = race(database_url, gql, "hq", hold, doc("AssignCallback"), variables)
    codes = [e["code"] for e in answer["data"]["assignCallback"]["errors"]]
    assert codes == ["CALL_ALREADY_CLOSED"]
    assigned = select(MissedCall.assigned_to_id).where(MissedCall.id == raw_id(call["id"]))
    assert scalars(database_url, assigned) == [None]
