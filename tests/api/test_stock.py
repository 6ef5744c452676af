"""Stock through the API: vans, consumption on jobs, documents, scope and cost prices."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.stock_world import consume, on_site, part, van, warehouse
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id


def test_parts_used_on_a_job_leave_the_van_once(gql: GraphQL, database_url: str) -> None:
    before = van(gql, "tech-sh-1")
    assert before["PP-10/GOOD"] > 0
    _ticket, job_id = on_site(gql, database_url)
    lines = [{"partId": part(database_url, "PP-10"), "quantity": 1, "oldPartReturned": True}]
    first = ok(consume(gql, job_id, lines, "phone-1:batch-7"))
    kinds = sorted((e["kind"], e["bin"], e["delta"]) for e in first["entries"])
    assert kinds == [("CONSUMPTION", "GOOD", -1), ("OLD_PART", "DEFECTIVE", 1)]
    for _ in range(4):  # the phone retries after lost answers
        again = ok(consume(gql, job_id, lines, "phone-1:batch-7"))
        assert sorted(e["id"] for e in again["entries"]) == sorted(
            e["id"] for e in first["entries"]
        )
    after = van(gql, "tech-sh-1")
    assert after["PP-10/GOOD"] == before["PP-10/GOOD"] - 1
    assert after.get("PP-10/DEFECTIVE", 0) == before.get("PP-10/DEFECTIVE", 0) + 1
    assert len(first["job"]["partsUsed"]) == 2

    too_many = consume(
        gql, job_id, [{"partId": part(database_url, "RO-400"), "quantity": 999}], "phone-1:b8"
    )
    assert too_many["errors"][0]["code"] == "INSUFFICIENT_STOCK"
    assert too_many["errors"][0]["field"] == "lines.0.quantity"
    zero = consume(
        gql, job_id, [{"partId": part(database_url, "RO-400"), "quantity": 0}], "phone-1:b9"
    )
    assert zero["errors"][0]["code"] == "QUANTITY_OUT_OF_RANGE"
    unknown = consume(
        gql, job_id, [{"partId": global_id("Part", m.new_id()), "quantity": 1}], "phone-1:b10"
    )
    assert unknown["errors"][0]["code"] == "UNKNOWN_PART"
    assert van(gql, "tech-sh-1")["RO-400/GOOD"] == before["RO-400/GOOD"]


def test_a_cancelled_job_keeps_the_parts_fitted_on_it(gql: GraphQL, database_url: str) -> None:
    """The valve is in the customer's machine: cancelling the ticket puts none back in the van
    (tests/api/test_cancel_keeps_parts.py has the shortfall and old-part cases)."""
    before = van(gql, "tech-sh-1")
    ticket_id, job_id = on_site(gql, database_url)
    ok(consume(gql, job_id, [{"partId": part(database_url, "SV-24V"), "quantity": 1}], "phone-2:1"))
    assert van(gql, "tech-sh-1")["SV-24V/GOOD"] == before["SV-24V/GOOD"] - 1
    ok(payload(gql, "CancelTicket", {"id": ticket_id, "reason": "客户改期"}, "hotline"))
    assert van(gql, "tech-sh-1")["SV-24V/GOOD"] == before["SV-24V/GOOD"] - 1
    kinds = [
        k.value
        for (k,) in fetch(
            database_url,
            select(m.StockEntry.kind).where(m.StockEntry.job_id == raw_id(job_id)),
        )
    ]
    assert kinds == ["CONSUMPTION"]


def test_receipts_transfers_breakage_and_stocktakes(gql: GraphQL, database_url: str) -> None:
    hq, sh = warehouse(database_url, "WH-HQ"), warehouse(database_url, "WH-SH")
    pump = part(database_url, "PUMP-24V")

    def level(user: str, wh: str) -> int:
        page = gql.data(doc("Stock"), {"warehouseId": wh, "first": 100}, as_user=user)["stock"]
        return next(
            e["node"]["quantity"]
            for e in page["edges"]
            if e["node"]["part"]["sku"] == "PUMP-24V" and e["node"]["bin"] == "GOOD"
        )

    start_hq, start_sh = level("hq", hq), level("clerk-sh", sh)
    receipt = ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "RECEIPT",
                    "toWarehouseId": hq,
                    "lines": [{"partId": pump, "quantity": 30}],
                    "note": "采购入库",
                }
            },
            "hq",
        )
    )
    assert receipt["movement"]["status"] == "DONE"
    assert level("hq", hq) == start_hq + 30
    wordy = {
        "kind": "RECEIPT",
        "toWarehouseId": hq,
        "lines": [{"partId": pump, "quantity": 1}],
        "note": "长" * 100_000,
    }
    refused = payload(gql, "MoveStock", {"input": wordy}, "hq")["errors"]
    assert [(e["field"], e["code"]) for e in refused] == [("note", "VALUE_TOO_LONG")]
    assert level("hq", hq) == start_hq + 30

    shipped = ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "TRANSFER",
                    "fromWarehouseId": hq,
                    "toWarehouseId": sh,
                    "lines": [{"partId": pump, "quantity": 12}],
                }
            },
            "hq",
        )
    )["movement"]
    assert shipped["status"] == "IN_TRANSIT"
    assert level("hq", hq) == start_hq + 18
    assert level("clerk-sh", sh) == start_sh  # in transit: nowhere yet
    wrong = gql.post(
        "mutation($id: ID!) { receiveTransfer(id: $id) { errors { code } } }",
        {"id": shipped["id"]},
        as_user="clerk-bj",
    ).json()
    assert wrong["data"]["receiveTransfer"]["errors"][0]["code"] == "NOT_FOUND"
    received = gql.data(
        "mutation($id: ID!) { receiveTransfer(id: $id) { movement { status } errors { code } } }",
        {"id": shipped["id"]},
        as_user="clerk-sh",
    )["receiveTransfer"]
    assert received == {"movement": {"status": "DONE"}, "errors": []}
    assert level("clerk-sh", sh) == start_sh + 12

    same = payload(
        gql,
        "MoveStock",
        {
            "input": {
                "kind": "TRANSFER",
                "fromWarehouseId": sh,
                "toWarehouseId": sh,
                "lines": [{"partId": pump, "quantity": 1}],
            }
        },
        "clerk-sh",
    )
    assert same["errors"][0]["code"] == "SAME_WAREHOUSE"

    broken = ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "BREAKAGE",
                    "fromWarehouseId": sh,
                    "lines": [{"partId": pump, "quantity": 2}],
                    "note": "运输破损",
                }
            },
            "clerk-sh",
        )
    )["movement"]
    assert broken["status"] == "REPORTED"
    assert level("clerk-sh", sh) == start_sh + 12
    decide = (
        "mutation($id: ID!, $ok: Boolean!) { decideBreakage(id: $id, approve: $ok) "
        "{ movement { status } errors { code } } }"
    )
    clerk = gql.post(decide, {"id": broken["id"], "ok": True}, as_user="clerk-sh").json()
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    approved = gql.data(decide, {"id": broken["id"], "ok": True}, as_user="hq")["decideBreakage"]
    assert approved["movement"]["status"] == "DONE"
    assert level("clerk-sh", sh) == start_sh + 10

    counted = ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "STOCKTAKE",
                    "toWarehouseId": sh,
                    "lines": [{"partId": pump, "quantity": start_sh + 7}],
                }
            },
            "clerk-sh",
        )
    )
    assert counted["movement"]["kind"] == "STOCKTAKE"
    assert level("clerk-sh", sh) == start_sh + 7


def test_hq_shelves_have_bin_locations(gql: GraphQL, database_url: str) -> None:
    hq = warehouse(database_url, "WH-HQ")
    page = gql.data(doc("Stock"), {"warehouseId": hq, "first": 100}, as_user="hq")["stock"]
    located = {e["node"]["part"]["sku"]: e["node"]["location"] for e in page["edges"]}
    assert located["PP-10"] == "A-01-1"
    moved = gql.data(
        "mutation($w: ID!, $p: ID!) { setSafetyStock(warehouseId: $w, partId: $p, "
        'safetyStock: 120, location: "B-07-3") '
        "{ balance { location safetyStock } errors { code } } }",
        {"w": hq, "p": part(database_url, "PP-10")},
        as_user="hq",
    )["setSafetyStock"]
    assert moved == {"balance": {"location": "B-07-3", "safetyStock": 120}, "errors": []}


def test_who_sees_which_stock_and_its_cost(gql: GraphQL, database_url: str) -> None:
    sh = warehouse(database_url, "WH-SH")
    other = gql.post(doc("Stock"), {"warehouseId": sh}, as_user="clerk-bj").json()
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    tech = gql.post(doc("Stock"), {"warehouseId": sh}, as_user="tech-sh-1").json()
    assert tech["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    costs = gql.data("{ parts { sku cost { amount } } }", as_user="clerk-sh")["parts"]
    assert costs
    assert all(p["cost"] is not None for p in costs)
    hidden = gql.data("{ parts { sku cost { amount } } }", as_user="agent-1")["parts"]
    assert hidden
    assert all(p["cost"] is None for p in hidden)
    van_only = gql.data("{ warehouses { kind } }", as_user="tech-sh-1")["warehouses"]
    assert van_only == [{"kind": "VAN"}]
    forbidden = gql.post(
        doc("MoveStock"),
        {
            "input": {
                "kind": "RECEIPT",
                "toWarehouseId": sh,
                "lines": [{"partId": part(database_url, "PP-10"), "quantity": 1}],
            }
        },
        as_user="tech-sh-1",
    ).json()
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
