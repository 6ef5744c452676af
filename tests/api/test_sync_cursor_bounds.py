"""A phone's cursor above the watermark of the moment but not above every version (PostgreSQL).

The watermark a pull hands out errs low, never high: a transaction of another database that
ends between its snapshot and its read of ``pg_stat_activity`` cannot be placed and holds it
back for that instant, so a phone can come back with a cursor above the one the server would
hand out now (``versioning.highest_version``; seen in the suite when both engines' halves ran
side by side). Such a cursor is taken at both doors; only one above every version stamped is
``CURSOR_AHEAD`` (the database was restored or replaced). Here a transaction of this database
holds the watermark back instead: it has an id and writes nothing.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text

from tests.conftest import BACKEND, GraphQL
from tests.sync_phone import Phone
from wellspring.domain import versioning
from wellspring.domain.db import create_engine, session_factory

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="transaction ids: PostgreSQL")


async def _hold(url: str, ready: threading.Event, done: threading.Event) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT pg_current_xact_id()"))
            ready.set()
            await asyncio.to_thread(done.wait, 60)
            await held.rollback()
    finally:
        await engine.dispose()


async def _bounds(url: str) -> tuple[int, int]:
    """The watermark and the highest version, after one more transaction took an id."""
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        async with factory() as later:
            await later.execute(text("SELECT pg_current_xact_id()"))
            await later.commit()
        async with factory() as reader:
            return (
                await versioning.current_version(reader),
                await versioning.highest_version(reader),
            )
    finally:
        await engine.dispose()


def test_a_cursor_above_the_moments_watermark_is_taken_at_both_doors(
    gql: GraphQL, database_url: str
) -> None:
    phone = Phone(gql.client, gql.token("tech-sh-1"))
    phone.pull()
    ready, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=lambda: asyncio.run(_hold(database_url, ready, done)))
    holder.start()
    try:
        assert ready.wait(30)
        watermark, highest = asyncio.run(_bounds(database_url))
        assert watermark < highest
        phone.cursor = highest
        assert phone.push() == {"experimentalRejectedIds": {}, "rejected": {}, "conflicts": {}}
        pulled = phone.pull_raw(highest)
        assert pulled.status_code == 200, pulled.text
        assert pulled.json()["timestamp"] == highest  # the phone keeps its place
        beyond = phone.pull_raw(highest + 10**9)
        assert beyond.status_code == 400
        assert beyond.json()["error"]["code"] == "CURSOR_AHEAD"
    finally:
        done.set()
        holder.join(60)
