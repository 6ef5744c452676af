"""Price standards (issue 18 §3): HQ sets them per region and plan with effective dates that
never overlap; ``price_for`` picks the city's, else the province's, else the country's on a
day; a recharge records the standard price that applied beside the price paid."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tests.api.ticket_types_world import sh_device, through_the_visit
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, unique
from wellspring.domain import models as m
from wellspring.domain.agents.prices import Region, price_for
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models.enums import PriceKind, SupplyMode


def _upsert(gql: GraphQL, fields: dict[str, Any], user: str = "hq") -> dict[str, Any]:
    return payload(gql, "UpsertPriceStandard", {"input": fields}, user)


def _price(
    url: str, kind: PriceKind, region: Region, day: dt.date, item_id: str = ""
) -> Decimal | None:
    async def read() -> Decimal | None:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                row = await price_for(session, kind=kind, region=region, at=day, item_id=item_id)
                return row.price if row is not None else None
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_periods_of_one_key_never_overlap_and_the_most_specific_region_wins(
    gql: GraphQL, database_url: str
) -> None:
    # A province of its own, so no other test's standard is in the way.
    province = unique("省")
    base = {"kind": "SERVICE_RELOCATE", "province": province}
    ok(_upsert(gql, {**base, "price": "100", "effectiveFrom": "2026-01-01"}))
    city = ok(
        _upsert(
            gql,
            {
                **base,
                "city": "某市",
                "price": "150",
                "effectiveFrom": "2026-01-01",
                "effectiveTo": "2026-07-01",
            },
        )
    )["priceStandard"]
    overlap = _upsert(gql, {**base, "city": "某市", "price": "1", "effectiveFrom": "2026-06-30"})
    assert overlap["errors"][0]["code"] == "PRICE_PERIOD_OVERLAP"
    assert overlap["errors"][0]["field"] == "effectiveFrom"
    later = {**base, "city": "某市", "price": "160", "effectiveFrom": "2026-07-01"}
    ok(_upsert(gql, later))  # the day the first one ends
    backwards = _upsert(
        gql, {**base, "price": "1", "effectiveFrom": "2027-01-02", "effectiveTo": "2027-01-01"}
    )
    assert backwards["errors"][0]["code"] == "INVALID_PERIOD"
    assert (
        _upsert(
            gql, {**base, "city": "x", "province": "", "price": "1", "effectiveFrom": "2026-01-01"}
        )["errors"][0]["code"]
        == "REQUIRED"
    )
    kind = PriceKind.SERVICE_RELOCATE
    assert _price(database_url, kind, Region(province, "某市"), dt.date(2026, 3, 1)) == 150
    assert _price(database_url, kind, Region(province, "某市"), dt.date(2026, 7, 1)) == 160
    assert _price(database_url, kind, Region(province, "别市"), dt.date(2026, 3, 1)) == 100
    assert _price(database_url, kind, Region(province, "某市"), dt.date(2025, 12, 31)) is None
    # retiring one lets its city fall back to the province's price
    ok(_upsert(gql, {"id": city["id"], "retire": True}))
    assert _price(database_url, kind, Region(province, "某市"), dt.date(2026, 3, 1)) == 100
    listed = gql.data(
        doc("PriceStandards"), {"kind": "SERVICE_RELOCATE", "province": province}, as_user="agent-1"
    )["priceStandards"]
    assert listed["totalCount"] == 2  # the retired one is gone; agents may read prices
    on_day = gql.data(
        doc("PriceStandards"), {"province": province, "on": "2026-08-01"}, as_user="hq"
    )["priceStandards"]
    assert {e["node"]["price"]["amount"] for e in on_day["edges"]} == {"100.00", "160.00"}
    denied = gql.post(doc("UpsertPriceStandard"), {"input": base}, as_user="agent-1").json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    customer = gql.post(doc("PriceStandards"), {}, as_user="customer-1").json()
    assert customer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_dealer_prices_name_their_item_and_recharge_prices_none(gql: GraphQL) -> None:
    no_item = _upsert(gql, {"kind": "DEALER_PART", "price": "1", "effectiveFrom": "2026-01-01"})
    assert no_item["errors"][0]["code"] == "REQUIRED"
    assert no_item["errors"][0]["field"] == "itemId"
    missing = _upsert(gql, {"kind": "RECHARGE_YEAR", "effectiveFrom": "2026-01-01"})
    assert missing["errors"][0]["code"] == "REQUIRED"
    assert missing["errors"][0]["field"] == "price"
    negative = _upsert(gql, {"kind": "RECHARGE_YEAR", "price": "-1", "effectiveFrom": "2026-01-01"})
    assert negative["errors"][0]["code"] == "AMOUNT_NEGATIVE"
    no_start = _upsert(gql, {"kind": "RECHARGE_YEAR", "price": "600"})
    assert no_start["errors"][0]["field"] == "effectiveFrom"


def test_a_recharge_records_the_standard_price_that_applied(
    gql: GraphQL, database_url: str
) -> None:
    device, customer = sh_device(database_url, SupplyMode.BUCKETS)
    address = fetch(
        database_url,
        select(m.Address.province, m.Address.city)
        .join(m.Device, m.Device.address_id == m.Address.id)
        .where(m.Device.id == raw_id(device)),
    )[0]
    standard = {
        "kind": "RECHARGE_BUCKET",
        "province": address[0],
        "city": address[1],
        "price": "8.00",
        "effectiveFrom": "2020-01-01",
        "note": "每桶标准价",
    }
    made = ok(_upsert(gql, standard))["priceStandard"]
    ticket_input = {
        "type": "RECHARGE",
        "customerId": customer,
        "deviceId": device,
        "recharge": {
            "plan": "BUCKETS",
            "quantity": 10,
            "unitPrice": "9.5",
            "paymentMethod": "ON_SITE",
        },
    }
    visit = through_the_visit(gql, database_url, ticket_input)
    ticket = fetch(database_url, select(m.Ticket).where(m.Ticket.id == raw_id(visit["ticket"])))[0][
        0
    ]
    assert ticket.details["recharge"]["standard_unit_price"] == "8.00"
    assert ticket.details["recharge"]["unit_price"] in ("9.5", "9.50")
    entry = fetch(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "recharge.recorded", m.AuditEntry.entity_id == raw_id(device)
        ),
    )[-1][0]
    assert entry["price_standard_id"] == raw_id(made["id"])
    assert entry["standard_unit_price"] == "8.00"
