"""One small database per test session for the reports (migrated, then the hand-made world)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_database
from tests.reports.world import NOW, World, build
from wellspring.api import migrations
from wellspring.domain.clock import FixedClock
from wellspring.domain.config import DEFAULT_CONFIG, DomainConfig
from wellspring.domain.db import create_engine, session_factory, transaction


async def _build(url: str) -> World:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine, clock=FixedClock(NOW))) as session:
            return await build(session)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def reports_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    url, drop = make_database(tmp_path_factory.mktemp("reports"), "reports")
    try:
        migrations.upgrade(url)
        yield url, asyncio.run(_build(url))
    finally:
        drop()


def read(url: str, work: Any, config: DomainConfig = DEFAULT_CONFIG) -> Any:
    """Run ``work(session)`` on the world's clock (and ``config``), and roll back whatever it
    wrote."""

    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with session_factory(engine, clock=FixedClock(NOW), config=config)() as session:
                try:
                    return await work(session)
                finally:
                    await session.rollback()
        finally:
            await engine.dispose()

    return asyncio.run(go())
