"""Reports over figures stored before their bounds, and totals past 32 bits.

A completion report's travel of 1.7e308 km was accepted, and two of them summed to inf
(SQLite) or overflowed (PostgreSQL): engineersReport answered INTERNAL_ERROR and the
engineers' and monthly workbooks 500 (xlsxwriter writes no infinity). A figure outside
0..MAX_TRAVEL_KM is now left out, as if not reported; the report and its files answer.

Two consumptions of 2,147,483,647 made partsConsumedReport and consumptionReport
INTERNAL_ERROR (their totals past GraphQL's Int): a total over many rows is a BigInt.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from graphql_relay import to_global_id
from sqlalchemy import delete
from starlette.testclient import TestClient

from tests.conftest import make_settings
from tests.reports.test_doors import Doors
from tests.reports.world import World, at
from wellspring.api.app import create_app
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import Job, Part, StockBalance, StockEntry, Warehouse
from wellspring.domain.models.enums import JobStatus, LedgerKind, StockBin, WarehouseKind

Env = tuple[str, World]
DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}
QUERY = """query($from: Date!, $to: Date!) { engineersReport(from: $from, to: $to) {
    technician { id displayName } completed travelKm } }"""


BIG = 2_000_000_000  # two of them pass 2**31 - 1


async def _jobs(url: str, world: World, figures: list[object]) -> list[str]:
    """Completed jobs of engineer T1 in December whose reports carry ``figures``; on the
    first, two consumptions of BIG; a warehouse holding BIG of two parts."""
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            jobs = [
                Job(
                    number=f"RJ-OUT-{index}",
                    ticket_id=world.ids["t1"],
                    branch_id=world.ids["A"],
                    technician_id=world.ids["T1"],
                    status=JobStatus.COMPLETED,
                    completed_at=at(12, 3 + index),
                    report={"fault_code": "E01", "travel_distance_km": figure},
                )
                for index, figure in enumerate(figures)
            ]
            store = Warehouse(code="RBIG", name="大仓", kind=WarehouseKind.REPAIR_STATION)
            parts = [Part(sku=f"RBIG{n}", name="大件", cost=Decimal("1.50")) for n in (1, 2)]
            session.add_all([*jobs, store, *parts])
            await session.flush()
            rows: list[Any] = [
                StockEntry(
                    warehouse_id=world.ids["van"],
                    part_id=world.ids["P1"],
                    bin=StockBin.GOOD,
                    delta=-BIG,
                    kind=LedgerKind.CONSUMPTION,
                    job_id=jobs[0].id,
                    created_at=at(12, 3, 10),
                )
                for _ in range(2)
            ]
            rows += [
                StockBalance(warehouse_id=store.id, part_id=p.id, bin=StockBin.GOOD, quantity=BIG)
                for p in parts
            ]
            session.add_all(rows)
            await session.flush()
            return [*(r.id for r in rows), *(p.id for p in parts), store.id, *(j.id for j in jobs)]
    finally:
        await engine.dispose()


async def _drop(url: str, ids: list[str]) -> None:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            for model in (StockEntry, StockBalance, Part, Warehouse, Job):
                await session.execute(delete(model).where(model.id.in_(ids)))
    finally:
        await engine.dispose()


@pytest.fixture
def outliers(reports_world: Env) -> Iterator[None]:
    url, world = reports_world
    ids = asyncio.run(_jobs(url, world, [1.7e308, 1.7e308, 1e300, 12.5, -4.0]))
    try:
        yield
    finally:
        asyncio.run(_drop(url, ids))


@pytest.fixture
def doors(reports_world: Env) -> Iterator[Doors]:
    with TestClient(create_app(make_settings(reports_world[0]))) as client:
        yield Doors(client)


def test_travel_stored_out_of_range_is_left_out(
    outliers: None, doors: Doors, reports_world: Env
) -> None:
    t1 = to_global_id("Technician", reports_world[1].ids["T1"])
    rows = doors.data(QUERY, DECEMBER, as_user="r-hq")["engineersReport"]
    (row,) = [r for r in rows if r["technician"]["id"] == t1]
    assert (row["completed"], row["travelKm"]) == (5, 12.5)
    for path, params in (
        ("/reports/engineers.xlsx", DECEMBER),
        ("/reports/engineers.csv", DECEMBER),
        ("/reports/monthly.xlsx", {"month": "2026-12"}),
    ):
        response = doors.get(path, "r-hq", **params)
        assert response.status_code == 200, (path, response.text)
        if path.endswith(".xlsx"):
            openpyxl.load_workbook(io.BytesIO(response.content))


def test_totals_past_32_bits_are_answered_whole(outliers: None, doors: Doors) -> None:
    parts = doors.data(
        "query($from: Date!, $to: Date!) { partsConsumedReport(from: $from, to: $to) "
        "{ sku quantity } }",
        DECEMBER,
        as_user="r-hq",
    )["partsConsumedReport"]
    assert {"sku": "RP1", "quantity": 2 * BIG} in parts
    month = doors.data(
        '{ consumptionReport(month: "2026-12") { part { sku } quantity value { amount } } }',
        as_user="r-hq",
    )["consumptionReport"]
    assert {
        "part": {"sku": "RP1"},
        "quantity": 2 * BIG,
        "value": {"amount": "40000000000.00"},
    } in month
    value = doors.data(
        "{ stockValue { warehouse { code } quantity value { amount } } }", as_user="r-hq"
    )["stockValue"]
    assert {
        "warehouse": {"code": "RBIG"},
        "quantity": 2 * BIG,
        "value": {"amount": "6000000000.00"},
    } in value
    response = doors.get("/reports/parts.xlsx", "r-hq", **DECEMBER)
    assert response.status_code == 200, response.text
