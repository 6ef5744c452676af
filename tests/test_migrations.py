"""Models and migrations agree on both databases; the chain upgrades and downgrades cleanly."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wellspring.api import migrations
from wellspring.domain.db import create_engine
from wellspring.domain.models import Base


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
