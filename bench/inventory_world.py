"""``bench.inventory``'s database: a part stocked in fresh warehouses, the invariant checked
after every slice (balances equal the ledger, nothing lost or made), and the statements of
one consumption."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from wellspring.api import migrations
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import LedgerKind, StockBin, WarehouseKind

from .database import _create_postgres_database, backend
from .inventory_clients import consume

# Far more than any run can consume (a few thousand per second for seconds), so a failed
# consumption is always an error of the system, never an empty shelf.
INITIAL_STOCK = 10_000_000


async def new_part(factory: async_sessionmaker[AsyncSession]) -> str:
    """A part of its own for this benchmark run, so no other data is touched or needed."""
    async with transaction(factory) as session:
        part = m.Part(sku=f"BENCH-{uuid.uuid4().hex[:12]}", name="Benchmark part")
        session.add(part)
        await session.flush()
        return part.id


async def stocked_warehouses(
    factory: async_sessionmaker[AsyncSession], part_id: str, count: int
) -> list[str]:
    """``count`` new warehouses, each receiving ``INITIAL_STOCK`` of the part."""
    async with transaction(factory) as session:
        warehouses = [
            m.Warehouse(
                code=f"BENCH-{uuid.uuid4().hex[:12]}",
                name="Benchmark",
                kind=WarehouseKind.REPAIR_STATION,
            )
            for _ in range(count)
        ]
        session.add_all(warehouses)
        await session.flush()
        for warehouse in warehouses:
            await ledger.post(
                session,
                SYSTEM,
                warehouse_id=warehouse.id,
                part_id=part_id,
                bin_=StockBin.GOOD,
                delta=INITIAL_STOCK,
                kind=LedgerKind.RECEIPT,
                note="bench.inventory",
            )
        return [w.id for w in warehouses]


@dataclass
class Invariant:
    balances: int
    held: bool
    problems: list[str] = field(default_factory=list)


async def check_invariant(
    factory: async_sessionmaker[AsyncSession], part_id: str, warehouse_ids: list[str], used: int
) -> Invariant:
    """Each balance equals the sum of its ledger, is >= 0, and lost exactly ``used`` units."""
    entries = (
        select(m.StockEntry.warehouse_id, func.sum(m.StockEntry.delta).label("total"))
        .where(
            m.StockEntry.part_id == part_id,
            m.StockEntry.bin == StockBin.GOOD,
            m.StockEntry.warehouse_id.in_(warehouse_ids),
        )
        .group_by(m.StockEntry.warehouse_id)
        .subquery()
    )
    async with factory() as session:
        rows = (
            await session.execute(
                select(m.StockBalance.warehouse_id, m.StockBalance.quantity, entries.c.total)
                .outerjoin(entries, entries.c.warehouse_id == m.StockBalance.warehouse_id)
                .where(
                    m.StockBalance.part_id == part_id,
                    m.StockBalance.bin == StockBin.GOOD,
                    m.StockBalance.warehouse_id.in_(warehouse_ids),
                )
            )
        ).all()
    problems: list[str] = []
    if len(rows) != len(set(warehouse_ids)):
        problems.append(f"{len(rows)} balances found for {len(set(warehouse_ids))} warehouses")
    for row in rows:
        if row.quantity != (row.total or 0):
            problems.append(f"{row.warehouse_id}: balance {row.quantity} != ledger {row.total}")
        if row.quantity < 0:
            problems.append(f"{row.warehouse_id}: balance {row.quantity} < 0")
    consumed = len(rows) * INITIAL_STOCK - sum(row.quantity for row in rows)
    if consumed != used:
        problems.append(f"{consumed} units consumed but {used} consumptions succeeded")
    return Invariant(balances=len(rows), held=not problems, problems=problems)


async def statements_per_consumption(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], part_id: str, warehouse: str
) -> list[str]:
    """The statements of one (untimed) consumption, as SQLAlchemy sends them to the driver.

    Neither the pool's ping nor asyncpg's BEGIN and COMMIT pass through here; SQLite's
    ``BEGIN IMMEDIATE`` does.
    """
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await consume(factory, part_id, warehouse)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def prepare(url: str, part_id: str, workload: str, clients: int) -> list[str]:
    """Per client, the warehouse it consumes from: one for all, or one each."""
    engine = create_engine(url)
    try:
        fresh = 1 if workload == "contended" else clients
        warehouses = await stocked_warehouses(session_factory(engine), part_id, fresh)
    finally:
        await engine.dispose()
    return warehouses * clients if workload == "contended" else warehouses


async def verify(url: str, part_id: str, warehouse_ids: list[str], used: int) -> Invariant:
    engine = create_engine(url)
    try:
        return await check_invariant(session_factory(engine), part_id, warehouse_ids, used)
    finally:
        await engine.dispose()


async def setup(url: str) -> tuple[str, list[str], str]:
    """The run's part, the statements of one consumption, and the server's version."""
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        part_id = await new_part(factory)
        [warehouse] = await stocked_warehouses(factory, part_id, 1)
        statements = await statements_per_consumption(engine, factory, part_id, warehouse)
        async with engine.connect() as conn:
            query = "SELECT sqlite_version()" if backend(url) == "sqlite" else "SHOW server_version"
            version = str(await conn.scalar(text(query)))
    finally:
        await engine.dispose()
    return part_id, statements, version


def ensure_database(url: str) -> None:
    """Create (PostgreSQL) and migrate the database; the benchmark adds its own rows."""
    if backend(url) == "postgresql":
        asyncio.run(_create_postgres_database(url))
    migrations.upgrade(url)
