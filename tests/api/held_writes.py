"""A request answered while another transaction's write, held uncommitted, commits under it:
races made certain on PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import GraphQL, make_settings
from tests.e2e.live import http, live_server
from wellspring.domain.db import create_engine, session_factory

WAIT_SECONDS = 30.0  # for the request to reach the held row, on a loaded machine


def race(
    database_url: str,
    gql: GraphQL,
    user: str,
    hold: Callable[[AsyncSession], Awaitable[Any]],
    document: str,
    variables: dict[str, Any],
    during: Callable[[], Awaitable[Any]] | None = None,
    *,
    waits: bool | None = True,
) -> Any:
    """``document``'s answer when ``hold``'s uncommitted write commits under it; ``during``
    runs while the request waits for it. With ``waits=False`` the request must be answered
    while the write is still held (it takes what no one else is taking); with ``waits=None``
    the write commits once the request waits or is answered, so that a request that should
    have waited shows it in its answer rather than as "never waited"."""
    headers = {"Authorization": f"Bearer {gql.token(user)}", "Accept-Language": "en"}
    body = {"query": document, "variables": variables}
    return race_at(database_url, "/graphql", body, headers, hold, during, waits=waits)


def race_at(
    database_url: str,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    hold: Callable[[AsyncSession], Awaitable[Any]],
    during: Callable[[], Awaitable[Any]] | None = None,
    *,
    waits: bool | None = True,
) -> Any:
    """``race`` for any door: ``body`` POSTed to ``path`` (a phone's sync push, say)."""

    async def go(base: str) -> Any:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as holder:
                await holder.begin()
                await hold(holder)
                request = asyncio.ensure_future(
                    asyncio.to_thread(http, "POST", f"{base}{path}", body, headers)
                )
                if waits is False:
                    done, _ = await asyncio.wait({request}, timeout=WAIT_SECONDS / 3)
                    await holder.commit()
                    assert done, "the request waited for the held write"
                    return await request
                await until_waiting(holder, request, or_done=waits is None)
                if during is not None:
                    await during()
                await holder.commit()
                return await request
        finally:
            await engine.dispose()

    with live_server(make_settings(database_url)) as base:
        status, answer = asyncio.run(go(base))
    assert status == 200, answer
    return answer


async def until_waiting(
    holder: AsyncSession, request: asyncio.Future[Any], *, or_done: bool = False
) -> None:
    """Until another backend of this database waits on a lock (the request on the held
    write): a request merely not done yet may not have reached it, on a loaded machine.
    With ``or_done``, a request answered without waiting ends the wait too."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database() AND pid <> pg_backend_pid()"
    )
    fresh = text("SELECT pg_stat_clear_snapshot()")  # a transaction caches what it read
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        if or_done and request.done():
            return
        await holder.execute(fresh)
        if await holder.scalar(waiting):
            return
        assert or_done or not request.done(), "the request did not wait for the held write"
        assert asyncio.get_running_loop().time() < deadline, "the request never waited"
        await asyncio.sleep(0.05)
