"""An agent's purchase orders from HQ (issue 18) through the API: priced, confirmed (approved
over credit), shipped into the agent's warehouse by serial, card number and ledger."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.dealer_world import NODE, RECEIVE_MACHINE, Tenants, tenants
from tests.api.seen import count_statements
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import LedgerKind
from wellspring.schema.core.ids import global_id

__all__ = ["tenants"]  # the module's fixture


def _catalogue(gql: GraphQL, database_url: str) -> tuple[str, str, Decimal]:
    """A new part (list price 20, cost 9) and a demo device model with its list price."""
    part = ok(
        payload(
            gql,
            "UpsertPart",
            {"input": {"sku": unique("P"), "name": "前置滤芯", "cost": "9", "listPrice": "20"}},
            "hq",
        )
    )["part"]
    model_id, price = fetch(
        database_url,
        select(m.DeviceModel.id, m.DeviceModel.list_price).order_by(m.DeviceModel.code),
    )[0]
    return part["id"], global_id("DeviceModel", model_id), Decimal(price)


def _stock_hq(gql: GraphQL, tenants: Tenants, part: str, model: str) -> tuple[list[str], list[str]]:
    """Two new machines, three new cards and ten of the part into the HQ warehouse."""
    serials = [unique("SN") for _ in range(2)]
    for serial in serials:
        result = gql.data(
            RECEIVE_MACHINE, {"w": tenants.hq_warehouse, "m": model, "s": serial}, as_user="hq"
        )
        ok(result["receiveMachine"])
    first = 8_800_000_000 + int(unique("c").split("-")[1], 16) % 10**8
    numbers = [str(first + k) for k in range(3)]
    cards = {"warehouseId": tenants.hq_warehouse, "fromNumber": numbers[0], "toNumber": numbers[-1]}
    ok(payload(gql, "ReceiveCards", {"input": cards}, "hq"))
    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": tenants.hq_warehouse,
        "lines": [{"partId": part, "quantity": 10}],
    }
    ok(payload(gql, "MoveStock", {"input": receipt}, "hq"))
    return serials, numbers


def test_an_order_is_priced_confirmed_and_shipped_into_the_agents_warehouse(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part, model, model_price = _catalogue(gql, database_url)
    standard = {
        "kind": "DEALER_PART",
        "itemId": part,
        "province": tenants.place[0],
        "city": tenants.place[1],
        "price": "12.50",
        "effectiveFrom": "2026-01-01",
    }
    ok(payload(gql, "UpsertPriceStandard", {"input": standard}, "hq"))
    serials, numbers = _stock_hq(gql, tenants, part, model)
    lines = [
        {"item": "MACHINE", "quantity": 2, "deviceModelId": model},
        {"item": "CARD", "quantity": 3},
        {"item": "PART", "quantity": 4, "partId": part},
    ]
    placed = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": lines}}, tenants.general_login))
    order = placed["order"]
    assert order["status"] == "SUBMITTED"
    by_item = {line["item"]: line for line in order["lines"]}
    assert by_item["PART"]["unitPrice"]["amount"] == "12.50"
    assert by_item["PART"]["fromPriceStandard"] is True
    assert Decimal(by_item["MACHINE"]["unitPrice"]["amount"]) == model_price
    assert by_item["MACHINE"]["fromPriceStandard"] is False
    total = 2 * model_price + Decimal("50.00")
    assert Decimal(order["total"]["amount"]) == total
    assert order["needsApproval"] is (total > 10_000)
    # no cost price reaches an agent, even through the part of its own order line
    costs = gql.post(
        "query { agentOrders(first: 5) { edges { node { lines { part { cost { amount } } } } } } }",
        as_user=tenants.general_login,
    ).json()
    seen = [
        line["part"]
        for edge in (costs.get("data") or {}).get("agentOrders", {}).get("edges", [])
        for line in edge["node"]["lines"]
        if line["part"] is not None
    ]
    assert all(p["cost"] is None for p in seen)
    # HQ confirms and ships; the agent may do neither, and another agent sees none of it
    confirm = {"input": {"id": order["id"], "approveOverCredit": True}}
    denied = gql.post(doc("ConfirmAgentOrder"), confirm, as_user=tenants.general_login).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql.data(NODE, {"id": order["id"]}, as_user=tenants.other_login)["node"] is None
    assert gql.data(NODE, {"id": order["id"]}, as_user=tenants.sub_login)["node"] is None
    ship = {
        "input": {
            "id": order["id"],
            "fromWarehouseId": tenants.hq_warehouse,
            "serialNumbers": serials,
            "cardNumbers": numbers,
        }
    }
    early = payload(gql, "ShipAgentOrder", ship, "hq")
    assert early["errors"][0]["code"] == "AGENT_ORDER_NOT_OPEN"
    assert "(submitted)" in early["errors"][0]["message"]  # the state in words, not SUBMITTED
    zh = gql.data(doc("ShipAgentOrder"), ship, as_user="hq", locale="zh-CN")["shipAgentOrder"]
    assert "（已提交）" in zh["errors"][0]["message"]
    ok(payload(gql, "ConfirmAgentOrder", confirm, "hq"))
    shipped = ok(payload(gql, "ShipAgentOrder", ship, "hq"))["order"]
    assert shipped["status"] == "SHIPPED"
    assert {x for line in shipped["lines"] for x in line["shipped"]} == set(serials + numbers)
    agent_raw = raw_id(tenants.general)
    target = shipped["toWarehouse"]["id"]
    devices = fetch(
        database_url,
        select(m.Device.warehouse_id, m.Device.agent_id).where(m.Device.serial_number.in_(serials)),
    )
    assert devices == [(raw_id(target), agent_raw)] * 2
    cards = fetch(
        database_url,
        select(m.AccountCard.warehouse_id, m.AccountCard.agent_id).where(
            m.AccountCard.card_number.in_(numbers)
        ),
    )
    assert cards == [(raw_id(target), agent_raw)] * 3
    entries = fetch(
        database_url,
        select(m.StockEntry.warehouse_id, m.StockEntry.delta, m.StockEntry.kind).where(
            m.StockEntry.part_id == raw_id(part), m.StockEntry.document == order["number"]
        ),
    )
    assert sorted(entries, key=lambda e: e[1]) == [
        (raw_id(tenants.hq_warehouse), -4, LedgerKind.TRANSFER_OUT),
        (raw_id(target), 4, LedgerKind.TRANSFER_IN),
    ]
    # HQ knows which agent holds which card: the agent's card list has them, no one else's
    listed = gql.data(
        doc("AccountCards"), {"filter": {"cardNumber": numbers[0]}}, as_user=tenants.general_login
    )["accountCards"]
    assert listed["totalCount"] == 1
    theirs = gql.data(
        doc("AccountCards"), {"filter": {"cardNumber": numbers[0]}}, as_user=tenants.other_login
    )["accountCards"]
    assert theirs["totalCount"] == 0
    again = payload(gql, "ShipAgentOrder", ship, "hq")
    assert again["errors"][0]["code"] == "AGENT_ORDER_NOT_OPEN"
    assert "(shipped)" in again["errors"][0]["message"]
    mine = gql.data(doc("AgentOrders"), {"first": 50}, as_user=tenants.general_login)
    assert order["id"] in {e["node"]["id"] for e in mine["agentOrders"]["edges"]}
    others = gql.data(doc("AgentOrders"), {"first": 50}, as_user=tenants.other_login)
    assert order["id"] not in {e["node"]["id"] for e in others["agentOrders"]["edges"]}


def test_an_order_over_the_credit_limit_waits_for_hqs_approval(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part, _model, _price = _catalogue(gql, database_url)
    lines = [{"item": "PART", "quantity": 6, "partId": part}]  # 6 × 20 = 120 > 100
    order = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": lines}}, tenants.other_login))
    order = order["order"]
    assert order["needsApproval"] is True
    refused = payload(gql, "ConfirmAgentOrder", {"input": {"id": order["id"]}}, "hq")
    assert refused["errors"][0]["code"] == "CREDIT_APPROVAL_REQUIRED"
    small = [{"item": "PART", "quantity": 1, "partId": part}]  # 20 alone, but 120 is open
    second = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": small}}, tenants.other_login))
    assert second["order"]["needsApproval"] is True
    assert second["order"]["creditExposure"]["amount"] == "120.00"
    approve = {"input": {"id": order["id"], "approveOverCredit": True}}
    assert ok(payload(gql, "ConfirmAgentOrder", approve, "hq"))["order"]["status"] == "CONFIRMED"
    late = payload(
        gql,
        "CancelAgentOrder",
        {"input": {"id": order["id"], "reason": "不要了"}},
        tenants.other_login,
    )
    assert late["errors"][0]["code"] == "AGENT_ORDER_NOT_OPEN"
    withdrawn = ok(
        payload(
            gql,
            "CancelAgentOrder",
            {"input": {"id": second["order"]["id"], "reason": "下错了"}},
            tenants.other_login,
        )
    )
    assert withdrawn["order"]["status"] == "CANCELLED"
    bad = payload(gql, "PlaceAgentOrder", {"input": {"lines": []}}, tenants.other_login)
    assert bad["errors"][0]["code"] == "REQUIRED"
    wrong = [{"item": "CARD", "quantity": 1, "partId": part}]
    bad = payload(gql, "PlaceAgentOrder", {"input": {"lines": wrong}}, tenants.other_login)
    assert bad["errors"][0]["code"] == "INVALID_ORDER_LINE"
    for_nobody = payload(gql, "PlaceAgentOrder", {"input": {"lines": small}}, "hq")
    assert for_nobody["errors"][0]["code"] == "REQUIRED"
    assert for_nobody["errors"][0]["field"] == "agentId"
    # An agent orders for itself only: another agent's id is refused, never ignored.
    poached = {"input": {"lines": small, "agentId": tenants.general}}
    refused = payload(gql, "PlaceAgentOrder", poached, tenants.other_login)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "agentId")]
    assert refused["order"] is None


def test_dealer_pages_cost_the_same_statements_whatever_their_size(
    gql: GraphQL, client: TestClient, database_url: str, tenants: Tenants
) -> None:
    part, _model, _price = _catalogue(gql, database_url)
    one = [{"item": "PART", "quantity": 1, "partId": part}]
    for _ in range(3):  # the pages below hold 1 and 3 orders, whatever ran before
        ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": one}}, tenants.general_login))
    token = gql.token("hq")
    gql.data("query Me { me { id } }", token=token)  # session bookkeeping happens here, once
    for name, key, sizes in (("AgentOrders", "agentOrders", (1, 3)), ("Agents", "agents", (2, 10))):
        counts = {}
        for size in sizes:
            with count_statements(client) as seen:
                data = gql.data(doc(name), {"first": size}, token=token)
            assert len(data[key]["edges"]) == size
            counts[size] = len(seen)
        # A larger page may reach one relation more (a sub-distributor's parent), never a
        # statement per row (that would add at least two here).
        assert counts[sizes[1]] <= counts[sizes[0]] + 1, (name, counts)
