"""Where a SuggestTechnicians request's time goes: cProfile of the app in this thread.

``python -m bench.dispatch --profile N`` calls :func:`profile` after its last timed step.
``TestClient`` runs the app in another thread, out of a profiler's sight; here the app is
called directly (``asgi_calls.Caller``), the same requests one at a time, so the profile
holds the server's work and no HTTP client's.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import logging
import pstats
import secrets
from typing import Any

import httpx

from .asgi_calls import Caller
from .profiles import by_package


def profile(
    url: str, job_ids: list[str], token_of: Any, document: str, limit: int, top: int
) -> str:
    """The ``top`` functions by own time over the requests for ``job_ids`` (each asked once
    unprofiled first, through httpx, to check its answer), as pstats prints them.
    ``token_of(client)`` logs in through ``client``."""
    from wellspring.api.app import create_app
    from wellspring.schema.core.ids import global_id
    from wellspring.settings import Mode, Settings

    settings = Settings(
        database_url=url, mode=Mode.PRODUCTION, secret_key=secrets.token_urlsafe(32), log_json=True
    )
    app = create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    profiler = cProfile.Profile()

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            token = await token_of(client)
            headers = {"authorization": f"Bearer {token}"}
            callers = []
            for job_id in job_ids:
                variables = {"jobId": global_id("Job", job_id), "limit": limit}
                body = {"query": document, "variables": variables}
                answer = (await client.post("/graphql", json=body, headers=headers)).json()
                if answer.get("errors"):
                    raise SystemExit(f"SuggestTechnicians failed: {str(answer)[:2000]}")
                callers.append(Caller(app, "/graphql", json.dumps(body).encode(), token))
            profiler.enable()
            for caller in callers:
                await caller.call()
            profiler.disable()

    asyncio.run(run())
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(by_package(stats, len(job_ids)))
    stats.sort_stats("tottime").print_stats(top)
    # Then the project's own functions, GraphQL's executor and SQLAlchemy's execute, by total.
    ours = "wellspring|graphql/execution|sqlalchemy/(engine|orm/session)"
    stats.sort_stats("cumulative").print_stats(ours, top)
    return out.getvalue()
