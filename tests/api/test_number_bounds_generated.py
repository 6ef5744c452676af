"""Generated numbers thrown at every door that gained a bound (tests/api/test_number_bounds.py
has the worked cases): huge, negative, fractional, infinite, not a number at all. No answer
may be a 5xx or carry INTERNAL_ERROR, and what a door took must still be readable."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.api.bounds_site import (
    CHECK,
    COMPLETE,
    CONSUME,
    MOVE,
    OPEN,
    ORDER,
    UPSERT_PART,
    Bounds,
    bounds_site,
    job_on_site,
    no_fault,
    old_part_return,
    post_raw,
)
from tests.api.sync_site import sync_phone
from tests.conftest import GraphQL
from tests.factories import unique
from wellspring.domain import models as m
from wellspring.domain.bounds import MAX_QUANTITY
from wellspring.schema.core.ids import global_id, parse_global_id

EXAMPLES = int(os.environ.get("WELLSPRING_BOUNDS_EXAMPLES", "25"))
GENERATED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Whatever a client's JSON may hold where a number belongs.
ANY_NUMBER = st.one_of(
    st.integers(-5, 200_005),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**31 - 1, 2**31, -(2**31), 100_000, 100_001, 1_000, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.7e308, 1e300, 1000.0, 1000.0000001, -0.0, 5e-324]),
    st.sampled_from(["Infinity", "-Infinity", "NaN", "inf", "1e309", "2147483647", ""]),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)
# And where money belongs (a Decimal): strings above all.
ANY_MONEY = st.one_of(
    ANY_NUMBER,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["68.005", "0.001", "68.000", "1E+2", "1e-3", "-0.00", "9999999999.99"]),
)
REPAIR = {"faultSymptom": "x", "faultCode": "E01", "repairLevelCode": "LEVEL_1"}
PHONE_REPAIR = {"faultSymptom": "x", "faultCode": "E01", "repairLevel": "LEVEL_1"}


@pytest.fixture(scope="module")
def b(gql: GraphQL, database_url: str) -> Bounds:
    return bounds_site(gql, database_url)


def _taken(body: dict[str, Any], field: str, result: str) -> bool:
    """Whether the mutation did its work (its payload holds ``result``, with no error)."""
    payload = (body.get("data") or {}).get(field) or {}
    return bool(payload.get(result)) and not payload.get("errors")


def _raw_errors(body: dict[str, Any], field: str) -> list[Any]:
    data = body.get("data") or {}
    return list((data.get(field) or {}).get("errors") or [])


def test_completion_reports_take_any_travel_figure(gql: GraphQL, b: Bounds) -> None:
    jobs = [job_on_site(b)]

    @GENERATED
    @given(km=ANY_NUMBER)
    @example(km=1.7e308)
    @example(km=1000)
    def check(km: Any) -> None:
        variables = {"input": {"id": jobs[-1], "report": {**REPAIR, "travelDistanceKm": km}}}
        body = no_fault(post_raw(gql, COMPLETE, variables, b.engineer))
        done = ((body.get("data") or {}).get("completeJob") or {}).get("job") or {}
        if done.get("status") == "COMPLETED":
            if km is not None:  # none reported is a report too
                assert isinstance(km, int | float)
                assert 0 <= km <= 1000
            jobs.append(job_on_site(b))  # the next figure needs a job still on site

    check()
    report = '{ engineersReport(from: "2026-01-01", to: "2026-12-31") { travelKm } }'
    assert gql.data(report, as_user="hq")["engineersReport"] is not None


def test_stock_lines_take_any_quantity(gql: GraphQL, b: Bounds) -> None:
    @GENERATED
    @given(kind=st.sampled_from(["RECEIPT", "STOCKTAKE", "BREAKAGE"]), quantity=ANY_NUMBER)
    @example(kind="RECEIPT", quantity=2_147_483_647)
    def check(kind: str, quantity: Any) -> None:
        target = "fromWarehouseId" if kind == "BREAKAGE" else "toWarehouseId"
        line = {"partId": b.part, "quantity": quantity}
        variables = {"input": {"kind": kind, target: b.warehouse, "lines": [line]}}
        body = no_fault(post_raw(gql, MOVE, variables, b.clerk))
        if _taken(body, "moveStock", "movement"):
            assert 0 <= quantity <= MAX_QUANTITY

    check()
    stock = "query($w: ID!) { stock(warehouseId: $w, first: 100) { edges { node { quantity } } } }"
    assert gql.data(stock, {"w": b.warehouse}, as_user=b.clerk)["stock"]["edges"]


def test_consumptions_take_any_quantity(gql: GraphQL, b: Bounds) -> None:
    job = job_on_site(b)

    @GENERATED
    @given(quantity=ANY_NUMBER, offline=st.booleans())
    @example(quantity=2_147_483_647, offline=True)
    @example(quantity=2_147_483_646, offline=True)
    def check(quantity: Any, offline: bool) -> None:
        line = {"partId": b.part, "quantity": quantity}
        variables = {
            "input": {
                "id": job,
                "lines": [line],
                "clientId": unique("gen"),
                "recordedOffline": offline,
            }
        }
        body = no_fault(post_raw(gql, CONSUME, variables, b.engineer))
        if _taken(body, "consumeParts", "entries"):
            assert 1 <= quantity <= MAX_QUANTITY

    check()
    report = '{ consumptionReport(month: "2026-12") { quantity } }'
    assert gql.data(report, as_user="hq")["consumptionReport"] is not None


def test_the_phone_sends_any_quantity_and_any_travel_figure(gql: GraphQL, b: Bounds) -> None:
    jobs = [job_on_site(b), job_on_site(b)]
    phone = sync_phone(gql, b.site, "c")
    phone.pull()

    @GENERATED
    @given(quantity=ANY_NUMBER, km=ANY_NUMBER)
    def check(quantity: Any, km: Any) -> None:
        now = int(time.time() * 1000)
        phone.create(
            "part_consumptions",
            {
                "job_id": str(parse_global_id(jobs[0], "Job")),
                "part_id": b.part_id,
                "quantity": quantity,
                "old_part_returned": False,
                "recorded_at": now,
            },
        )
        report = json.dumps({**PHONE_REPAIR, "travelDistanceKm": km})
        phone.create(
            "job_events",
            {
                "job_id": str(parse_global_id(jobs[-1], "Job")),
                "action": "COMPLETE",
                "reason": None,
                "report_json": report,
                "recorded_at": now,
            },
        )
        raw = json.dumps(phone.push_body()).encode()
        headers = {**phone.headers(), "Content-Type": "application/json"}
        response = phone.client.post("/sync/push", content=raw, headers=headers)
        assert response.status_code < 500, response.text
        answer = response.json()
        for records in (answer.get("rejected") or {}).values():
            assert all(r["code"] != "INTERNAL_ERROR" for r in records.values()), answer
        phone.pending.clear()
        if "job_events" not in (answer.get("rejected") or {}):
            jobs.append(job_on_site(b))

    check()


def test_expected_parts_take_any_quantity(gql: GraphQL, b: Bounds) -> None:
    @GENERATED
    @given(quantity=ANY_NUMBER)
    @example(quantity=2_147_483_647)
    def check(quantity: Any) -> None:
        variables = {
            "input": {
                "type": "INQUIRY",
                "customerId": global_id("Customer", b.site.customer_id),
                "description": "界限",
                "expectedParts": [{"partId": b.part, "quantity": quantity}],
            }
        }
        body = no_fault(post_raw(gql, OPEN, variables, b.clerk))
        if _taken(body, "openTicket", "ticket"):
            assert 1 <= quantity <= MAX_QUANTITY

    check()


def test_order_lines_take_any_quantity(gql: GraphQL) -> None:
    nowhere = global_id("Part", m.new_id())  # no order is ever placed: its part is unknown

    @GENERATED
    @given(quantity=ANY_NUMBER)
    @example(quantity=2_147_483_647)
    def check(quantity: Any) -> None:
        line = {"item": "PART", "partId": nowhere, "quantity": quantity}
        body = no_fault(post_raw(gql, ORDER, {"input": {"lines": [line]}}, "agent-1"))
        data = body.get("data") or {}
        assert (data.get("placeAgentOrder") or {}).get("order") is None

    check()


def test_old_part_counts_take_any_number(gql: GraphQL, b: Bounds) -> None:
    movement = old_part_return(b, 3)

    @GENERATED
    @given(valid=ANY_NUMBER, rejected=ANY_NUMBER)
    @example(valid=2_147_483_647, rejected=-2_147_483_644)
    def check(valid: Any, rejected: Any) -> None:
        counts = [{"partId": b.part, "valid": valid, "rejected": rejected}]
        body = no_fault(post_raw(gql, CHECK, {"id": movement, "c": counts}, "hq"))
        if isinstance(valid, int) and valid > 3:
            assert _raw_errors(body, "checkOldParts") or body.get("errors")

    check()


def test_money_takes_any_amount(gql: GraphQL, b: Bounds) -> None:
    @GENERATED
    @given(cost=ANY_MONEY)
    @example(cost="68.005")
    @example(cost="0.001")
    def check(cost: Any) -> None:
        body = no_fault(post_raw(gql, UPSERT_PART, {"input": {"id": b.part, "cost": cost}}, "hq"))
        part = ((body.get("data") or {}).get("upsertPart") or {}).get("part")
        if part is not None and cost is not None:  # taken: as sent, never rounded to the fen
            assert Decimal(str(cost)) == Decimal(part["cost"]["amount"]), (cost, part)

    check()
