"""Imports applied while another transaction writes the same things: each waits for the other
and keeps what it left (found by reading every decision read from a row and written back;
each answered OK with a wrong result).

Made certain as in ``test_decision_races.py``; only PostgreSQL lets two writers overlap."""

from __future__ import annotations

import base64
import random
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.stock_world import good_balance, new_part
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import execute, fetch, scalars, unique
from wellspring.domain.actor import SYSTEM
from wellspring.domain.imports.catalogue import OPENING
from wellspring.domain.inventory import ledger
from wellspring.domain.models import AccountCard, Device, Part, StockEntry, Warehouse
from wellspring.domain.models.enums import CardStatus, LedgerKind, StockBin

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


def test_a_card_an_install_binds_meanwhile_is_not_lost_by_a_device_import(
    database_url: str, gql: GraphQL
) -> None:
    """The import checked the spare card free, an install bound it before the import wrote:
    the device was imported and reported applied, without its card. Now the batch is
    refused whole and the file can be corrected."""
    phone = f"13{random.randrange(10**8, 10**9)}"
    owner = f"姓名,电话,省份,城市,区县,分公司\n卡客户,{phone},上海市,上海市,黄浦区,SH\n"
    spare = unique("8")[:20]
    for kind, rows in (("CUSTOMERS", owner), ("CARDS", f"卡号,仓库\n{spare},WH-HQ\n")):
        done = gql.data(doc("StartImport"), _import(kind, "导入.csv", rows), as_user="hq")
        assert done["startImport"]["import"]["appliedRows"] == 1, done
    card = scalars(database_url, select(AccountCard.id).where(AccountCard.card_number == spare))[0]
    installed = scalars(database_url, select(Device.id).order_by(Device.id).limit(1))[0]

    async def hold(session: AsyncSession) -> None:  # an install binding it, not committed
        await session.execute(
            update(AccountCard)
            .where(AccountCard.id == card)
            .values(device_id=installed, status=CardStatus.ACTIVE, warehouse_id=None)
        )

    serial = unique("SN")
    devices = _import(
        "DEVICES", "水机.csv", f"机身号,型号,手机号,卡号\n{serial},WS-100,{phone},{spare}\n"
    )
    before = fetch(
        database_url, select(AccountCard.status, AccountCard.warehouse_id).filter_by(id=card)
    )
    try:
        answer = race(database_url, gql, "hq", hold, doc("StartImport"), devices)
    finally:  # the card back as it was: no install made it (the shared database stays whole)
        status, house = before[0]
        execute(database_url, update(AccountCard).where(AccountCard.id == card)
                .values(device_id=None, status=status, warehouse_id=house))  # fmt: skip
    codes = [e["code"] for e in answer["data"]["startImport"]["errors"]]
    assert codes == ["IMPORT_CARD_ALREADY_BOUND"]
    assert scalars(database_url, select(Device.id).where(Device.serial_number == serial)) == []
