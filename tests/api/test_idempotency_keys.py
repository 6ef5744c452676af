"""A create sent twice with one ``idempotencyKey`` (a client retrying after a timeout) makes
one thing, and the retry's payload is the first call's (docs/api.md, "Retries"); after the
key's lifetime a call with it runs as new. Two at once: ``test_idempotency_races.py``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from tests.api.stock_world import new_part, warehouse
from tests.api.workflow_steps import doc, ids, ok, payload
from tests.conftest import GraphQL, make_settings
from tests.factories import raw_id, scalars, unique
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.clock import FixedClock
from wellspring.schema.core.ids import global_id


def send(gql: GraphQL, name: str, values: dict[str, Any], user: str) -> dict[str, Any]:
    data = gql.data(doc(name), {"input": values}, as_user=user)
    return dict(next(iter(data.values())))


def codes(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["errors"]]


def test_a_complaint_sent_twice_with_its_key_is_opened_once(
    gql: GraphQL, database_url: str
) -> None:
    o = ids(database_url)
    said = unique("师傅态度差")
    key = str(uuid.uuid4())
    complaint = {
        "type": "COMPLAINT",
        "customerId": o["customer"],
        "description": said,
        "idempotencyKey": key,
    }
    first = send(gql, "OpenTicket", complaint, "hotline")
    again = send(gql, "OpenTicket", complaint, "hotline")
    assert first["errors"] == again["errors"] == []
    assert again["ticket"]["id"] == first["ticket"]["id"]
    # The same key, once per user: another user's call is another action.
    other = send(gql, "OpenTicket", {**complaint, "type": "INQUIRY"}, "hq")
    assert other["errors"] == []
    # The same user and key with another input is refused: one key, one action.
    changed = send(gql, "OpenTicket", {**complaint, "description": said + "！"}, "hotline")
    assert codes(changed) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    opened = scalars(
        database_url,
        select(func.count()).select_from(m.Ticket).where(m.Ticket.description == said),
    )
    assert opened == [2]  # the hotline's one and HQ's one


def test_a_refused_call_keeps_no_key(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    key = str(uuid.uuid4())
    inquiry = {"type": "INQUIRY", "customerId": o["customer"], "idempotencyKey": key}
    nobody = {**inquiry, "customerId": global_id("Customer", str(uuid.uuid4()))}
    assert codes(send(gql, "OpenTicket", nobody, "hotline")) == [("customerId", "NOT_FOUND")]
    assert send(gql, "OpenTicket", inquiry, "hotline")["errors"] == []
    too_long = {**inquiry, "idempotencyKey": "k" * 65}
    assert codes(send(gql, "OpenTicket", too_long, "hotline")) == [
        ("idempotencyKey", "VALUE_TOO_LONG")
    ]


def test_a_transfer_sent_twice_with_its_key_moves_the_stock_once(
    gql: GraphQL, database_url: str
) -> None:
    hq, sh = warehouse(database_url, "WH-HQ"), warehouse(database_url, "WH-SH")
    part_raw = new_part(database_url)
    part = global_id("Part", part_raw)
    received = send(
        gql,
        "MoveStock",
        {"kind": "RECEIPT", "toWarehouseId": hq, "lines": [{"partId": part, "quantity": 5}]},
        "hq",
    )
    assert received["errors"] == []
    note = unique("调拨")
    transfer = {
        "kind": "TRANSFER",
        "fromWarehouseId": hq,
        "toWarehouseId": sh,
        "lines": [{"partId": part, "quantity": 2}],
        "note": note,
        "idempotencyKey": unique("transfer"),
    }
    first = send(gql, "MoveStock", transfer, "hq")
    again = send(gql, "MoveStock", transfer, "hq")
    assert first["errors"] == again["errors"] == []
    assert again["movement"]["id"] == first["movement"]["id"]
    moved = scalars(
        database_url,
        select(func.count()).select_from(m.StockMovement).where(m.StockMovement.note == note),
    )
    assert moved == [1]
    more = send(gql, "MoveStock", {**transfer, "lines": [{"partId": part, "quantity": 3}]}, "hq")
    assert codes(more) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    left = scalars(
        database_url,
        select(m.StockBalance.quantity).where(
            m.StockBalance.part_id == part_raw, m.StockBalance.warehouse_id == raw_id(hq)
        ),
    )
    assert left == [3]  # 5 received, 2 sent once (in transit until received)


def test_an_agent_order_sent_twice_with_its_key_is_placed_once(
    gql: GraphQL, database_url: str
) -> None:
    agent = global_id("Agent", scalars(database_url, select(m.Agent.id).limit(1))[0])
    note = unique("补货")
    order = {
        "agentId": agent,
        "lines": [
            {"item": "PART", "quantity": 1, "partId": global_id("Part", new_part(database_url))}
        ],
        "note": note,
        "idempotencyKey": unique("order"),
    }
    first = send(gql, "PlaceAgentOrder", order, "hq")
    again = send(gql, "PlaceAgentOrder", order, "hq")
    assert first["errors"] == again["errors"] == []
    assert again["order"]["id"] == first["order"]["id"]
    placed = scalars(
        database_url,
        select(func.count()).select_from(m.AgentOrder).where(m.AgentOrder.note == note),
    )
    assert placed == [1]


def missed_call(gql: GraphQL) -> str:
    """A missed call of this test's own, open: its global id."""
    called = {"callId": unique("retry"), "callerNumber": "021 6999 0002",
              "calledAt": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    return str(
        ok(payload(gql, "RecordMissedCall", {"input": called}, "hotline"))["missedCall"]["id"]
    )


def test_a_call_back_sent_twice_with_its_key_is_one_attempt(
    gql: GraphQL, database_url: str
) -> None:
    """Each NO_ANSWER counts toward the attempts that close the call unreturned: a retry
    without a key counted twice."""
    call = missed_call(gql)
    attempt = {
        "missedCallId": call,
        "outcome": "NO_ANSWER",
        "note": unique("没人接"),
        "idempotencyKey": unique("callback"),
    }
    first = send(gql, "RecordCallback", attempt, "hotline")
    again = send(gql, "RecordCallback", attempt, "hotline")
    assert first["errors"] == again["errors"] == []
    assert (again["missedCall"], again["attempt"]) == (first["missedCall"], first["attempt"])
    assert (first["missedCall"]["status"], first["missedCall"]["attempts"]) == ("OPEN", 1)
    busy = send(gql, "RecordCallback", {**attempt, "outcome": "BUSY"}, "hotline")
    assert codes(busy) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    made = scalars(
        database_url,
        select(func.count())
        .select_from(m.CallbackAttempt)
        .where(m.CallbackAttempt.missed_call_id == raw_id(call)),
    )
    assert made == [1]


def test_an_assessment_sent_twice_with_its_key_is_recorded_once(
    gql: GraphQL, database_url: str
) -> None:
    outlet = {"code": unique("OUT"), "name": "重试网点", "branchId": ids(database_url)["SH"]}
    made = gql.data(doc("UpsertServiceOutlet"), {"input": outlet}, as_user="clerk-sh")
    outlet_id = ok(made["upsertServiceOutlet"])["outlet"]["id"]
    assessment = {
        "outletId": outlet_id,
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "scores": [{"criterion": "PUNCTUALITY", "score": 80}],
        "idempotencyKey": unique("assessment"),
    }
    first = send(gql, "RecordOutletAssessment", assessment, "clerk-sh")
    again = send(gql, "RecordOutletAssessment", assessment, "clerk-sh")
    assert first["errors"] == again["errors"] == []
    assert again["assessment"] == first["assessment"]
    other = {**assessment, "scores": [{"criterion": "PUNCTUALITY", "score": 81}]}
    assert codes(send(gql, "RecordOutletAssessment", other, "clerk-sh")) == [
        ("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")
    ]
    recorded = scalars(
        database_url,
        select(func.count())
        .select_from(m.OutletAssessment)
        .where(m.OutletAssessment.outlet_id == raw_id(outlet_id)),
    )
    assert recorded == [1]


def test_a_key_answers_for_its_lifetime_then_runs_as_new(database_url: str) -> None:
    """30 days by default (``idempotency_key_days``), on the app's clock: a phone's queue
    replayed a second before still gets the first answer, a second later it makes anew.
    The clock starts 30 days back, so that nothing here is dated in the future."""
    lifetime = dt.timedelta(days=30)
    clock = FixedClock(dt.datetime.now(dt.UTC) - lifetime)
    hq, part_raw = warehouse(database_url, "WH-HQ"), new_part(database_url)
    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": hq,
        "lines": [{"partId": global_id("Part", part_raw), "quantity": 4}],
        "note": unique("入库"),
        "idempotencyKey": unique("receipt"),
    }
    with TestClient(create_app(make_settings(database_url), clock=clock)) as client:
        gql = GraphQL(client)
        first = send(gql, "MoveStock", receipt, "hq")["movement"]["id"]
        clock.advance(lifetime - dt.timedelta(seconds=1))
        assert send(gql, "MoveStock", receipt, "hq")["movement"]["id"] == first
        clock.advance(dt.timedelta(seconds=1))
        anew = send(gql, "MoveStock", receipt, "hq")
        assert anew["errors"] == []
        assert anew["movement"]["id"] != first
        # The key now answers with what it made the second time, and only for that input.
        assert send(gql, "MoveStock", receipt, "hq")["movement"]["id"] == anew["movement"]["id"]
        other = {**receipt, "lines": [{"partId": global_id("Part", part_raw), "quantity": 5}]}
        assert codes(send(gql, "MoveStock", other, "hq")) == [
            ("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")
        ]
    held = scalars(
        database_url,
        select(m.StockBalance.quantity).where(
            m.StockBalance.part_id == part_raw, m.StockBalance.warehouse_id == raw_id(hq)
        ),
    )
    assert held == [8]  # received twice: once in its lifetime, once after
