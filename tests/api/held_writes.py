"""A request answered while another transaction's write, held uncommitted, commits under it:
races made certain on PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import GraphQL, make_settings
from tests.e2e.live import http, live_server
from wellspring.domain.db import create_engine, session_factory

HOLD_SECONDS = 0.5  # long enough for the request to reach the held row


def race(
    database_url: str,
    gql: GraphQL,
    user: str,
    hold: Callable[[AsyncSession], Awaitable[Any]],
    document: str,
    variables: dict[str, Any],
    during: Callable[[], Awaitable[Any]] | None = None,
) -> Any:
    """``document``'s answer when ``hold``'s uncommitted write commits under it; ``during``
    runs while the request waits for it."""
    headers = {"Authorization": f"Bearer {gql.token(user)}", "Accept-Language": "en"}
    body = {"query": document, "variables": variables}

    async def go(base: str) -> Any:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as holder:
                await holder.begin()
                await hold(holder)
                request = asyncio.ensure_future(
                    asyncio.to_thread(http, "POST", f"{base}/graphql", body, headers)
                )
                await asyncio.sleep(HOLD_SECONDS)
                assert not request.done(), "the request did not wait for the held write"
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
