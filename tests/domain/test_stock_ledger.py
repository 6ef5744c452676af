"""Stock never goes negative, balances equal their ledger, retries apply once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import BACKEND
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import LedgerKind, StockBin, WarehouseKind


async def _ledger_mismatches(session: Any) -> list[Any]:
    sums = (
        select(
            m.StockEntry.warehouse_id,
            m.StockEntry.part_id,
            m.StockEntry.bin,
            func.sum(m.StockEntry.delta).label("total"),
        )
        .group_by(m.StockEntry.warehouse_id, m.StockEntry.part_id, m.StockEntry.bin)
        .subquery()
    )
    rows = await session.execute(
        select(m.StockBalance.id, m.StockBalance.quantity, sums.c.total).outerjoin(
            sums,
            (sums.c.warehouse_id == m.StockBalance.warehouse_id)
            & (sums.c.part_id == m.StockBalance.part_id)
            & (sums.c.bin == m.StockBalance.bin),
        )
    )
    return [r for r in rows if (r.total or 0) != r.quantity]


def test_every_balance_equals_the_sum_of_its_ledger(database_url: str) -> None:
    async def check() -> None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                balances = await session.scalar(select(func.count()).select_from(m.StockBalance))
                assert balances, "no stock balances to check"
                assert await _ledger_mismatches(session) == []
        finally:
            await engine.dispose()

    asyncio.run(check())


async def _fresh_stock(factory: Any, quantity: int) -> tuple[str, str]:
    """A new warehouse holding ``quantity`` of an existing part."""
    async with transaction(factory) as session:
        part = (await session.execute(select(m.Part).order_by(m.Part.sku).limit(1))).scalar_one()
        warehouse = m.Warehouse(
            code=f"T-{m.new_id()[:12]}", name="race", kind=WarehouseKind.REPAIR_STATION
        )
        session.add(warehouse)
        await session.flush()
        await ledger.post(
            session,
            SYSTEM,
            warehouse_id=warehouse.id,
            part_id=part.id,
            bin_=StockBin.GOOD,
            delta=quantity,
            kind=LedgerKind.RECEIPT,
        )
        return warehouse.id, part.id


def test_consumers_racing_for_the_last_parts(database_url: str) -> None:
    """PostgreSQL: 50 concurrent consumers for a stock of 10, 20 times: exactly 10 win."""
    rounds, clients = (20, 50) if BACKEND == "postgresql" else (3, 12)

    async def scenario() -> None:
        engine = create_engine(database_url, pool_size=clients // 2 + 1)
        factory = session_factory(engine)
        try:
            for _ in range(rounds):
                warehouse_id, part_id = await _fresh_stock(factory, 10)
                start = asyncio.Event()

                async def consume(
                    start: asyncio.Event = start,
                    warehouse_id: str = warehouse_id,
                    part_id: str = part_id,
                ) -> str:
                    await start.wait()
                    try:
                        async with transaction(factory) as session:
                            await ledger.post(
                                session,
                                SYSTEM,
                                warehouse_id=warehouse_id,
                                part_id=part_id,
                                bin_=StockBin.GOOD,
                                delta=-1,
                                kind=LedgerKind.CONSUMPTION,
                            )
                        return "ok"
                    except DomainError as error:
                        return error.code

                tasks = [asyncio.create_task(consume()) for _ in range(clients)]
                await asyncio.sleep(0)
                start.set()
                results = await asyncio.gather(*tasks)
                assert results.count("ok") == 10
                assert results.count("INSUFFICIENT_STOCK") == clients - 10
                async with factory() as session:
                    assert await ledger.available(session, warehouse_id, part_id) == 0
                    assert await _ledger_mismatches(session) == []
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_a_decrement_below_zero_writes_nothing(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        try:
            warehouse_id, part_id = await _fresh_stock(factory, 3)
            with pytest.raises(DomainError) as raised:
                async with transaction(factory) as session:
                    await ledger.post(
                        session,
                        SYSTEM,
                        warehouse_id=warehouse_id,
                        part_id=part_id,
                        bin_=StockBin.GOOD,
                        delta=-4,
                        kind=LedgerKind.CONSUMPTION,
                    )
            assert raised.value.code == "INSUFFICIENT_STOCK"
            assert raised.value.params == {"available": 3, "wanted": 4}
            async with factory() as session:
                entries = await session.scalar(
                    select(func.count())
                    .select_from(m.StockEntry)
                    .where(m.StockEntry.warehouse_id == warehouse_id)
                )
                assert entries == 1
                assert await ledger.available(session, warehouse_id, part_id) == 3
        finally:
            await engine.dispose()

    asyncio.run(scenario())
