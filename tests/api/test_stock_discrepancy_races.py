"""Stock discrepancies under concurrency: phones racing for a van's last units, and clerks
settling one discrepancy at once, each against a live server."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.discrepancy_world import (
    NOW_MS,
    assert_ledger_agrees,
    balance,
    discrepancy_rows,
    make_three_short,
    site_with_van,
    token,
)
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import Site, any_part
from tests.e2e.live import http, live_server
from tests.factories import scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import LedgerKind


@pytest.fixture
def three_short(gql: GraphQL, database_url: str) -> tuple[Site, str, str, list[str]]:
    return make_three_short(gql, database_url)


def test_phones_racing_for_the_last_units_all_land_and_the_book_stays_whole(
    gql: GraphQL, database_url: str
) -> None:
    """Six installations push one unit each at once against a van holding two: every push is
    accepted, the van ends at zero, and the discrepancies add up to the four it lacked."""
    part = any_part(database_url)
    s, job, van = site_with_van(database_url, part, 2)
    bearer = {"Authorization": f"Bearer {token(gql, s.usernames['a'])}"}
    phones = 6
    with live_server(make_settings(database_url)) as base:
        bodies = []
        for n in range(phones):
            headers = {**bearer, "X-Sync-Client": f"racing-{n}-{unique('x')}"}
            status, pulled = http(
                "POST", f"{base}/sync/pull", {"lastPulledAt": None, "schemaVersion": 1}, headers
            )
            assert status == 200
            record = {
                "id": unique(f"use{n}"),
                "job_id": job,
                "part_id": part,
                "quantity": 1,
                "old_part_returned": False,
                "recorded_at": NOW_MS,
            }
            body = {
                "lastPulledAt": pulled["timestamp"],
                "changes": {"part_consumptions": {"created": [record]}},
            }
            bodies.append((body, headers))
        barrier = threading.Barrier(phones)
        answers: list[tuple[int, Any]] = []

        def send(body: dict[str, Any], headers: dict[str, str]) -> None:
            barrier.wait()
            answers.append(http("POST", f"{base}/sync/push", body, headers))

        threads = [threading.Thread(target=send, args=pair) for pair in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert [code for code, _ in answers] == [200] * phones, answers
    assert all(answer["rejected"] == {} for _, answer in answers), answers
    assert balance(database_url, van, part) == 0
    assert sum(r.quantity_short for r in discrepancy_rows(database_url, job)) == phones - 2
    assert_ledger_agrees(database_url, [van], part)


def test_resolving_at_once_settles_once(
    gql: GraphQL, database_url: str, three_short: tuple[Site, str, str, list[str]]
) -> None:
    _s, part, van, found = three_short
    headers = {"Authorization": f"Bearer {token(gql, 'hq', 'demo')}"}
    body = {
        "query": doc("ResolveStockDiscrepancy"),
        "variables": {"input": {"id": found[0], "resolution": "STOCKTAKE_CORRECTION"}},
    }
    clients = 8
    barrier = threading.Barrier(clients)
    answers: list[tuple[int, Any]] = []

    def send(base: str) -> None:
        barrier.wait()
        answers.append(http("POST", f"{base}/graphql", body, headers))

    with live_server(make_settings(database_url)) as base:
        threads = [threading.Thread(target=send, args=(base,)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert [code for code, _ in answers] == [200] * clients, answers
    codes = sorted(
        tuple(e["code"] for e in answer["data"]["resolveStockDiscrepancy"]["errors"])
        for _, answer in answers
    )
    assert codes == [()] + [("DISCREPANCY_ALREADY_RESOLVED",)] * (clients - 1)
    settled = scalars(
        database_url,
        select(m.StockEntry.kind).where(
            m.StockEntry.warehouse_id == van,
            m.StockEntry.kind.in_((LedgerKind.STOCKTAKE, LedgerKind.SHORTFALL_SETTLED)),
        ),
    )
    assert sorted(settled) == [LedgerKind.SHORTFALL_SETTLED, LedgerKind.STOCKTAKE]
    assert_ledger_agrees(database_url, [van], part)
