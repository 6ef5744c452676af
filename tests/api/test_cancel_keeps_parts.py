"""A cancellation stops the work left to do; it never undoes parts already fitted on site.

The ledger keeps the consumption (the part is in the customer's machine, the old one in the
van's defective bin), nothing goes back into the van's good bin, and a shortfall the
consumption opened stays open for the branch to explain (docs/api.md, "Stock").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.api.discrepancy_world import (
    NOW_MS,
    assert_ledger_agrees,
    discrepancy_rows,
    phone,
    site_with_van,
    token,
)
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import Site
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import DiscrepancyStatus, LedgerKind, StockBin
from wellspring.schema.core.ids import global_id


def now_ms() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def part_id(url: str, sku: str) -> str:
    return str(scalars(url, select(m.Part.id).where(m.Part.sku == sku))[0])


def bins(url: str, van: str, part: str) -> tuple[int, int]:
    """The van's (good, defective) balances of the part."""
    rows = dict(
        fetch(
            url,
            select(m.StockBalance.bin, m.StockBalance.quantity).where(
                m.StockBalance.warehouse_id == van, m.StockBalance.part_id == part
            ),
        )
    )
    return int(rows.get(StockBin.GOOD, 0)), int(rows.get(StockBin.DEFECTIVE, 0))


def job_kinds(url: str, job: str) -> list[tuple[str, int]]:
    rows = fetch(
        url,
        select(m.StockEntry.kind, m.StockEntry.delta)
        .where(m.StockEntry.job_id == job)
        .order_by(m.StockEntry.kind),
    )
    return [(k.value, int(d)) for k, d in rows]


def use_parts(
    gql: GraphQL, s: Site, job: str, part: str, quantity: int, door: str, *, offline: bool = True
) -> None:
    """The engineer records ``quantity`` used with the old parts returned, by one door."""
    if door == "sync":
        p = phone(gql, s)
        p.pull()
        line = {"job_id": job, "part_id": part, "quantity": quantity, "old_part_returned": True}
        p.create("part_consumptions", {**line, "recorded_at": NOW_MS})
        assert p.push()["rejected"] == {}
        return
    lines = [{"partId": global_id("Part", part), "quantity": quantity, "oldPartReturned": True}]
    variables = {
        "input": {
            "jobId": global_id("Job", job),
            "lines": lines,
            "clientId": unique("used"),
            "recordedOffline": offline,
        }
    }
    answer = gql.data(doc("ConsumeParts"), variables, token=token(gql, s.usernames["a"]))
    assert answer["consumeParts"]["errors"] == []


def cancel(gql: GraphQL, s: Site, job: str) -> dict[str, Any]:
    ticket = scalars(s.url, select(m.Job.ticket_id).where(m.Job.id == job))[0]
    variables = {"id": global_id("Ticket", ticket), "reason": "客户取消维修"}
    answer = gql.data(doc("CancelTicket"), variables, token=token(gql, s.clerk))["cancelTicket"]
    assert answer["errors"] == []
    assert answer["ticket"]["status"] == "CANCELLED"
    return dict(answer)


@pytest.mark.parametrize("quantity", [1, 1500])
@pytest.mark.parametrize("door", ["sync", "graphql"])
def test_cancelling_after_a_shortfall_puts_nothing_in_the_van(
    gql: GraphQL, database_url: str, door: str, quantity: int
) -> None:
    """The tester's case: filters used offline from a van holding none, old parts returned.
    The cancel used to give back 'good' filters the van never had (750+750 of 1,500)."""
    cto = part_id(database_url, "CTO-10")
    s, job, van = site_with_van(database_url, cto, 0)
    use_parts(gql, s, job, cto, quantity, door)
    assert bins(database_url, van, cto) == (0, quantity)
    [short] = discrepancy_rows(database_url, job)
    assert (short.quantity_short, short.status) == (quantity, DiscrepancyStatus.OPEN)
    used = job_kinds(database_url, job)

    cancel(gql, s, job)

    assert bins(database_url, van, cto) == (0, quantity)
    assert job_kinds(database_url, job) == used  # no REVERSAL: the parts stay fitted
    assert all(kind != "REVERSAL" for kind, _ in used)
    # The shortfall is as real as before: the branch still has to say where the parts came from.
    [still] = discrepancy_rows(database_url, job)
    assert (still.quantity_short, still.status) == (quantity, DiscrepancyStatus.OPEN)
    assert_ledger_agrees(database_url, [van], cto)
    seen = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Job { status partsUsed { kind delta } } } }",
        {"id": global_id("Job", job)},
        token=token(gql, s.clerk),
    )["node"]
    assert seen["status"] == "CANCELLED"
    assert sorted((e["kind"], e["delta"]) for e in seen["partsUsed"]) == [
        ("CONSUMPTION", -quantity),
        ("OLD_PART", quantity),
    ]

    # Settled after the cancel like any other: the van's good bin stays at what it holds.
    settled = gql.post(
        doc("ResolveStockDiscrepancy"),
        {
            "input": {
                "id": global_id("StockDiscrepancy", short.id),
                "resolution": "WRITE_OFF",
                "reason": "工程师自备滤芯",
            }
        },
        token=token(gql, s.clerk),
    ).json()["data"]["resolveStockDiscrepancy"]
    assert settled["errors"] == []
    assert bins(database_url, van, cto) == (0, quantity)
    open_shortfall = scalars(
        database_url,
        select(func.sum(m.StockEntry.delta)).where(
            m.StockEntry.warehouse_id == van,
            m.StockEntry.part_id == cto,
            m.StockEntry.kind.in_((LedgerKind.SHORTFALL, LedgerKind.SHORTFALL_SETTLED)),
        ),
    )
    assert open_shortfall == [0]
    assert_ledger_agrees(database_url, [van], cto)


@pytest.mark.parametrize("offline", [False, True])
def test_cancelling_after_covered_parts_were_fitted_keeps_them_fitted(
    gql: GraphQL, database_url: str, offline: bool
) -> None:
    """Two valves fitted from stock the van had, old ones returned: the cancel used to put
    two good valves back and take the two old ones out of the defective bin."""
    valve = part_id(database_url, "SV-24V")
    s, job, van = site_with_van(database_url, valve, 5)
    use_parts(gql, s, job, valve, 2, "graphql", offline=offline)
    assert bins(database_url, van, valve) == (3, 2)
    assert discrepancy_rows(database_url, job) == []

    cancel(gql, s, job)

    assert bins(database_url, van, valve) == (3, 2)
    assert job_kinds(database_url, job) == [("CONSUMPTION", -2), ("OLD_PART", 2)]
    assert discrepancy_rows(database_url, job) == []
    assert_ledger_agrees(database_url, [van], valve)

    # One came back unfitted after all: the clerk counts the van, and the count books it.
    counted = {
        "input": {
            "kind": "STOCKTAKE",
            "toWarehouseId": global_id("Warehouse", van),
            "lines": [{"partId": global_id("Part", valve), "quantity": 4}],
        }
    }
    answer = gql.data(doc("MoveStock"), counted, token=token(gql, s.clerk))["moveStock"]
    assert answer["errors"] == []
    assert bins(database_url, van, valve) == (4, 2)
    assert job_kinds(database_url, job) == [("CONSUMPTION", -2), ("OLD_PART", 2)]
    assert_ledger_agrees(database_url, [van], valve)


def test_parts_recorded_before_the_cancel_arrive_after_it_and_are_taken(
    gql: GraphQL, database_url: str
) -> None:
    """The phone was offline: the valve was fitted, then the office cancelled, then the phone
    synced. The consumption was refused (INVALID_TRANSITION) on every sync and the van's book
    kept the valve. One recorded after the cancel is refused as on a completed job."""
    valve = part_id(database_url, "SV-24V")
    s, job, van = site_with_van(database_url, valve, 5)
    p = phone(gql, s)
    p.pull()
    line = {"job_id": job, "part_id": valve, "quantity": 1, "old_part_returned": False}
    fitted = p.create("part_consumptions", {**line, "recorded_at": now_ms() - 60_000})
    cancel(gql, s, job)
    later = p.create("part_consumptions", {**line, "recorded_at": now_ms() + 60_000})
    answer = p.sync()
    assert list(answer["rejected"].get("part_consumptions", {})) == [later]
    assert answer["rejected"]["part_consumptions"][later]["code"] == "JOB_CLOSED"
    assert fitted not in answer["rejected"].get("part_consumptions", {})
    assert bins(database_url, van, valve) == (4, 0)
    assert_ledger_agrees(database_url, [van], valve)
