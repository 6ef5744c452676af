"""Offline consumptions the van's book cannot cover: accepted, recorded in full, and settled by
the branch through a stock discrepancy (docs/api.md, "Stock discrepancies")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from tests.api.discrepancy_world import (
    NOW_MS,
    add_station,
    assert_ledger_agrees,
    balance,
    consume,
    discrepancy_rows,
    make_three_short,
    phone,
    site_with_van,
    token,
)
from tests.api.seen import count_statements
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    Site,
    any_part,
    stock_van,
)
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import (
    DiscrepancyStatus,
    LedgerKind,
)
from wellspring.schema.core.ids import global_id


def test_two_offline_phones_using_the_last_unit_are_both_accepted(
    gql: GraphQL, database_url: str
) -> None:
    part = any_part(database_url)
    s, job, van = site_with_van(database_url, part, 1)
    first, second = phone(gql, s), phone(gql, s)
    first.pull()
    second.pull()
    line = {"job_id": job, "part_id": part, "quantity": 1, "old_part_returned": False}
    first.create("part_consumptions", {**line, "recorded_at": NOW_MS - 60_000})
    used = second.create("part_consumptions", {**line, "recorded_at": NOW_MS})
    replay = second.push_body()
    assert first.push()["rejected"] == {}
    assert second.push()["rejected"] == {}
    assert balance(database_url, van, part) == 0
    [short] = discrepancy_rows(database_url, job)
    assert short.quantity_short == 1
    assert short.status is DiscrepancyStatus.OPEN
    assert short.branch_id == s.branch_id
    assert short.warehouse_id == van
    assert short.technician_id == s.techs["a"]
    assert short.client_id == f"{used}:000"
    assert short.recorded_at == dt.datetime.fromtimestamp(NOW_MS / 1000, dt.UTC)
    assert short.received_at is not None
    assert_ledger_agrees(database_url, [van], part)

    # A retried push (its answer was lost) changes nothing and opens nothing.
    entries_before = scalars(database_url, select(func.count()).select_from(m.StockEntry))
    answer = second.push(replay)
    assert answer["rejected"] == {}
    assert scalars(database_url, select(func.count()).select_from(m.StockEntry)) == entries_before
    assert len(discrepancy_rows(database_url, job)) == 1

    # The job shows both units used, and the shortfall, to the branch.
    seen = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Job { partsUsed { kind delta } "
        "stockDiscrepancies { quantityShort status } } } }",
        {"id": global_id("Job", job)},
        token=token(gql, s.clerk),
    )["node"]
    assert sorted((e["kind"], e["delta"]) for e in seen["partsUsed"]) == [
        ("CONSUMPTION", -1),
        ("CONSUMPTION", -1),
    ]
    assert seen["stockDiscrepancies"] == [{"quantityShort": 1, "status": "OPEN"}]
    # Each phone gets the other's consumption, in full.
    pulled = first.pull()["changes"]["part_consumptions"]
    assert [r["quantity"] for r in pulled["created"]] == [1]


def test_graphql_consumption_marked_offline_opens_a_discrepancy_online_keeps_the_error(
    gql: GraphQL, database_url: str
) -> None:
    part = any_part(database_url)
    s, job, van = site_with_van(database_url, part, 1)
    online = consume(gql, s, job, part, 3, unique("online"))
    assert [e["code"] for e in online["errors"]] == ["INSUFFICIENT_STOCK"]
    assert online["errors"][0]["field"] == "lines.0.quantity"
    assert discrepancy_rows(database_url, job) == []
    assert balance(database_url, van, part) == 1

    at = "2026-12-01T09:30:00+08:00"
    key = unique("offline")
    offline = consume(gql, s, job, part, 3, key, recordedOffline=True, recordedAt=at)
    assert offline["errors"] == []
    assert [(e["kind"], e["delta"]) for e in offline["entries"]] == [("CONSUMPTION", -3)]
    assert offline["job"]["stockDiscrepancies"] == [
        {"id": offline["job"]["stockDiscrepancies"][0]["id"], "quantityShort": 2, "status": "OPEN"}
    ]
    again = consume(gql, s, job, part, 3, key, recordedOffline=True, recordedAt=at)
    assert [e["id"] for e in again["entries"]] == [e["id"] for e in offline["entries"]]
    [row] = discrepancy_rows(database_url, job)
    assert row.recorded_at == dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)
    assert balance(database_url, van, part) == 0
    kinds = sorted(
        scalars(database_url, select(m.StockEntry.kind).where(m.StockEntry.warehouse_id == van))
    )
    assert kinds == [LedgerKind.CONSUMPTION, LedgerKind.RECEIPT, LedgerKind.SHORTFALL]
    assert_ledger_agrees(database_url, [van], part)
    # Covered by the book, an offline consumption opens nothing.
    stock_van(s, "a", part, 2)
    covered = consume(gql, s, job, part, 2, unique("offline"), recordedOffline=True)
    assert covered["errors"] == []
    assert len(discrepancy_rows(database_url, job)) == 1
    opened = scalars(
        database_url,
        select(func.count()).where(
            m.AuditEntry.action == "stock.discrepancy_opened", m.AuditEntry.entity_id == row.id
        ),
    )
    assert opened == [1]


@pytest.fixture
def three_short(gql: GraphQL, database_url: str) -> tuple[Site, str, str, list[str]]:
    return make_three_short(gql, database_url)


def resolve(gql: GraphQL, user: str, **values: Any) -> Any:
    return gql.post(doc("ResolveStockDiscrepancy"), {"input": values}, token=user).json()


def test_each_resolution_posts_its_entries_and_closes_the_discrepancy(
    gql: GraphQL, database_url: str, three_short: tuple[Site, str, str, list[str]]
) -> None:
    s, part, van, (transfer, stocktake, write_off) = three_short
    clerk = token(gql, s.clerk)
    empty = add_station(s, part, 0)
    station = add_station(s, part, 5)

    def kinds(answer: Any) -> list[tuple[str, str, int]]:
        entries = answer["data"]["resolveStockDiscrepancy"]["entries"]
        return [(e["warehouse"]["id"], e["kind"], e["delta"]) for e in entries]

    def errors(answer: Any) -> list[tuple[str, str]]:
        got = answer["data"]["resolveStockDiscrepancy"]["errors"]
        return [(e["field"], e["code"]) for e in got]

    source = global_id("Warehouse", station)
    vanid = global_id("Warehouse", van)
    # Refusals change nothing.
    short = resolve(
        gql,
        clerk,
        id=transfer,
        resolution="UNBOOKED_TRANSFER",
        sourceWarehouseId=global_id("Warehouse", empty),
    )
    assert errors(short) == [("sourceWarehouseId", "INSUFFICIENT_STOCK")]
    assert errors(resolve(gql, clerk, id=transfer, resolution="UNBOOKED_TRANSFER")) == [
        ("sourceWarehouseId", "REQUIRED")
    ]
    assert errors(
        resolve(gql, clerk, id=transfer, resolution="UNBOOKED_TRANSFER", sourceWarehouseId=vanid)
    ) == [("sourceWarehouseId", "SAME_WAREHOUSE")]
    assert errors(resolve(gql, clerk, id=write_off, resolution="WRITE_OFF", reason="  ")) == [
        ("reason", "REASON_REQUIRED")
    ]
    assert errors(
        resolve(
            gql, clerk, id=stocktake, resolution="STOCKTAKE_CORRECTION", sourceWarehouseId=source
        )
    ) == [("sourceWarehouseId", "INVALID_ARGUMENT")]
    assert {r.status for r in _rows(database_url, van)} == {DiscrepancyStatus.OPEN}

    done = resolve(
        gql, clerk, id=transfer, resolution="UNBOOKED_TRANSFER", sourceWarehouseId=source
    )
    assert kinds(done) == [
        (source, "TRANSFER_OUT", -1),
        (vanid, "TRANSFER_IN", 1),
        (vanid, "SHORTFALL_SETTLED", -1),
    ]
    closed = done["data"]["resolveStockDiscrepancy"]["discrepancy"]
    assert closed["status"] == "RESOLVED"
    assert closed["resolution"] == "UNBOOKED_TRANSFER"
    assert closed["sourceWarehouse"]["id"] == source
    assert closed["resolvedByName"] == s.clerk
    assert closed["resolvedAt"]
    assert balance(database_url, station, part) == 4

    counted = resolve(gql, clerk, id=stocktake, resolution="STOCKTAKE_CORRECTION")
    assert kinds(counted) == [(vanid, "STOCKTAKE", 1), (vanid, "SHORTFALL_SETTLED", -1)]
    lost = resolve(gql, clerk, id=write_off, resolution="WRITE_OFF", reason="工程师自购配件")
    assert kinds(lost) == [(vanid, "WRITE_OFF", 1), (vanid, "SHORTFALL_SETTLED", -1)]
    assert lost["data"]["resolveStockDiscrepancy"]["discrepancy"]["reason"] == "工程师自购配件"

    for resolution in ("WRITE_OFF", "UNBOOKED_TRANSFER", "STOCKTAKE_CORRECTION"):
        twice = resolve(gql, clerk, id=stocktake, resolution=resolution, reason="again")
        assert errors(twice) == [("id", "DISCREPANCY_ALREADY_RESOLVED")]
        assert twice["data"]["resolveStockDiscrepancy"]["discrepancy"] is None

    assert balance(database_url, van, part) == 0
    assert {r.status for r in _rows(database_url, van)} == {DiscrepancyStatus.RESOLVED}
    assert_ledger_agrees(database_url, [van, station, empty], part)
    open_shortfall = scalars(
        database_url,
        select(func.sum(m.StockEntry.delta)).where(
            m.StockEntry.warehouse_id == van,
            m.StockEntry.kind.in_((LedgerKind.SHORTFALL, LedgerKind.SHORTFALL_SETTLED)),
        ),
    )
    assert open_shortfall == [0]
    clerk_id = scalars(database_url, select(m.User.id).where(m.User.username == s.clerk))[0]
    audited = fetch(
        database_url,
        select(m.AuditEntry.actor_id, m.AuditEntry.detail).where(
            m.AuditEntry.action == "stock.discrepancy_resolved",
            m.AuditEntry.entity_id.in_([r.id for r in _rows(database_url, van)]),
        ),
    )
    assert sorted(d["resolution"] for _a, d in audited) == [
        "STOCKTAKE_CORRECTION",
        "UNBOOKED_TRANSFER",
        "WRITE_OFF",
    ]
    assert {a for a, _d in audited} == {clerk_id}


def _rows(url: str, van: str) -> list[m.StockDiscrepancy]:
    return [
        r[0]
        for r in fetch(
            url, select(m.StockDiscrepancy).where(m.StockDiscrepancy.warehouse_id == van)
        )
    ]


LIST = (
    "query($branchId: ID, $status: DiscrepancyStatus) { stockDiscrepancies(branchId: $branchId, "
    "status: $status, first: 100) { totalCount edges { node { id } } } }"
)


def _listed(gql: GraphQL, user_token: str, **variables: Any) -> set[str]:
    page = gql.data(LIST, variables, token=user_token)["stockDiscrepancies"]
    ids = {e["node"]["id"] for e in page["edges"]}
    assert page["totalCount"] == len(ids)
    return ids


def test_who_sees_and_who_may_resolve(
    gql: GraphQL, database_url: str, three_short: tuple[Site, str, str, list[str]]
) -> None:
    s, part, van, found = three_short
    target = found[0]
    raw = _rows(database_url, van)
    mine = set(found)
    assert _listed(gql, token(gql, s.clerk)) == mine
    assert _listed(gql, token(gql, s.clerk), status="RESOLVED") == set()
    assert _listed(gql, token(gql, s.usernames["a"])) == mine  # the engineer's own
    branch = global_id("Branch", s.branch_id)
    assert mine <= _listed(gql, token(gql, "hq", "demo"), branchId=branch, status="OPEN")
    assert mine <= _listed(gql, token(gql, "admin", "demo"))
    node = "query($id: ID!) { node(id: $id) { id } }"
    for user in ("clerk-sh", "clerk-bj", "hotline", "sales-sh-1", "agent-1"):
        t = token(gql, user, "demo")
        assert _listed(gql, t) & mine == set(), user
        assert _listed(gql, t, branchId=branch) == set(), user
        assert gql.data(node, {"id": target}, token=t)["node"] is None, user
    # A customer may not even ask for the list (the customer field allowlist, docs/api.md).
    t = token(gql, "customer-1", "demo")
    refused = gql.post(LIST, {}, token=t).json()
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert gql.data(node, {"id": target}, token=t)["node"] is None

    before = _side_effects(database_url, van, part, raw)
    # Another branch's clerk: as if it did not exist.
    other = resolve(
        gql, token(gql, "clerk-sh", "demo"), id=target, resolution="STOCKTAKE_CORRECTION"
    )
    assert [e["code"] for e in other["data"]["resolveStockDiscrepancy"]["errors"]] == ["NOT_FOUND"]
    # Roles that never settle stock: refused outright.
    for user, password in (
        ("hotline", "demo"),
        ("sales-sh-1", "demo"),
        ("agent-1", "demo"),
        ("customer-1", "demo"),
        ("tech-sh-1", "demo"),
        (s.usernames["a"], PASSWORD),
    ):
        answer = resolve(
            gql, token(gql, user, password), id=target, resolution="STOCKTAKE_CORRECTION"
        )
        assert answer["data"]["resolveStockDiscrepancy"] is None, user
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"], user
    assert _side_effects(database_url, van, part, raw) == before
    assert {r.status for r in _rows(database_url, van)} == {DiscrepancyStatus.OPEN}
    # HQ may settle any branch's.
    hq = resolve(gql, token(gql, "hq", "demo"), id=target, resolution="STOCKTAKE_CORRECTION")
    assert hq["data"]["resolveStockDiscrepancy"]["errors"] == []


def _side_effects(url: str, van: str, part: str, rows: list[m.StockDiscrepancy]) -> Any:
    entries = scalars(url, select(func.count()).where(m.StockEntry.part_id == part))
    audits = scalars(
        url, select(func.count()).where(m.AuditEntry.entity_id.in_([r.id for r in rows]))
    )
    return entries, audits, balance(url, van, part)


def test_the_list_pages_by_keyset_and_costs_the_same_statements_at_any_size(
    gql: GraphQL, client: TestClient, database_url: str
) -> None:
    part = any_part(database_url)
    s, job, _van = site_with_van(database_url, part, 0)
    for n in range(7):
        assert (
            consume(gql, s, job, part, 1, unique(f"page-{n}"), recordedOffline=True)["errors"] == []
        )
    clerk = token(gql, s.clerk)
    query = doc("StockDiscrepancies")
    seen: list[str] = []
    after = None
    while True:
        page = gql.data(query, {"first": 3, "after": after}, token=clerk)["stockDiscrepancies"]
        assert page["totalCount"] == 7
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7

    counts = {}
    for size in (2, 7):
        with count_statements(client) as statements:
            data = gql.data(query, {"first": size}, token=clerk)
        assert len(data["stockDiscrepancies"]["edges"]) == size
        counts[size] = len(statements)
    assert counts[2] == counts[7], counts

    too_many = gql.post(query, {"first": 101}, token=clerk).json()
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"
