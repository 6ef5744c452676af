"""A mutation that loses a race the database settles runs once more and is answered as if
sent after the winner (never INTERNAL_ERROR); what its first attempt wrote is not kept. A
second loss answers CONCURRENT_CHANGE (tests/api/test_sole_mutation.py). A decision taken
twice at once (a transfer received) is taken once: the second waits, then finds it taken.

Each race is made certain: another transaction holds the winning write, uncommitted, while
the request runs against a live server, and commits once the request waits on it. Only
PostgreSQL lets two writers overlap (SQLite serialises them).
"""

from __future__ import annotations

import base64
import random
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.discrepancy_world import site_with_van, token
from tests.api.held_writes import race
from tests.api.stock_world import new_part, part, warehouse
from tests.api.ticket_types_world import on_site, receive_machine, sh_device
from tests.api.workflow_steps import doc, ids, ok, payload, to_assigned
from tests.conftest import GraphQL
from tests.domain.outlets_world import actor_of
from tests.factories import raw_id, scalars, unique
from wellspring.domain.imports.runs import ImportFile, content_hash, lock_key
from wellspring.domain.inventory.consumption import consume_parts
from wellspring.domain.inventory.documents import Line
from wellspring.domain.models import AccountCard as CardRow
from wellspring.domain.models import (
    Customer,
    Device,
    DeviceModel,
    FaultCode,
    StockBalance,
    StockMovement,
)
from wellspring.domain.models.enums import (
    CardStatus,
    DeviceStatus,
    ImportKind,
    MovementStatus,
    SupplyMode,
)
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")


def _upsert_fault_code(code: str) -> dict[str, Any]:
    return {"input": {"code": code, "nameZh": "竞态", "nameEn": "race"}}


def test_creating_a_key_another_transaction_is_creating_meets_it_once_committed(
    database_url: str, gql: GraphQL
) -> None:
    """The INSERT waits for the other transaction's row, fails once it commits (it answered
    CONCURRENT_CHANGE, and before that INTERNAL_ERROR), and runs again: it then finds the
    code and edits it, as the mutation does for a known code."""
    gql.token("admin")
    code = unique("E").upper()[:16]

    async def hold(session: AsyncSession) -> None:
        session.add(FaultCode(code=code, name_zh="先到", name_en="first"))
        await session.flush()

    variables = _upsert_fault_code(code)
    answer = race(database_url, gql, "admin", hold, doc("UpsertFaultCode"), variables)
    result = answer["data"]["upsertFaultCode"]
    assert "errors" not in answer, answer
    assert result["errors"] == []
    assert result["faultCode"]["nameEn"] == "race"
    names = scalars(database_url, select(FaultCode.name_en).where(FaultCode.code == code))
    assert names == ["race"]


def test_a_change_under_a_revision_being_written_answers_stale_object_and_keeps_nothing(
    database_url: str, gql: GraphQL
) -> None:
    """CancelTicket reads the ticket, then its writes wait on another transaction's change of
    it, which moves the revision: its UPDATE then matches no row. A workflow move answers
    that itself (the user decided on what has changed since), and runs no second time."""
    o = ids(database_url)
    ticket_id, _job_id = to_assigned(gql, o)
    gql.token("clerk-sh")

    async def hold(session: AsyncSession) -> None:
        await session.execute(
            text("UPDATE tickets SET revision = revision + 1 WHERE id = :id"),
            {"id": raw_id(ticket_id)},
        )

    variables = {"id": ticket_id, "reason": "客户取消"}
    answer = race(database_url, gql, "clerk-sh", hold, doc("CancelTicket"), variables)
    assert "errors" not in answer, answer
    (error,) = answer["data"]["cancelTicket"]["errors"]
    assert error["code"] == "STALE_OBJECT", error
    ticket = gql.data(doc("Ticket"), {"id": ticket_id}, as_user="hq")["ticket"]
    assert ticket["status"] != "CANCELLED"
    again = gql.data(doc("CancelTicket"), variables, as_user="clerk-sh")["cancelTicket"]
    assert again["errors"] == []
    assert again["ticket"]["status"] == "CANCELLED"


def test_in_a_mutation_of_two_fields_the_lost_one_runs_again_and_the_other_lands(
    database_url: str, gql: GraphQL
) -> None:
    """With two fields, each runs in a savepoint: the one that lost is rolled back to it and
    runs again, and the request goes on."""
    gql.token("admin")
    held, free = unique("E").upper()[:16], unique("F").upper()[:16]

    async def hold(session: AsyncSession) -> None:
        session.add(FaultCode(code=held, name_zh="先到", name_en="first"))
        await session.flush()

    document = """
    mutation Two($a: UpsertFaultCodeInput!, $b: UpsertFaultCodeInput!) {
      a: upsertFaultCode(input: $a) { faultCode { code } errors { code } }
      b: upsertFaultCode(input: $b) { faultCode { code } errors { code } }
    }"""
    variables = {"a": _upsert_fault_code(held)["input"], "b": _upsert_fault_code(free)["input"]}
    answer = race(database_url, gql, "admin", hold, document, variables)
    assert "errors" not in answer, answer
    assert answer["data"]["a"] == {"faultCode": {"code": held}, "errors": []}
    assert answer["data"]["b"] == {"faultCode": {"code": free}, "errors": []}
    codes = gql.data(doc("FaultCodes"), {}, as_user="admin", locale="en")["faultCodes"]
    names = {c["code"]: c["name"] for c in codes}
    assert names[held] == names[free] == "race"


def test_a_transfer_received_twice_at_once_arrives_once(database_url: str, gql: GraphQL) -> None:
    """The other transaction receives the transfer first (here: marks it done, uncommitted).
    The request waits for its lock on the document and then finds it received: nothing is
    posted twice (six receipts at once used to add the stock six times)."""
    hq, sh = warehouse(database_url, "WH-HQ"), warehouse(database_url, "WH-SH")
    pump = part(database_url, "PUMP-24V")
    lines = [{"partId": pump, "quantity": 1}]
    receipt = {"kind": "RECEIPT", "toWarehouseId": hq, "lines": lines}
    ok(payload(gql, "MoveStock", {"input": receipt}, "hq"))
    transfer = {"kind": "TRANSFER", "fromWarehouseId": hq, "toWarehouseId": sh, "lines": lines}
    shipped = ok(payload(gql, "MoveStock", {"input": transfer}, "hq"))["movement"]
    gql.token("clerk-sh")

    def level() -> int:
        page = gql.data(doc("Stock"), {"warehouseId": sh, "first": 100}, as_user="clerk-sh")
        return next(
            e["node"]["quantity"]
            for e in page["stock"]["edges"]
            if e["node"]["part"]["sku"] == "PUMP-24V" and e["node"]["bin"] == "GOOD"
        )

    before = level()

    async def hold(session: AsyncSession) -> None:
        await session.execute(
            update(StockMovement)
            .where(StockMovement.id == raw_id(shipped["id"]))
            .values(status=MovementStatus.DONE)
        )

    document = (
        "mutation($id: ID!) { receiveTransfer(id: $id) { movement { status } errors { code } } }"
    )
    answer = race(database_url, gql, "clerk-sh", hold, document, {"id": shipped["id"]})
    assert answer["data"]["receiveTransfer"] == {
        "movement": None,
        "errors": [{"code": "INVALID_TRANSITION"}],
    }
    assert level() == before


def _install_on_site(gql: GraphQL, database_url: str) -> tuple[str, str, str]:
    """An INSTALL ticket's job on site: its job, the card and the serial it names."""
    o = ids(database_url)
    serial = unique("WS-RACE").upper()[:32]
    assert receive_machine(gql, database_url, serial)["errors"] == []
    # a card of the customer's own owner (other tests leave agents' cards in stock, which
    # may sort first: CARD_OF_OTHER_OWNER)
    owner = select(Customer.agent_id).where(Customer.id == raw_id(o["customer"]))
    card = scalars(
        database_url,
        select(CardRow.card_number)
        .where(
            CardRow.status == CardStatus.IN_STOCK,
            CardRow.agent_id.is_not_distinct_from(owner.scalar_subquery()),
        )
        .order_by(CardRow.card_number)
        .limit(1),
    )[0]
    model = scalars(database_url, select(DeviceModel.id).order_by(DeviceModel.code))[0]
    install = {
        "cardNumber": card,
        "deviceModelId": global_id("DeviceModel", model),
        "serialNumber": serial,
        "contractNumber": unique("HT"),
        "price": "1280.00",
    }
    opened = {"type": "INSTALL", "customerId": o["customer"], "install": install}
    return on_site(gql, o, opened), card, serial


def _complete(database_url: str, gql: GraphQL, job_id: str, hold: Any) -> list[str]:
    """The codes CompleteJob answers when ``hold``'s write commits under it."""
    report = {"jobId": job_id, "report": {"confirmationNumber": unique("QR")[:32]}}
    answer = race(database_url, gql, "tech-sh-1", hold, doc("CompleteJob"), {"input": report})
    return [e["code"] for e in answer["data"]["completeJob"]["errors"]]


def test_one_machine_installed_by_two_visits_at_once_is_installed_once(
    database_url: str, gql: GraphQL
) -> None:
    """The other transaction installs the serial first (here: takes it out of stock,
    uncommitted). The completion waits for its lock on the machine and then finds it gone,
    as when sent after it; the card it named stays in stock (two installs of one serial at
    once used to both succeed, the machine ending at the last customer)."""
    job_id, card, serial = _install_on_site(gql, database_url)

    async def hold(session: AsyncSession) -> None:
        await session.execute(
            update(Device)
            .where(Device.serial_number == serial)
            .values(status=DeviceStatus.INSTALLED, warehouse_id=None)
        )

    assert _complete(database_url, gql, job_id, hold) == ["SERIAL_NOT_IN_STOCK"]
    status = scalars(database_url, select(CardRow.status).where(CardRow.card_number == card))
    assert status == [CardStatus.IN_STOCK]


def test_one_card_bound_by_two_installs_at_once_is_bound_once(
    database_url: str, gql: GraphQL
) -> None:
    """The other transaction binds the card first (uncommitted): the completion waits for
    its lock on the card and then finds it active, and the machine stays in stock."""
    job_id, card, serial = _install_on_site(gql, database_url)

    async def hold(session: AsyncSession) -> None:
        await session.execute(
            update(CardRow).where(CardRow.card_number == card).values(status=CardStatus.ACTIVE)
        )

    assert _complete(database_url, gql, job_id, hold) == ["CARD_ALREADY_ACTIVE"]
    machine = select(Device.status).where(Device.serial_number == serial)
    assert scalars(database_url, machine) == [DeviceStatus.IN_STOCK]


def test_two_calls_about_one_device_at_once_are_checked_one_after_the_other(
    database_url: str, gql: GraphQL
) -> None:
    """OpenTicket locks the device before looking for an open ticket of the same type on it:
    here the other transaction holds that lock, and the call waits for it. (Four REPAIR
    tickets on one device at once all answered 200; one after the other, the second is
    DUPLICATE_OPEN_TICKET.)"""
    device, customer = sh_device(database_url, SupplyMode.MONTHLY)

    async def hold(session: AsyncSession) -> None:
        # FOR NO KEY UPDATE: it lets the new ticket's foreign-key check pass (KEY SHARE), so
        # only a lock taken by the check itself waits for it.
        held = select(Device.id).where(Device.id == raw_id(device))
        await session.execute(held.with_for_update(key_share=True))

    repair = {
        "type": "REPAIR",
        "customerId": customer,
        "deviceId": device,
        "description": "漏水",
        "allowDuplicate": False,  # the workflow steps waive the rule unless told
    }
    answer = race(database_url, gql, "hotline", hold, doc("OpenTicket"), {"input": repair})
    assert answer["data"]["openTicket"]["errors"] == []
    again = payload(gql, "OpenTicket", {"input": repair}, "hotline")
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_OPEN_TICKET"]


def test_a_retry_sent_while_the_first_call_runs_gets_the_first_calls_answer(
    database_url: str, gql: GraphQL
) -> None:
    """A phone sends ConsumeParts again before the first call's answer arrives: the retry
    waits for the van's balance, its entries then collide with the first call's, and it runs
    again and finds them (it answered CONCURRENT_CHANGE). The part leaves the van once."""
    pump = new_part(database_url)
    s, job, van = site_with_van(database_url, pump, 3)
    engineer, key = s.usernames["a"], unique("retry")
    token(gql, engineer)

    async def hold(session: AsyncSession) -> None:  # the first call, not yet committed
        actor = await actor_of(session, engineer)
        await consume_parts(
            session, actor, job_id=job, lines=[Line(part_id=pump, quantity=1)], client_id=key
        )

    lines = [{"partId": global_id("Part", pump), "quantity": 1}]
    variables = {"input": {"jobId": global_id("Job", job), "lines": lines, "clientId": key}}
    answer = race(database_url, gql, engineer, hold, doc("ConsumeParts"), variables)
    assert answer["data"]["consumeParts"]["errors"] == []
    left = select(StockBalance.quantity).where(
        StockBalance.warehouse_id == van, StockBalance.part_id == pump
    )
    assert scalars(database_url, left) == [2]


def test_two_imports_of_one_file_at_once_apply_it_once(database_url: str, gql: GraphQL) -> None:
    """StartImport waits for another import of the same file (here: holding its lock) to
    finish checking and applying it; then the rows are there and nothing is written twice.
    (Four imports of one customers file at once each created every customer.)"""
    phone = f"17{random.randrange(10**8, 10**9)}"
    text = f"客户姓名,手机号,省,市,区\n并发导入,{phone},上海市,上海市,闵行区\n"
    content = text.encode("utf-8")
    file = ImportFile(
        kind=ImportKind.CUSTOMERS,
        file_name="once.csv",
        content_hash=content_hash(content, ImportKind.CUSTOMERS, {}, "SH"),
        headers=[],
        rows=[],
    )

    async def hold(session: AsyncSession) -> None:
        key = func.hashtextextended(lock_key(file), 0)
        await session.execute(select(func.pg_advisory_xact_lock(key)))

    started = {
        "kind": "CUSTOMERS",
        "fileName": "once.csv",
        "content": base64.b64encode(content).decode(),
        "branchCode": "SH",
    }
    answer = race(database_url, gql, "hq", hold, doc("StartImport"), {"input": started})
    result = answer["data"]["startImport"]
    assert result["errors"] == []
    assert result["import"]["appliedRows"] == 1, result
    again = gql.data(doc("StartImport"), {"input": started}, as_user="hq")["startImport"]
    assert (again["import"]["appliedRows"], again["import"]["unchangedRows"]) == (0, 1)
    assert scalars(database_url, select(func.count()).where(Customer.phone == phone)) == [1]
