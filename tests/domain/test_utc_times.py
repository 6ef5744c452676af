"""Times are stored in UTC and read back aware on both engines. On PostgreSQL the driver's own
reading is kept (``UTCDateTime.result_processor``): that holds only while every such column is
a ``timestamp with time zone``, which this checks in the migrated database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.conftest import BACKEND, run
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models.base import Base, UTCDateTime
from wellspring.domain.models.enums import BranchKind

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_a_time_comes_back_aware_in_utc(database_url: str) -> None:
    given = dt.datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=SHANGHAI)

    async def scenario() -> tuple[Any, Any]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                branch = m.Branch(code="UTC-TIMES", name="UTC", kind=BranchKind.OFFICE)
                branch.created_at = given
                session.add(branch)
                await session.flush()
                session.expunge_all()
                read = await session.scalar(
                    select(m.Branch.created_at).where(m.Branch.id == branch.id)
                )
                await session.rollback()
                return read, branch.id
        finally:
            await engine.dispose()

    read, _ = run(scenario())
    assert read == given
    assert read.utcoffset() == dt.timedelta(0)


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite has no zoned type")
def test_every_utc_column_is_a_zoned_timestamp(database_url: str) -> None:
    columns = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
    }
    assert ("tickets", "created_at") in columns

    async def types() -> dict[tuple[str, str], str]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text(
                        "SELECT table_name, column_name, data_type "
                        "FROM information_schema.columns WHERE table_schema = 'public'"
                    )
                )
                return {(t, c): kind for t, c, kind in rows.all()}
        finally:
            await engine.dispose()

    found = run(types())
    zoned = "timestamp with time zone"
    assert {key: found.get(key) for key in columns if found.get(key) != zoned} == {}
