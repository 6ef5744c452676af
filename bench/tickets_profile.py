"""One Tickets page in process: CPU per request for the GraphQL app and the bare endpoint,
and where GraphQL's time goes (cProfile). ``python -m bench.tickets_profile``.

Uses ``bench/tickets``' database (``--database-url``, default the SQLite file at scale
100,000). Both apps run in this process on one uvloop event loop, as uvicorn runs them, and
are called directly (``bench/asgi_calls.py``): no client's CPU is counted. Each concurrency
in ``--concurrency`` is measured in ``--rounds`` alternating turns and the medians printed;
process CPU per request is steady on a shared machine, unlike requests per second. At 8
requests in flight the ratio reads as the HTTP bench's does (bench/README.md, "The ratio in
process"), in a fifth of its time.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import logging
import os
import pstats
import secrets
import statistics

import uvloop
from starlette.applications import Starlette
from starlette.testclient import TestClient

from wellspring.settings import Mode, Settings

from . import bare_tickets
from .asgi_calls import Caller
from .database import default_url, ensure_database, ensure_login
from .profiles import by_package
from .tickets_servers import BARE, GRAPHQL, client_post, login


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.tickets_profile")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=800, help="per turn and app")
    parser.add_argument("--concurrency", default="1,8", help="requests in flight, e.g. 1,8")
    parser.add_argument("--rounds", type=int, default=4, help="alternating turns")
    parser.add_argument("--top", type=int, default=0, help="functions to print (0: no profile)")
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime, cumulative")
    parser.add_argument(
        "--profile", choices=(GRAPHQL.name, BARE.name), default=GRAPHQL.name, help="app profiled"
    )
    return parser


async def _measure(callers: dict[str, Caller], levels: list[int], rounds: int, n: int) -> None:
    for level in levels:
        spent: dict[str, list[float]] = {name: [] for name in callers}
        for i in range(rounds):
            turn = list(callers.items())
            for name, caller in turn if i % 2 == 0 else turn[::-1]:
                spent[name].append(await caller.cpu_per_request(level, n))
        graphql, bare = (statistics.median(spent[k]) for k in (GRAPHQL.name, BARE.name))
        print(
            f"{level} in flight: CPU per request graphql {graphql:.3f} ms, bare {bare:.3f} ms, "
            f"ratio of rates {bare / graphql:.3f} "
            f"(turns {', '.join(f'{b / g:.3f}' for g, b in zip(*spent.values(), strict=True))})"
        )


async def _run(args: argparse.Namespace, apps: dict[str, Starlette], token: str) -> None:
    callers = {
        e.name: Caller(apps[e.name], e.path, json.dumps(e.body(50, None)).encode(), token)
        for e in (GRAPHQL, BARE)
    }
    async with contextlib.AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        levels = [int(x) for x in args.concurrency.split(",")]
        await _measure(callers, levels, args.rounds, args.requests)
        if args.top:
            caller = callers[args.profile]
            # Wall time, one request at a time: the waits for the database count too (under
            # starlette's frames); a CPU timer would cost a system call for every call profiled.
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                await caller.call()
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats(args.sort)
            out.write(by_package(stats, args.requests))
            stats.print_stats(args.top)
            print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.requests < 1 or not 1 <= args.rounds <= 50:
        raise SystemExit("--requests must be at least 1 and --rounds 1 to 50")
    url = args.database_url or default_url(args.scale)
    ensure_database(url, args.scale)
    credentials = ensure_login(url)
    from wellspring.api.app import create_app

    settings = Settings(
        database_url=url, mode=Mode.PRODUCTION, secret_key=secrets.token_urlsafe(32), log_json=True
    )
    with TestClient(create_app(settings)) as client:
        token = login(client_post(client, None), *credentials)
    apps = {GRAPHQL.name: create_app(settings), BARE.name: bare_tickets.create_app(settings)}
    # The access log is written as in production, to a sink: its cost is GraphQL's.
    with open(os.devnull, "w") as sink:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.get_name() == "wellspring":
                handler.setStream(sink)
        uvloop.run(_run(args, apps, token))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
