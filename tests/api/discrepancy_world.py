"""What the stock-discrepancy tests share: a branch of their own with an engineer on site and
a van, offline consumptions through GraphQL, and the book read straight from the tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    _session_do,
    add_job,
    add_technician,
    any_part,
    make_branch,
    run,
    stock_van,
)
from tests.factories import fetch, scalars, unique
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import JobStatus, LedgerKind, StockBin, WarehouseKind
from wellspring.schema.core.ids import global_id

NOW_MS = int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def token(gql: GraphQL, username: str, password: str = PASSWORD) -> str:
    if username not in gql.tokens:
        gql.sign_in(username, password)
    return gql.token(username)


def site_with_van(url: str, part: str, quantity: int) -> tuple[Site, str, str]:
    """A branch of its own, engineer "a" on site at a job, ``quantity`` of the part in the van."""
    s = make_branch(url)
    add_technician(s, "a", home=PLACES["jingan"])
    job = add_job(s, "on-site", at=PLACES["jingan"], technician="a", status=JobStatus.ON_SITE)
    stock_van(s, "a", part, quantity)
    van = scalars(url, select(m.Warehouse.id).where(m.Warehouse.technician_id == s.techs["a"]))
    return s, job, van[0]


def add_station(s: Site, part: str, quantity: int) -> str:
    async def work(session: Any) -> str:
        station = m.Warehouse(
            code=unique("ST"),
            name="测试维修站",
            kind=WarehouseKind.REPAIR_STATION,
            branch_id=s.branch_id,
        )
        session.add(station)
        await session.flush()
        if quantity:
            await ledger.post(
                session,
                SYSTEM,
                warehouse_id=station.id,
                part_id=part,
                bin_=StockBin.GOOD,
                delta=quantity,
                kind=LedgerKind.RECEIPT,
            )
        return str(station.id)

    return str(run(_session_do(s.url, work)))


def balance(url: str, warehouse_id: str, part: str) -> int:
    found = scalars(
        url,
        select(m.StockBalance.quantity).where(
            m.StockBalance.warehouse_id == warehouse_id,
            m.StockBalance.part_id == part,
            m.StockBalance.bin == StockBin.GOOD,
        ),
    )
    return int(found[0]) if found else 0


def assert_ledger_agrees(url: str, warehouse_ids: list[str], part: str) -> None:
    """Every balance equals the sum of its ledger entries, and none is negative."""
    balances = {
        (w, b): q
        for w, b, q in fetch(
            url,
            select(m.StockBalance.warehouse_id, m.StockBalance.bin, m.StockBalance.quantity).where(
                m.StockBalance.warehouse_id.in_(warehouse_ids), m.StockBalance.part_id == part
            ),
        )
    }
    sums = {
        (w, b): int(total)
        for w, b, total in fetch(
            url,
            select(m.StockEntry.warehouse_id, m.StockEntry.bin, func.sum(m.StockEntry.delta))
            .where(m.StockEntry.warehouse_id.in_(warehouse_ids), m.StockEntry.part_id == part)
            .group_by(m.StockEntry.warehouse_id, m.StockEntry.bin),
        )
    }
    assert {k: v for k, v in balances.items() if v or k in sums} == sums
    assert balances
    assert all(q >= 0 for q in balances.values())


def discrepancy_rows(url: str, job: str) -> list[m.StockDiscrepancy]:
    return [
        row[0]
        for row in fetch(url, select(m.StockDiscrepancy).where(m.StockDiscrepancy.job_id == job))
    ]


def phone(gql: GraphQL, s: Site) -> Phone:
    return Phone(gql.client, token(gql, s.usernames["a"]))


def consume(
    gql: GraphQL, s: Site, job: str, part: str, quantity: int, client_id: str, **extra: Any
) -> dict[str, Any]:
    lines = [{"partId": global_id("Part", part), "quantity": quantity}]
    variables = {"input": {"jobId": global_id("Job", job), "lines": lines, "clientId": client_id}}
    variables["input"].update(extra)
    data = gql.data(doc("ConsumeParts"), variables, token=token(gql, s.usernames["a"]))
    return dict(data["consumeParts"])


def make_three_short(gql: GraphQL, database_url: str) -> tuple[Site, str, str, list[str]]:
    """A van with none of the part and three offline consumptions of one unit each."""
    part = any_part(database_url)
    s, job, van = site_with_van(database_url, part, 0)
    for n in range(3):
        assert (
            consume(gql, s, job, part, 1, unique(f"short-{n}"), recordedOffline=True)["errors"]
            == []
        )
    rows = sorted(discrepancy_rows(database_url, job), key=lambda r: r.client_id)
    assert [r.quantity_short for r in rows] == [1, 1, 1]
    return s, part, van, [global_id("StockDiscrepancy", r.id) for r in rows]
