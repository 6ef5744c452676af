"""Stock through the API, continued: low-stock suggestions and safety stock, the consumption
and stock-value reports, the parts a job needs against the van, old parts back to the factory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.api.stock_world import consume, on_site, part, van, warehouse
from tests.api.workflow_steps import appoint, doc, ids, ok, open_repair, payload
from tests.conftest import GraphQL
from tests.factories import fetch
from wellspring.domain import models as m

SUGGESTIONS = """{ stockSuggestions { shortfall action distanceKm source { code }
  balance { quantity safetyStock warehouse { code } part { sku } } } }"""
SAFETY = """mutation($w: ID!, $p: ID!, $n: Int!) { setSafetyStock(warehouseId: $w, partId: $p,
  safetyStock: $n) { balance { safetyStock belowSafetyStock } errors { code } } }"""


def _suggestion(gql: GraphQL, code: str, sku: str) -> dict[str, Any] | None:
    rows = gql.data(SUGGESTIONS, as_user="hq")["stockSuggestions"]
    return next(
        (
            r
            for r in rows
            if r["balance"]["warehouse"]["code"] == code and r["balance"]["part"]["sku"] == sku
        ),
        None,
    )


def test_low_stock_suggests_the_nearest_transfer_else_a_purchase(
    gql: GraphQL, database_url: str
) -> None:
    sh, gz = warehouse(database_url, "WH-SH"), warehouse(database_url, "WH-GZ")
    filt = part(database_url, "T33-01")
    ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "STOCKTAKE",
                    "toWarehouseId": gz,
                    "lines": [{"partId": filt, "quantity": 3}],
                }
            },
            "hq",
        )
    )
    low = _suggestion(gql, "WH-GZ", "T33-01")
    assert low is not None
    assert low["shortfall"] == 7
    assert low["action"] == "TRANSFER"
    # Shenzhen's station is about 100 km from Guangzhou: nearer than HQ or any other station.
    assert low["source"]["code"] == "WH-SZ"
    assert 80 < low["distanceKm"] < 130

    # Ask for more than anyone can spare: a purchase.
    bad = gql.data(SAFETY, {"w": sh, "p": filt, "n": -1}, as_user="hq")["setSafetyStock"]
    assert bad["errors"][0]["code"] == "QUANTITY_OUT_OF_RANGE"
    raised = gql.data(SAFETY, {"w": sh, "p": filt, "n": 100_000}, as_user="hq")["setSafetyStock"]
    assert raised["balance"]["belowSafetyStock"] is True
    buy = _suggestion(gql, "WH-SH", "T33-01")
    assert buy is not None
    assert buy["action"] == "PURCHASE"
    assert buy["source"] is None
    gql.data(SAFETY, {"w": sh, "p": filt, "n": 10}, as_user="hq")
    assert _suggestion(gql, "WH-SH", "T33-01") is None
    denied = gql.post(SUGGESTIONS, as_user="tech-sh-1").json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_consumption_and_stock_value_reports(gql: GraphQL, database_url: str) -> None:
    import datetime as dt

    from wellspring.domain.config import TIME_ZONE

    month = dt.datetime.now(TIME_ZONE).strftime("%Y-%m")
    report = (
        "query($m: String!) { consumptionReport(month: $m) { part { sku } branch { code } "
        "deviceModel { code } quantity value { amount } } }"
    )

    def used(sku: str) -> int:
        rows = gql.data(report, {"m": month}, as_user="hq")["consumptionReport"]
        return sum(
            r["quantity"] for r in rows if r["part"]["sku"] == sku and r["branch"]["code"] == "SH"
        )

    before = used("HPS-01")
    _ticket, job_id = on_site(gql, database_url)
    ok(consume(gql, job_id, [{"partId": part(database_url, "HPS-01"), "quantity": 2}], "phone-9:1"))
    assert used("HPS-01") == before + 2
    bad = gql.post(report, {"m": "2026-13"}, as_user="hq").json()
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"

    values = gql.data(
        "{ stockValue { warehouse { code } quantity value { amount currency } } }", as_user="hq"
    )["stockValue"]
    hq_value = next(v for v in values if v["warehouse"]["code"] == "WH-HQ")
    rows = fetch(
        database_url,
        select(m.StockBalance.quantity, m.Part.cost)
        .join(m.Part, m.Part.id == m.StockBalance.part_id)
        .join(m.Warehouse, m.Warehouse.id == m.StockBalance.warehouse_id)
        .where(m.Warehouse.code == "WH-HQ", m.StockBalance.bin == "GOOD"),
    )
    expected = sum(q * c for q, c in rows)
    assert hq_value["value"] == {"amount": f"{expected:.2f}", "currency": "CNY"}
    clerk = gql.data("{ stockValue { warehouse { code } } }", as_user="clerk-sh")["stockValue"]
    sh = fetch(database_url, select(m.Branch.id).where(m.Branch.code == "SH"))[0][0]
    branch_stores = {
        c
        for (c,) in fetch(database_url, select(m.Warehouse.code).where(m.Warehouse.branch_id == sh))
    }  # the branch's own store, its vans and its agents' stores
    assert "WH-SH" in {v["warehouse"]["code"] for v in clerk}
    assert {v["warehouse"]["code"] for v in clerk} <= branch_stores
    agent = gql.post("{ stockValue { quantity } }", as_user="agent-1").json()
    assert agent["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_engineer_sees_the_parts_a_job_needs_against_the_van(
    gql: GraphQL, database_url: str
) -> None:

    o = ids(database_url)
    membrane, pump = part(database_url, "RO-400"), part(database_url, "PUMP-24V")
    wanted = [{"partId": membrane, "quantity": 1}, {"partId": pump, "quantity": 1}]
    ticket = open_repair(gql, o, expectedParts=wanted)
    bad = payload(
        gql,
        "OpenTicket",
        {
            "input": {
                "type": "REPAIR",
                "customerId": o["customer"],
                "deviceId": o["device"],
                "expectedParts": [{"partId": pump, "quantity": 0}],
            }
        },
        "hotline",
    )
    assert bad["errors"][0]["field"] == "expectedParts.0.quantity"
    job_id, start = appoint(gql, o, ticket["id"])
    mine = gql.data(doc("MyJobs"), {"date": start[:10]}, as_user="tech-sh-1")["myJobs"]
    job = next(j for j in mine if j["id"] == job_id)
    in_van = van(gql, "tech-sh-1")
    got = {p["part"]["sku"]: (p["quantity"], p["inVan"]) for p in job["expectedParts"]}
    assert got == {
        "RO-400": (1, in_van.get("RO-400/GOOD", 0)),
        "PUMP-24V": (1, in_van.get("PUMP-24V/GOOD", 0)),
    }


def test_old_parts_go_back_to_the_factory_and_replacements_come_back(
    gql: GraphQL, database_url: str
) -> None:
    """Van → station (material return) → repair center (checked) → replacements → station."""
    sh, rc = warehouse(database_url, "WH-SH"), warehouse(database_url, "WH-RC")
    my_van = warehouse(database_url, "VAN-tech-sh-1")
    valve = part(database_url, "LPS-01")

    def level(user: str, wh: str, bin_: str) -> int:
        page = gql.data(doc("Stock"), {"warehouseId": wh, "first": 100}, as_user=user)["stock"]
        return next(
            (
                e["node"]["quantity"]
                for e in page["edges"]
                if e["node"]["part"]["sku"] == "LPS-01" and e["node"]["bin"] == bin_
            ),
            0,
        )

    _ticket, job_id = on_site(gql, database_url)
    ok(
        consume(
            gql, job_id, [{"partId": valve, "quantity": 2, "oldPartReturned": True}], "phone-5:1"
        )
    )
    station_bad, station_good = level("clerk-sh", sh, "DEFECTIVE"), level("clerk-sh", sh, "GOOD")
    center_bad, center_good = level("hq", rc, "DEFECTIVE"), level("hq", rc, "GOOD")

    back = ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "MATERIAL_RETURN",
                    "fromWarehouseId": my_van,
                    "toWarehouseId": sh,
                    "lines": [{"partId": valve, "quantity": 2, "bin": "DEFECTIVE"}],
                }
            },
            "tech-sh-1",
        )
    )["movement"]
    receive = (
        "mutation($id: ID!) { receiveTransfer(id: $id) { movement { status } errors { code } } }"
    )
    assert (
        gql.data(receive, {"id": back["id"]}, as_user="clerk-sh")["receiveTransfer"]["errors"] == []
    )
    assert level("clerk-sh", sh, "DEFECTIVE") == station_bad + 2

    wrong_bin = payload(
        gql,
        "MoveStock",
        {
            "input": {
                "kind": "OLD_PART_RETURN",
                "fromWarehouseId": sh,
                "toWarehouseId": rc,
                "lines": [{"partId": valve, "quantity": 2}],
            }
        },
        "clerk-sh",
    )
    assert wrong_bin["errors"][0]["code"] == "INVALID_ARGUMENT"
    sent = ok(
        payload(
            gql,
            "MoveStock",
            {
                "input": {
                    "kind": "OLD_PART_RETURN",
                    "fromWarehouseId": sh,
                    "toWarehouseId": rc,
                    "lines": [{"partId": valve, "quantity": 2, "bin": "DEFECTIVE"}],
                }
            },
            "clerk-sh",
        )
    )["movement"]
    assert sent["status"] == "IN_TRANSIT"
    assert level("clerk-sh", sh, "DEFECTIVE") == station_bad

    check = """mutation($id: ID!, $c: [OldPartCountInput!]!) { checkOldParts(id: $id, counts: $c) {
      movement { status } errors { code field } } }"""
    off = gql.data(
        check, {"id": sent["id"], "c": [{"partId": valve, "valid": 2, "rejected": 1}]}, as_user="hq"
    )["checkOldParts"]
    assert off["errors"][0]["code"] == "COUNTS_DO_NOT_ADD_UP"
    checked = gql.data(
        check, {"id": sent["id"], "c": [{"partId": valve, "valid": 1, "rejected": 1}]}, as_user="hq"
    )["checkOldParts"]
    assert checked == {"movement": {"status": "REPLACEMENT_SHIPPED"}, "errors": []}
    assert level("hq", rc, "DEFECTIVE") == center_bad + 1
    assert level("hq", rc, "GOOD") == center_good - 1
    assert level("clerk-sh", sh, "DEFECTIVE") == station_bad + 1  # the rejected one came back

    confirm = (
        "mutation($id: ID!) { confirmReplacement(id: $id) { movement { status } errors { code } } }"
    )
    done = gql.data(confirm, {"id": sent["id"]}, as_user="clerk-sh")["confirmReplacement"]
    assert done == {"movement": {"status": "DONE"}, "errors": []}
    assert level("clerk-sh", sh, "GOOD") == station_good + 1
    again = gql.data(confirm, {"id": sent["id"]}, as_user="clerk-sh")["confirmReplacement"]
    assert again["errors"][0]["code"] == "INVALID_TRANSITION"
