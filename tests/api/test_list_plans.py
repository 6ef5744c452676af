"""Every list the clients page through reads in proportion to the page (issue 19 §3), and an
engineer's MyJobs in proportion to their jobs.

Each list request of clients/ runs through GraphQL; every statement it sends is captured at
the driver and EXPLAINed on the same database. A statement fails when it would read a whole
large table: on SQLite a ``SCAN <table>`` without an index (``EXPLAIN QUERY PLAN``), on
PostgreSQL a ``Seq Scan`` that remains with ``enable_seqscan`` off (``EXPLAIN (FORMAT
JSON)``: no index can serve it, so at production sizes it reads every row). The plan, not the
data, is what is checked, so the demo data the suite loads is enough on both engines. A
``totalCount`` is left out: it is bounded, reading at most ``pagination.COUNT_LIMIT`` + 1
rows whatever its plan (docs/api.md), whether sent on its own or read in the page's statement
(an uncorrelated scalar subquery there: ``_bounded_count_nodes``).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from starlette.testclient import TestClient

from tests.api.seen import doc
from tests.api.stock_world import warehouse
from tests.conftest import GraphQL
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.domain.db import create_engine
from wellspring.schema.core.ids import global_id

# Tables that grow with the business (the small reference tables may be read whole).
LARGE = frozenset(
    {
        "tickets",
        "jobs",
        "customers",
        "addresses",
        "devices",
        "users",
        "technicians",
        "follow_ups",
        "stock_balances",
        "stock_entries",
        "stock_discrepancies",
        "job_status_changes",
        "ticket_status_changes",
        "audit_log",
        "auth_sessions",
        "sync_held",
        "service_cards",
    }
)


# totalCount's statement: count(*) over the list's query cut at COUNT_LIMIT + 1 rows.
BOUNDED_COUNT = re.compile(r"^SELECT count\(\*\) AS \w+ \nFROM \(SELECT .* LIMIT", re.DOTALL)


@contextmanager
def captured(client: TestClient) -> Iterator[list[tuple[str, Any]]]:
    engine = client.app.state.engine.sync_engine  # type: ignore[attr-defined]
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_a: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _pg_scans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if _pg_bounded_count(node):
        return
    yield node
    for child in node.get("Plans", []):
        yield from _pg_scans(child)


def _pg_bounded_count(node: dict[str, Any]) -> bool:
    """A count read with the page: an InitPlan counting over a LIMIT."""
    children = node.get("Plans", [])
    return (
        node.get("Parent Relationship") == "InitPlan"
        and node["Node Type"] == "Aggregate"
        and any(child["Node Type"] == "Limit" for child in children)
    )


def _bounded_count_nodes(rows: list[Any]) -> set[int]:
    """SQLite's plan rows (id, parent, _, detail) of a count read with the page: a scalar
    subquery over a subquery of its own (``SCAN anon_1``), with everything under it."""
    children: dict[int, list[Any]] = {}
    for row in rows:
        children.setdefault(row[1], []).append(row)

    def under(node_id: int) -> list[Any]:
        found = list(children.get(node_id, []))
        for child in children.get(node_id, []):
            found += under(child[0])
        return found

    skipped: set[int] = set()
    for row in rows:
        if row[-1].startswith("SCALAR SUBQUERY"):
            inner = under(row[0])
            if any(re.match(r"SCAN anon_\d+", r[-1]) for r in inner):
                skipped |= {row[0]} | {r[0] for r in inner}
    return skipped


async def _explain(url: str, statements: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(statement, the whole-table read it would make) for each offending statement."""
    engine = create_engine(url)
    bad: list[tuple[str, str]] = []
    try:
        async with engine.connect() as conn:
            postgres = engine.dialect.name == "postgresql"
            if postgres:
                await conn.exec_driver_sql("SET enable_seqscan = off")
            for statement, parameters in statements:
                if BOUNDED_COUNT.search(statement):
                    continue  # reads at most COUNT_LIMIT + 1 rows, whatever the plan
                if postgres:
                    rows = await conn.exec_driver_sql(
                        "EXPLAIN (FORMAT JSON) " + statement, parameters
                    )
                    plan = rows.scalar_one()
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    for node in _pg_scans(plan[0]["Plan"]):
                        table = node.get("Relation Name")
                        if node["Node Type"] == "Seq Scan" and table in LARGE:
                            bad.append((statement, f"Seq Scan on {table}"))
                else:
                    rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                    plan_rows = list(rows.all())
                    skipped = _bounded_count_nodes(plan_rows)
                    for detail in [r[-1] for r in plan_rows if r[0] not in skipped]:
                        found = re.match(r"SCAN (\w+)", detail)
                        if found and found[1] in LARGE and "INDEX" not in detail:
                            bad.append((statement, detail))
    finally:
        await engine.dispose()
    return bad


def _requests(database_url: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(document, persona, variables): each list as the clients send it, first page."""
    van = scalars(
        database_url, select(m.Warehouse.id).where(m.Warehouse.technician_id.is_not(None))
    )
    branch = scalars(database_url, select(m.Branch.id).where(m.Branch.code == "SH"))[0]
    lists: list[tuple[str, str, dict[str, Any]]] = [
        ("Tickets", "hq", {"first": 50}),
        ("Tickets", "clerk-sh", {"first": 50, "filter": {"open": True}}),
        ("Jobs", "hq", {"first": 50}),
        ("Jobs", "clerk-sh", {"first": 50}),
        ("Customers", "hotline", {"first": 50}),
        ("Customers", "clerk-sh", {"first": 50}),
        ("FollowUpsDue", "hotline", {"first": 50}),
        ("StockDiscrepancies", "hq", {"first": 50}),
        ("Stock", "hq", {"warehouseId": warehouse(database_url, "WH-HQ"), "first": 50}),
        ("Technicians", "hq", {"first": 50}),
        ("Technicians", "clerk-sh", {"first": 50, "branchId": global_id("Branch", branch)}),
        # Not paged (an engineer's open jobs are few), but read with their relations joined.
        ("MyJobs", "tech-sh-1", {}),
    ]
    if van:
        lists.append(("Stock", "hq", {"warehouseId": global_id("Warehouse", van[0]), "first": 50}))
    return lists


@pytest.fixture(scope="module")
def plans(gql: GraphQL, database_url: str) -> dict[str, list[tuple[str, str]]]:
    """Each list request's offending statements, one EXPLAIN pass for the module."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, persona, variables in _requests(database_url):
        with captured(gql.client) as seen:
            data = gql.data(doc(name), variables, as_user=persona)
        assert any(
            isinstance(v, list) or (isinstance(v, dict) and "edges" in v) for v in data.values()
        ), name
        out[f"{name} as {persona}"] = asyncio.run(_explain(database_url, seen))
    return out


def test_every_list_request_reads_through_indexes(
    plans: dict[str, list[tuple[str, str]]],
) -> None:
    failures = {
        request: [f"{why}: {' '.join(statement.split())[:300]}" for statement, why in bad]
        for request, bad in plans.items()
        if bad
    }
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def test_the_check_sees_a_whole_table_read(database_url: str) -> None:
    """The check itself: a filter no index serves is reported (it cannot pass vacuously)."""
    bad = asyncio.run(
        _explain(
            database_url, [("SELECT count(*) FROM tickets WHERE tickets.priority IS NOT NULL", ())]
        )
    )
    assert bad
    assert bad[0][1].replace("SCAN ", "Seq Scan on ").endswith("tickets")


def test_a_count_read_with_the_page_is_left_out_and_nothing_else(database_url: str) -> None:
    """The bounded count inside a page's statement is skipped; a whole-table read of the page
    itself beside it is still reported."""
    page = "SELECT tickets.id, (SELECT count(*) FROM (SELECT tickets.id FROM tickets LIMIT 1001)"
    by_id = page + " AS anon_1) AS n FROM tickets WHERE tickets.id = 'x'"
    whole = page + " AS anon_1) AS n FROM tickets WHERE tickets.priority IS NOT NULL"
    assert asyncio.run(_explain(database_url, [(by_id, ())])) == []
    bad = asyncio.run(_explain(database_url, [(whole, ())]))
    assert [why.replace("SCAN ", "Seq Scan on ") for _s, why in bad] == ["Seq Scan on tickets"]
