"""A warehouse closed while something arrives in it: the two are decided one after the other
(found by reading every decision read from a row and written back; it answered OK and left
stock no one could move out of an inactive warehouse), and a transfer on its way counts.

The race is made certain as in ``test_decision_races.py``, on PostgreSQL only."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.stock_world import good_balance, new_part, warehouse
from tests.api.workflow_steps import doc, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import raw_id, scalars, unique
from wellspring.domain.actor import SYSTEM
from wellspring.domain.inventory import documents, ledger
from wellspring.domain.models import Warehouse
from wellspring.domain.models.enums import LedgerKind, StockBin
from wellspring.schema.core.ids import global_id


def _empty_warehouse(database_url: str, gql: GraphQL) -> str:
    code = unique("WH").upper()[:16]
    made = {"code": code, "name": "临时仓", "kind": "REPAIR_STATION",
            "branchId": ids(database_url)["SH"]}  # fmt: skip
    return str(ok(payload(gql, "UpsertWarehouse", {"input": made}, "hq"))["warehouse"]["id"])


def test_a_warehouse_with_a_transfer_on_its_way_is_not_closed(
    database_url: str, gql: GraphQL
) -> None:
    """Closed, it could not receive the transfer, and the parts stayed in transit for good."""
    house = _empty_warehouse(database_url, gql)
    hq = warehouse(database_url, "WH-HQ")
    line = [{"partId": global_id("Part", new_part(database_url)), "quantity": 2}]
    receipt = {"kind": "RECEIPT", "toWarehouseId": hq, "lines": line}
    ok(payload(gql, "MoveStock", {"input": receipt}, "hq"))
    transfer = {"kind": "TRANSFER", "fromWarehouseId": hq, "toWarehouseId": house, "lines": line}
    sent = ok(payload(gql, "MoveStock", {"input": transfer}, "hq"))["movement"]
    assert sent["status"] == "IN_TRANSIT"
    closing = payload(gql, "UpsertWarehouse", {"input": {"id": house, "isActive": False}}, "hq")
    assert [e["code"] for e in closing["errors"]] == ["WAREHOUSE_NOT_EMPTY"]


@pytest.mark.usefixtures("postgresql_only")
def test_a_warehouse_closed_while_stock_arrives_stays_open(database_url: str, gql: GraphQL) -> None:
    """A receipt into an empty warehouse (uncommitted) while HQ closes it: the emptiness
    check read before the receipt committed, and the stock sat in a closed warehouse."""
    house = _empty_warehouse(database_url, gql)
    part = new_part(database_url)

    async def hold(session: AsyncSession) -> None:  # the receipt, as the code makes it
        await documents.warehouse(session, SYSTEM, raw_id(house), "to_warehouse_id")
        await ledger.post(
            session, SYSTEM, warehouse_id=raw_id(house), part_id=part, bin_=StockBin.GOOD,
            delta=5, kind=LedgerKind.RECEIPT,
        )  # fmt: skip

    closing = {"input": {"id": house, "isActive": False}}
    answer = race(database_url, gql, "hq", hold, doc("UpsertWarehouse"), closing)
    codes = [e["code"] for e in answer["data"]["upsertWarehouse"]["errors"]]
    assert codes == ["WAREHOUSE_NOT_EMPTY"]
    active = select(Warehouse.is_active).where(Warehouse.id == raw_id(house))
    assert scalars(database_url, active) == [True]
    assert scalars(database_url, good_balance(raw_id(house), part)) == [5]
