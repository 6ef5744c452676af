"""Numbers a client sends are bounded where they enter (domain/bounds.py), with a localized
error naming the field, and nothing half-written; totals over many rows never overflow.

Found by an outside tester: a travel distance of 1.7e308 km, receipts and offline
consumptions of 2,147,483,647 and expected parts as many were all accepted, after which
engineersReport, the stock list, partsConsumedReport and consumptionReport answered
INTERNAL_ERROR; a unit price of "68.005" was kept, "0.001" stored as 0.00.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.api.bounds_site import (
    COMPLETE,
    CONSUME,
    MOVE,
    OPEN,
    ORDER,
    UPSERT_PART,
    Bounds,
    bounds_site,
    job_on_site,
    new_part,
    no_fault,
    post_raw,
    set_balance,
)
from tests.api.sync_site import sync_phone
from tests.api.workflow_steps import ids
from tests.conftest import GraphQL
from tests.factories import scalars, unique
from wellspring.domain import bounds
from wellspring.domain import models as m
from wellspring.domain.imports.values import Cells
from wellspring.domain.models.enums import JobStatus
from wellspring.schema.core.ids import global_id, parse_global_id

NOW_MS = int(time.time() * 1000)
REPAIR = {"faultSymptom": "x", "faultCode": "E01", "repairLevelCode": "LEVEL_1"}
PHONE_REPAIR = {"faultSymptom": "x", "faultCode": "E01", "repairLevel": "LEVEL_1"}
HAN_ONLY = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def b(gql: GraphQL, database_url: str) -> Bounds:
    return bounds_site(gql, database_url)


def _errors(body: dict[str, Any], field: str) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in body["data"][field]["errors"]]


def _complete(gql: GraphQL, b: Bounds, job: str, km: Any, locale: str = "en") -> dict[str, Any]:
    report = {**REPAIR, "travelDistanceKm": km}
    variables = {"input": {"id": job, "report": report}}
    return no_fault(gql.post(COMPLETE, variables, as_user=b.engineer, locale=locale))


@pytest.mark.parametrize(
    ("km", "code"),
    [
        (1.7e308, "VALUE_OUT_OF_RANGE"),
        (1e300, "VALUE_OUT_OF_RANGE"),
        (1000.5, "VALUE_OUT_OF_RANGE"),
        (-1, "AMOUNT_NEGATIVE"),
    ],
)
def test_a_travel_distance_out_of_range_is_refused(
    gql: GraphQL, b: Bounds, km: float, code: str
) -> None:
    job = job_on_site(b)
    body = _complete(gql, b, job, km)
    assert _errors(body, "completeJob") == [("report.travelDistanceKm", code)]
    again = _complete(gql, b, job, km, locale="zh-CN")["data"]["completeJob"]["errors"][0]
    assert not HAN_ONLY.search(again["message"]), again  # names the field in Chinese
    assert _complete(gql, b, job, 1000)["data"]["completeJob"]["job"]["status"] == "COMPLETED"


def test_the_phone_sends_a_travel_distance_within_the_same_bound(gql: GraphQL, b: Bounds) -> None:
    far, near = job_on_site(b), job_on_site(b)
    phone = sync_phone(gql, b.site, "c")
    phone.pull()
    events = {}
    for job, km in ((far, 1.7e308), (far, 1000.5), (near, 1000)):
        events[km] = phone.create(
            "job_events",
            {
                "job_id": _raw(job),
                "action": "COMPLETE",
                "reason": None,
                "report_json": json.dumps({**PHONE_REPAIR, "travelDistanceKm": km}),
                "recorded_at": NOW_MS,
            },
        )
    rejected = phone.push(phone.push_body())["rejected"].get("job_events", {})
    assert rejected[events[1.7e308]]["code"] == "INVALID_VALUE"
    assert rejected[events[1000.5]]["code"] == "INVALID_VALUE"
    assert events[1000] not in rejected
    assert scalars(b.site.url, select(m.Job.status).where(m.Job.id == _raw(near))) == [
        JobStatus.COMPLETED
    ]


def _raw(global_job_id: str) -> str:
    return str(parse_global_id(global_job_id, "Job"))


def _receipt(gql: GraphQL, b: Bounds, quantity: int, kind: str = "RECEIPT") -> dict[str, Any]:
    target = "fromWarehouseId" if kind == "BREAKAGE" else "toWarehouseId"
    line = {"partId": b.part, "quantity": quantity}
    variables = {"input": {"kind": kind, target: b.warehouse, "lines": [line]}}
    return no_fault(gql.post(MOVE, variables, as_user=b.clerk))


@pytest.mark.parametrize("kind", ["RECEIPT", "STOCKTAKE", "BREAKAGE"])
def test_a_stock_line_over_the_bound_is_refused(gql: GraphQL, b: Bounds, kind: str) -> None:
    movements = scalars(b.site.url, select(func.count()).select_from(m.StockMovement))[0]
    for quantity in (2_147_483_647, bounds.MAX_QUANTITY + 1):
        body = _receipt(gql, b, quantity, kind)
        assert _errors(body, "moveStock") == [("lines.0.quantity", "VALUE_OUT_OF_RANGE")]
    assert scalars(b.site.url, select(func.count()).select_from(m.StockMovement))[0] == movements


def test_a_receipt_never_takes_a_balance_past_what_an_int_holds(gql: GraphQL, b: Bounds) -> None:
    part_id = new_part(b.site.url)
    b2 = Bounds(**{**b.__dict__, "part": global_id("Part", part_id), "part_id": part_id})
    set_balance(b.warehouse_id, part_id, bounds.MAX_BALANCE - 10, b.site.url)
    body = _receipt(gql, b2, 11)
    assert _errors(body, "moveStock") == [("lines.0.quantity", "STOCK_LIMIT_EXCEEDED")]
    assert "2147483647" in body["data"]["moveStock"]["errors"][0]["message"]
    assert _receipt(gql, b2, 10)["data"]["moveStock"]["errors"] == []
    stock = "query($w: ID!) { stock(warehouseId: $w, first: 100) { edges { node { quantity part { id } } } } }"  # noqa: E501
    page = gql.data(stock, {"w": b.warehouse}, as_user=b.clerk)["stock"]
    held = [e["node"]["quantity"] for e in page["edges"] if e["node"]["part"]["id"] == b2.part]
    assert held == [bounds.MAX_BALANCE]


def test_consumptions_are_bounded_online_and_offline(gql: GraphQL, b: Bounds) -> None:
    job = job_on_site(b)
    for offline in (False, True):
        line = {"partId": b.part, "quantity": 2_147_483_647}
        variables = {
            "input": {
                "id": job,
                "lines": [line],
                "clientId": unique("c"),
                "recordedOffline": offline,
            }
        }
        body = no_fault(gql.post(CONSUME, variables, as_user=b.engineer))
        assert _errors(body, "consumeParts") == [("lines.0.quantity", "VALUE_OUT_OF_RANGE")]
    phone = sync_phone(gql, b.site, "c")
    phone.pull()
    record = phone.create(
        "part_consumptions",
        {
            "job_id": _raw(job),
            "part_id": b.part_id,
            "quantity": bounds.MAX_QUANTITY + 1,
            "old_part_returned": False,
            "recorded_at": None,
        },
    )
    rejected = phone.push(phone.push_body())["rejected"]
    assert rejected["part_consumptions"][record]["code"] == "INVALID_VALUE"


def test_expected_parts_and_order_lines_are_bounded(gql: GraphQL, b: Bounds) -> None:
    variables = {
        "input": {
            "type": "INQUIRY",
            "customerId": global_id("Customer", b.site.customer_id),
            "description": "界限",
            "expectedParts": [{"partId": b.part, "quantity": 2_147_483_647}],
        }
    }
    body = no_fault(gql.post(OPEN, variables, as_user=b.clerk))
    assert _errors(body, "openTicket") == [("expectedParts.0.quantity", "VALUE_OUT_OF_RANGE")]
    line = {"item": "PART", "partId": b.part, "quantity": 10_001}
    order = no_fault(gql.post(ORDER, {"input": {"lines": [line]}}, as_user="agent-1"))
    assert _errors(order, "placeAgentOrder") == [("lines.0.quantity", "VALUE_OUT_OF_RANGE")]


@pytest.mark.parametrize("price", ["68.005", "0.001", "1.999"])
def test_money_has_at_most_two_decimals(gql: GraphQL, b: Bounds, price: str) -> None:
    before = gql.data(UPSERT_PART, {"input": {"id": b.part, "cost": "12.30"}}, as_user="hq")
    assert before["upsertPart"]["part"]["cost"]["amount"] == "12.30"
    refused = no_fault(post_raw(gql, UPSERT_PART, {"input": {"id": b.part, "cost": price}}, "hq"))
    (error,) = refused["data"]["upsertPart"]["errors"]
    assert (error["field"], error["code"]) == ("cost", "AMOUNT_PRECISION")
    assert "两位小数" in error["message"]
    assert price in error["message"]
    kept = gql.data(UPSERT_PART, {"input": {"id": b.part, "cost": "68.000"}}, as_user="hq")
    assert kept["upsertPart"]["part"]["cost"]["amount"] == "68.00"


def test_a_recharge_is_paid_in_whole_fen(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    mode = scalars(
        database_url,
        select(m.Device.supply_mode).where(m.Device.id == parse_global_id(o["device"], "Device")),
    )[0]
    tickets = scalars(database_url, select(func.count()).select_from(m.Ticket))[0]
    for price in ("68.005", "0.001"):
        recharge = {
            "plan": mode.value,
            "quantity": 1,
            "unitPrice": price,
            "paymentMethod": "ONLINE",
        }
        variables = {
            "input": {
                "type": "RECHARGE",
                "customerId": o["customer"],
                "deviceId": o["device"],
                "recharge": recharge,
            }
        }
        body = no_fault(gql.post(OPEN, variables, as_user="hotline"))
        assert _errors(body, "openTicket") == [("recharge.unitPrice", "AMOUNT_PRECISION")]
    assert scalars(database_url, select(func.count()).select_from(m.Ticket))[0] == tickets


def test_an_imported_amount_has_at_most_two_decimals() -> None:
    row = Cells(2, {"cost": "0.001", "price": "12.5"})
    assert row.money("price") is not None
    assert row.money("cost") is None
    assert [(e.column, e.code) for e in row.errors] == [("cost", "IMPORT_AMOUNT_PRECISION")]


def test_long_texts_are_refused_not_cut(gql: GraphQL, b: Bounds) -> None:
    """A report's notes of 200,000 characters were stored whole; a street of 5,000 and a
    follow-up comment past 1,000 were cut without a word to whoever typed them."""
    job = job_on_site(b)
    notes = {"input": {"id": job, "report": {**REPAIR, "notes": "长" * 2001}}}
    body = no_fault(gql.post(COMPLETE, notes, as_user=b.engineer))
    assert _errors(body, "completeJob") == [("report.notes", "VALUE_TOO_LONG")]
    kept = {"input": {"id": job, "report": {**REPAIR, "notes": "长" * 2000}}}
    assert (
        no_fault(gql.post(COMPLETE, kept, as_user=b.engineer))["data"]["completeJob"]["errors"]
        == []
    )
    o = ids(b.site.url)
    address = {"province": "上海市", "city": "上海市", "district": "黄浦区", "street": "街" * 101}
    caller = {"name": unique("客户"), "phone": "13900001111", "address": address}
    opened = {"type": "INQUIRY", "branchId": o["SH"], "newCustomer": caller}
    body = no_fault(gql.post(OPEN, {"input": opened}, as_user="hotline"))
    assert _errors(body, "openTicket") == [("newCustomer.address.street", "VALUE_TOO_LONG")]
    ticket = scalars(b.site.url, select(m.Job.ticket_id).where(m.Job.id == _raw(job)))[0]
    call = (
        "mutation($input: FollowUpInput!) { recordFollowUp(input: $input) "
        "{ errors { field code } } }"
    )
    said = {"ticketId": global_id("Ticket", ticket), "score": 4, "comment": "好" * 1001}
    answer = gql.data(call, {"input": said}, as_user="hotline")["recordFollowUp"]
    assert answer["errors"] == [{"field": "comment", "code": "VALUE_TOO_LONG"}]
