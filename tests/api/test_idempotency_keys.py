"""A create sent twice with one ``idempotencyKey`` (a client retrying after a timeout) makes
one thing, and the retry's payload is the first call's (docs/api.md, "Retries")."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from tests.api.stock_world import new_part, warehouse
from tests.api.workflow_steps import doc, ids
from tests.conftest import GraphQL
from tests.factories import raw_id, scalars, unique
from wellspring.domain import models as m
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
