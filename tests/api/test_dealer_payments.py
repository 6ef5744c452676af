"""An agent's payments against its unpaid shipped orders (issue 18) through the API: oldest
first or a named order, refused over-payment, idempotent by client reference, the credit
freed; and the agent's own stock and ledger, without cost prices."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from tests.api.dealer_world import NODE, Tenants, tenants
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, unique
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id

__all__ = ["tenants"]  # the module's fixture

PAID_AT = "2026-11-30T10:00:00+08:00"


def _part(gql: GraphQL, tenants: Tenants, quantity: int) -> str:
    """A new part (list price 20, cost 9), ``quantity`` of it received at HQ."""
    fields = {"sku": unique("P"), "name": "后置活性炭", "cost": "9", "listPrice": "20"}
    part = ok(payload(gql, "UpsertPart", {"input": fields}, "hq"))["part"]["id"]
    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": tenants.hq_warehouse,
        "lines": [{"partId": part, "quantity": quantity}],
    }
    ok(payload(gql, "MoveStock", {"input": receipt}, "hq"))
    return str(part)


def _order(gql: GraphQL, login: str, part: str, quantity: int) -> dict[str, Any]:
    lines = [{"item": "PART", "quantity": quantity, "partId": part}]
    return ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": lines}}, login))["order"]


def _shipped(gql: GraphQL, tenants: Tenants, login: str, part: str, quantity: int) -> str:
    order = _order(gql, login, part, quantity)
    confirm = {"input": {"id": order["id"], "approveOverCredit": True}}
    ok(payload(gql, "ConfirmAgentOrder", confirm, "hq"))
    ship = {"input": {"id": order["id"], "fromWarehouseId": tenants.hq_warehouse}}
    ok(payload(gql, "ShipAgentOrder", ship, "hq"))
    return str(order["id"])


def _pay(gql: GraphQL, agent: str, amount: str, ref: str, **more: Any) -> dict[str, Any]:
    fields = {
        "agentId": agent,
        "amount": amount,
        "paidAt": PAID_AT,
        "method": "BANK_TRANSFER",
        "reference": "BANK-" + ref,
        "clientReference": ref,
        **more,
    }
    return payload(gql, "RecordAgentPayment", {"input": fields}, "hq")


def _paid(database_url: str, *orders: str) -> list[str]:
    rows = dict(
        fetch(
            database_url,
            select(m.AgentOrder.id, m.AgentOrder.paid_amount).where(
                m.AgentOrder.id.in_([raw_id(o) for o in orders])
            ),
        )
    )
    return [f"{rows[raw_id(o)]:.2f}" for o in orders]


def test_a_payment_pays_the_oldest_orders_and_frees_the_credit(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part = _part(gql, tenants, 10)
    login, agent = tenants.other_login, tenants.other  # credit limit 100
    first = _shipped(gql, tenants, login, part, 3)  # 60
    second = _shipped(gql, tenants, login, part, 2)  # 40: 100 owed, the whole limit
    over = _order(gql, login, part, 1)
    assert over["needsApproval"] is True
    assert over["creditExposure"]["amount"] == "100.00"
    ok(payload(gql, "CancelAgentOrder", {"input": {"id": over["id"], "reason": "先付款"}}, login))
    ref = unique("pay")
    paid = ok(_pay(gql, agent, "70", ref))["payment"]
    assert paid["amount"] == {"amount": "70.00", "currency": "CNY"}
    assert [(a["orderId"], a["amount"]["amount"]) for a in paid["allocations"]] == [
        (first, "60.00"),
        (second, "10.00"),
    ]
    assert _paid(database_url, first, second) == ["60.00", "10.00"]
    # the same call again is the same payment; the same reference for another is refused
    again = ok(_pay(gql, agent, "70", ref))["payment"]
    assert again["id"] == paid["id"]
    assert _paid(database_url, first, second) == ["60.00", "10.00"]
    reused = _pay(gql, agent, "5", ref)
    assert reused["errors"][0]["code"] == "PAYMENT_REFERENCE_REUSED"
    # 30 is owed: paying more is refused (no credit is kept), and nothing changes
    refused = _pay(gql, agent, "30.01", unique("pay"))
    assert refused["errors"][0]["code"] == "OVERPAYMENT"
    assert "30.00" in refused["errors"][0]["message"]
    # the credit check counts what is still owed: 30 + 20 is under the limit now
    freed = _order(gql, login, part, 1)
    assert freed["needsApproval"] is False
    assert freed["creditExposure"]["amount"] == "30.00"
    # a named order: only a shipped one with something unpaid, and only up to that
    for order in (first, freed["id"]):
        named = _pay(gql, agent, "1", unique("pay"), orderId=order)
        assert named["errors"][0]["code"] == "ORDER_NOT_PAYABLE"
        assert not re.search("[A-Z]{4}", named["errors"][0]["message"])  # no raw state
    too_much = _pay(gql, agent, "31", unique("pay"), orderId=second)
    assert too_much["errors"][0]["code"] == "OVERPAYMENT"
    rest = ok(_pay(gql, agent, "30", unique("pay"), orderId=second))["payment"]
    assert [a["orderId"] for a in rest["allocations"]] == [second]
    assert _paid(database_url, first, second) == ["60.00", "40.00"]
    refusals = {"0": "VALUE_OUT_OF_RANGE", "-5": "AMOUNT_NEGATIVE", "1.005": "AMOUNT_PRECISION"}
    for amount, code in refusals.items():
        (bad,) = _pay(gql, agent, amount, unique("pay"))["errors"]
        assert (bad["code"], bad["field"]) == (code, "amount")
        assert "{" not in bad["message"], bad  # (they were said with their placeholders)
    assert "0.01" in _pay(gql, agent, "0", unique("pay"))["errors"][0]["message"]
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    (late,) = _pay(gql, agent, "1", unique("pay"), paidAt=future)["errors"]
    assert late["code"] == "VALUE_OUT_OF_RANGE"
    assert "{" not in late["message"], late
    audited = fetch(
        database_url,
        select(m.AuditEntry.entity_id).where(m.AuditEntry.action == "agent_payment.recorded"),
    )
    assert {raw_id(paid["id"]), raw_id(rest["id"])} <= {row[0] for row in audited}


def test_an_agent_reads_its_own_payments_and_records_none(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part = _part(gql, tenants, 2)
    _shipped(gql, tenants, tenants.general_login, part, 2)
    paid = ok(_pay(gql, tenants.general, "15", unique("pay")))["payment"]
    denied = gql.post(
        doc("RecordAgentPayment"),
        {
            "input": {
                "agentId": tenants.general,
                "amount": "1",
                "paidAt": PAID_AT,
                "method": "CASH",
                "clientReference": unique("pay"),
            }
        },
        as_user=tenants.general_login,
    ).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    def listed(user: str, **args: Any) -> set[str]:
        data = gql.data(doc("AgentPayments"), {"first": 50, **args}, as_user=user)
        return {edge["node"]["id"] for edge in data["agentPayments"]["edges"]}

    assert paid["id"] in listed(tenants.general_login)
    assert paid["id"] in listed("hq", agentId=tenants.general)
    assert paid["id"] not in listed("hq", agentId=tenants.other)
    for outsider in (tenants.other_login, tenants.sub_login):
        assert paid["id"] not in listed(outsider)
        assert gql.data(NODE, {"id": paid["id"]}, as_user=outsider)["node"] is None
    for role in ("clerk-sh", "hotline"):
        refused = gql.post(doc("AgentPayments"), {"first": 5}, as_user=role).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_an_agent_reads_its_own_stock_and_ledger_without_costs(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part = _part(gql, tenants, 4)
    order = _shipped(gql, tenants, tenants.general_login, part, 4)
    target = fetch(
        database_url, select(m.AgentOrder.to_warehouse_id).where(m.AgentOrder.id == raw_id(order))
    )[0][0]
    warehouse = global_id("Warehouse", target)
    stock = gql.data(
        "query($w: ID!) { stock(warehouseId: $w, first: 50) { edges { node { quantity bin "
        "part { id cost { amount } listPrice { amount } } } } } }",
        {"w": warehouse},
        as_user=tenants.general_login,
    )["stock"]["edges"]
    mine = [e["node"] for e in stock if e["node"]["part"]["id"] == part]
    assert [(n["bin"], n["quantity"]) for n in mine] == [("GOOD", 4)]
    assert all(e["node"]["part"]["cost"] is None for e in stock)
    assert mine[0]["part"]["listPrice"]["amount"] == "20.00"
    ledger = gql.data(
        doc("StockLedger"), {"warehouseId": warehouse, "partId": part, "first": 10},
        as_user=tenants.general_login,
    )["stockLedger"]  # fmt: skip
    entries = [e["node"] for e in ledger["edges"]]
    assert [(e["kind"], e["delta"], e["bin"]) for e in entries] == [("TRANSFER_IN", 4, "GOOD")]
    cost = gql.post(
        "query($w: ID!) { stockLedger(warehouseId: $w, first: 5) { edges { node { part { "
        "cost { amount } } } } } }",
        {"w": warehouse},
        as_user=tenants.general_login,
    ).json()
    assert all(e["node"]["part"]["cost"] is None for e in cost["data"]["stockLedger"]["edges"])
    # another agent, the sub-distributor and a clerk of another branch see none of it
    for outsider in (tenants.other_login, tenants.sub_login, "clerk-bj"):
        result = gql.post(doc("StockLedger"), {"warehouseId": warehouse}, as_user=outsider)
        assert result.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    hq_view = gql.data(
        doc("StockLedger"), {"warehouseId": tenants.hq_warehouse, "partId": part, "first": 10},
        as_user="hq",
    )["stockLedger"]  # fmt: skip
    deltas = sorted(e["node"]["delta"] for e in hq_view["edges"])
    assert deltas == [-4, 4]  # received, then shipped out
    engineer = gql.post(doc("StockLedger"), {"warehouseId": warehouse}, as_user="tech-sh-1")
    assert engineer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
