"""The engine's pool: a connection the server closed is replaced at checkout without a ping,
the pool's size comes from the settings (issue 19 §4), and every connection starts with the
planner settings of ``db.POSTGRESQL_SETTINGS`` (issue 19 §3)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from tests.conftest import BACKEND, PG_ADMIN_URL, make_settings, run
from wellspring.api.app import GC_GEN0_THRESHOLD, create_app
from wellspring.domain.db import create_engine
from wellspring.settings import Mode

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's pool")


@postgresql_only
def test_a_pooled_connection_the_server_closed_is_replaced(database_url: str) -> None:
    async def scenario() -> tuple[int, int, list[str]]:
        engine = create_engine(database_url, pool_size=1, max_overflow=0)
        admin = create_engine(PG_ADMIN_URL)
        statements: list[str] = []
        try:
            async with engine.connect() as conn:
                first = int(await conn.scalar(text("SELECT pg_backend_pid()")))
            async with admin.connect() as conn:
                await conn.execute(text(f"SELECT pg_terminate_backend({first})"))
            await asyncio.sleep(0.3)  # the event loop sees the socket close

            async with engine.connect() as conn:
                raw: Any = (await conn.get_raw_connection()).driver_connection
                raw.add_query_logger(lambda q: statements.append(q.query))
                second = int(await conn.scalar(text("SELECT pg_backend_pid()")))
            statements.clear()
            async with engine.connect() as conn:  # the same connection, from the pool
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()
            await admin.dispose()
        return first, second, statements

    first, second, statements = run(scenario())
    assert second != first  # a fresh connection, and no error for the request
    # One transaction, the request's own: the checkout asked nothing of the server
    # (pool_pre_ping wrapped its ";" in a BEGIN and a ROLLBACK of their own).
    assert statements == ["BEGIN;", "ROLLBACK;"]


@postgresql_only
def test_every_connection_plans_without_memoize(database_url: str) -> None:
    """Set at connection start (``db.POSTGRESQL_SETTINGS``): on a page under a LIMIT the
    planner's Memoize expected hits it never had (bench/README.md, "Memoize")."""

    async def setting() -> str:
        engine = create_engine(database_url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as conn:
                return str(await conn.scalar(text("SHOW enable_memoize")))
        finally:
            await engine.dispose()

    assert run(setting()) == "off"


@postgresql_only
def test_the_pool_size_comes_from_the_settings(database_url: str) -> None:
    settings = make_settings(database_url, database_pool_size=3, database_max_overflow=2)
    with TestClient(create_app(settings)) as client:
        pool: Any = client.app.state.engine.sync_engine.pool  # type: ignore[attr-defined]
        assert (pool.size(), pool._max_overflow) == (3, 2)


def test_a_production_process_freezes_its_startup_heap(database_url: str) -> None:
    before = gc.get_threshold()
    settings = make_settings(database_url, mode=Mode.PRODUCTION)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 100_000  # the schema, mappers and modules
        assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
    assert gc.get_freeze_count() == 0  # released when the app stops
    assert gc.get_threshold() == before
