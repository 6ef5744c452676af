"""What the stock tests share: warehouses and parts by code, an engineer's van, a job on site,
parts consumed on it."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from tests.api.workflow_steps import doc, ids, ok, payload
from tests.api.workflow_steps import to_assigned as assigned_job
from tests.conftest import GraphQL
from tests.factories import scalars, unique
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models.enums import StockBin
from wellspring.schema.core.ids import global_id


def warehouse(database_url: str, code: str) -> str:
    return global_id(
        "Warehouse",
        scalars(database_url, select(m.Warehouse.id).where(m.Warehouse.code == code))[0],
    )


def new_part(database_url: str) -> str:
    """A new part that fits every model (it lists none): its raw id."""
    sku = unique("LOCK").upper()[:32]

    async def add() -> str:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                row = m.Part(sku=sku, name="锁序配件")
                session.add(row)
                await session.flush()
                return row.id
        finally:
            await engine.dispose()

    return str(asyncio.run(add()))


def good_balance(warehouse_id: str, part_id: str, column: Any = m.StockBalance.quantity) -> Any:
    """A select of one balance's ``column`` in the good bin (raw ids)."""
    return select(column).where(
        m.StockBalance.warehouse_id == warehouse_id,
        m.StockBalance.part_id == part_id,
        m.StockBalance.bin == StockBin.GOOD,
    )


def part(database_url: str, sku: str) -> str:
    return global_id("Part", scalars(database_url, select(m.Part.id).where(m.Part.sku == sku))[0])


def van(gql: GraphQL, user: str) -> dict[str, int]:
    rows = gql.data(doc("MyVanStock"), as_user=user)["myVanStock"]
    return {f"{r['part']['sku']}/{r['bin']}": r["quantity"] for r in rows}


def on_site(gql: GraphQL, database_url: str) -> tuple[str, str]:
    ticket_id, job_id = assigned_job(gql, ids(database_url))
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    return ticket_id, job_id


def consume(
    gql: GraphQL, job_id: str, lines: list[dict[str, Any]], client_id: str
) -> dict[str, Any]:
    return payload(
        gql,
        "ConsumeParts",
        {"input": {"jobId": job_id, "lines": lines, "clientId": client_id}},
        "tech-sh-1",
    )
