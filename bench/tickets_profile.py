"""One Tickets page in process: CPU per request for the GraphQL app and the bare endpoint,
and where GraphQL's time goes (cProfile). ``python -m bench.tickets_profile [--requests N]``.

Uses ``bench/tickets``' database (``--database-url``, default the SQLite file at scale
100,000). One request at a time behind Starlette's ``TestClient``: process CPU time per
request is steady on a shared machine, unlike requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import pstats
import secrets
import time
from typing import Any

import httpx
from starlette.testclient import TestClient

from . import bare_tickets
from .database import default_url, ensure_database, ensure_login
from .profiles import by_package
from .servers import Endpoint
from .tickets_servers import BARE, GRAPHQL, client_post, login


def _cpu_per_request(client: TestClient, token: str, endpoint: Endpoint, n: int) -> float:
    post = client_post(client, token)
    body = endpoint.body(50, None)
    for _ in range(5):
        post(endpoint.path, body)
    started = time.process_time()
    for _ in range(n):
        post(endpoint.path, body)
    return (time.process_time() - started) / n * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tickets_profile")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--top", type=int, default=25, help="functions to print (0: none)")
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime, cumulative")
    parser.add_argument(
        "--profile", choices=(GRAPHQL.name, BARE.name), default=GRAPHQL.name, help="app profiled"
    )
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    ensure_database(url, args.scale)
    credentials = ensure_login(url)
    from wellspring.api.app import create_app
    from wellspring.settings import Mode, Settings

    settings = Settings(
        database_url=url, mode=Mode.PRODUCTION, secret_key=secrets.token_urlsafe(32), log_json=True
    )
    apps = {GRAPHQL.name: create_app(settings), BARE.name: bare_tickets.create_app(settings)}
    logging.getLogger().setLevel(logging.WARNING)
    with TestClient(apps[GRAPHQL.name]) as gql, TestClient(apps[BARE.name]) as bare:
        token = login(client_post(gql, None), *credentials)
        cpu = {
            GRAPHQL.name: _cpu_per_request(gql, token, GRAPHQL, args.requests),
            BARE.name: _cpu_per_request(bare, token, BARE, args.requests),
        }
        print(
            f"CPU per request, in process: graphql {cpu['graphql']:.2f} ms, "
            f"bare {cpu['bare']:.2f} ms, ratio of rates {cpu['bare'] / cpu['graphql']:.2f}"
        )
    if args.top:
        # TestClient runs the app in another thread; the profile runs it in this one.
        endpoint = GRAPHQL if args.profile == GRAPHQL.name else BARE
        app = create_app(settings) if endpoint is GRAPHQL else bare_tickets.create_app(settings)
        logging.getLogger().setLevel(logging.WARNING)
        profile = cProfile.Profile()
        asyncio.run(_profile(app, endpoint, token, args.requests, profile))
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(args.sort)
        out.write(by_package(stats, args.requests))
        stats.print_stats(args.top)
        print(out.getvalue())
    return 0


async def _profile(
    app: Any, endpoint: Endpoint, token: str, n: int, profile: cProfile.Profile
) -> None:
    transport = httpx.ASGITransport(app=app)
    headers = {"authorization": f"Bearer {token}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        for _ in range(5):
            await client.post(endpoint.path, json=endpoint.body(50, None), headers=headers)
        profile.enable()
        for _ in range(n):
            await client.post(endpoint.path, json=endpoint.body(50, None), headers=headers)
        profile.disable()


if __name__ == "__main__":
    raise SystemExit(main())
