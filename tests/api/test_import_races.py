"""Imports applied while another transaction writes the same things: each waits for the other
and keeps what it left (found by reading every decision read from a row and written back;
each answered OK with a wrong result).

Made certain as in ``test_decision_races.py``; only PostgreSQL lets two writers overlap."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.stock_world import good_balance, new_part
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import scalars
from wellspring.domain.actor import SYSTEM
from wellspring.domain.imports.catalogue import OPENING
from wellspring.domain.inventory import ledger
from wellspring.domain.models import Part, StockEntry, Warehouse
from wellspring.domain.models.enums import LedgerKind, StockBin

pytestmark = pytest.mark.usefixtures("postgresql_only")


def _import(kind: str, name: str, content: str) -> dict[str, Any]:
    encoded = base64.b64encode(content.encode()).decode()
    return {"input": {"kind": kind, "fileName": name, "content": encoded}}


def test_opening_stock_imported_by_two_files_at_once_is_opened_once(
    database_url: str, gql: GraphQL
) -> None:
    """A corrected file sent while the first still applies: both found no opening entry for
    the part and the stock was opened twice (40 became 80)."""
    part = new_part(database_url)
    sku = scalars(database_url, select(Part.sku).where(Part.id == part))[0]
    hq = scalars(database_url, select(Warehouse.id).where(Warehouse.code == "WH-HQ"))[0]

    async def hold(session: AsyncSession) -> None:  # the first file's batch, not committed
        await ledger.hold(session, hq, part, StockBin.GOOD)
        await ledger.post(
            session, SYSTEM, warehouse_id=hq, part_id=part, bin_=StockBin.GOOD, delta=40,
            kind=LedgerKind.RECEIPT, document=OPENING, note="opening stock (import)",
        )  # fmt: skip

    stock = _import("STOCK", "期初库存.csv", f"仓库,配件编号,数量\nWH-HQ,{sku},40\n")
    answer = race(database_url, gql, "hq", hold, doc("StartImport"), stock)
    assert answer["data"]["startImport"]["errors"] == []
    assert scalars(database_url, good_balance(hq, part)) == [40]
    openings = select(func.count()).where(
        StockEntry.part_id == part, StockEntry.document == OPENING
    )
    assert scalars(database_url, openings) == [1]
