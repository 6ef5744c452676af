"""Running Alembic from the application (``wellspring migrate``, ``serve --migrate``, /readyz)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from wellspring.domain import versioning
from wellspring.domain.db import create_engine, session_factory, transaction

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate, then re-base the change versions (a no-op except after a restore into another
    PostgreSQL cluster: see ``domain.versioning.rebase``)."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head" and database_url.startswith("postgresql"):
        asyncio.run(_rebase(database_url))


async def _rebase(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            await versioning.rebase(session)
    finally:
        await engine.dispose()


def downgrade(database_url: str, revision: str) -> None:
    """Step back to a revision (``base`` removes every table)."""
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        try:
            row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
        except Exception:  # no table yet: never migrated
            return None
    return None if row is None else str(row[0])
