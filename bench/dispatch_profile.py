"""Where a SuggestTechnicians request's time goes: cProfile of the app in this thread.

``python -m bench.dispatch --profile N`` calls :func:`profile` after its last timed step.
``TestClient`` runs the app in another thread, out of a profiler's sight; here httpx's ASGI
transport runs it in this one, the same requests one at a time.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import logging
import pstats
import secrets
from typing import Any

import httpx

from .profiles import by_package


def profile(
    url: str, job_ids: list[str], token_of: Any, document: str, limit: int, top: int
) -> str:
    """The ``top`` functions by own time over the requests for ``job_ids`` (after five
    unprofiled ones), as pstats prints them. ``token_of(client)`` logs in through ``client``."""
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

            async def ask(job_id: str) -> None:
                variables = {"jobId": global_id("Job", job_id), "limit": limit}
                body = {"query": document, "variables": variables}
                answer = (await client.post("/graphql", json=body, headers=headers)).json()
                if answer.get("errors"):
                    raise SystemExit(f"SuggestTechnicians failed: {str(answer)[:2000]}")

            for job_id in job_ids[:5]:
                await ask(job_id)
            profiler.enable()
            for job_id in job_ids:
                await ask(job_id)
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
