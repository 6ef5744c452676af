"""Models and migrations agree on both databases; the chain upgrades and downgrades cleanly."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wellspring.api import migrations
from wellspring.domain.db import create_engine
from wellspring.domain.models import Base
from wellspring.domain.models.enums import OPEN_JOBS_SQL


async def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: object) -> list[object]:
                context = MigrationContext.configure(
                    sync_conn,  # type: ignore[arg-type]
                    opts={"compare_type": True, "render_as_batch": True},
                )
                return list(compare_metadata(context, Base.metadata))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


def test_autogenerate_finds_no_difference(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    assert asyncio.run(_differences(empty_database_url)) == []


def test_downgrade_to_base_and_up_again(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    migrations.downgrade(empty_database_url, "base")
    migrations.upgrade(empty_database_url)
    assert asyncio.run(_differences(empty_database_url)) == []


def test_the_open_jobs_index_states_the_condition_the_queries_state() -> None:
    """Migration 0015s copies ``OPEN_JOBS_SQL`` (migrations do not import the models); a
    partial index applies only to queries stating its very condition."""
    path = next(Path(__file__).parents[1].glob("migrations/versions/*_0015s_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0015s", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OPEN == OPEN_JOBS_SQL
