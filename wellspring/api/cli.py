"""The ``wellspring`` command: serve, worker, migrate, init, demo-data, create-user, import,
export, export-schema, media-cleanup, seal-originals, counts."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import os
import sys
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.models import Branch
from wellspring.domain.models.enums import Role
from wellspring.i18n import EN, message
from wellspring.schema.core.errors import api_field
from wellspring.settings import Settings, domain_config, get_settings

from . import counts_cli, import_cli, report_cli

WORKER_HEALTHCHECK_SECONDS = 60
# An idle connection is closed after this long. uvicorn's own 5 s is shorter than the pause
# between a busy client's requests: a request sent just as the server closed the connection
# failed (bench/day saw such connection errors once engineers synced every 4-6 s per login).
KEEP_ALIVE_SECONDS = 75
EXAMPLE_QUERY = """query Customers {
  customers(first: 5) { totalCount edges { node { name phone branch { name } } } }
}"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wellspring",
        description="Field-service backend for leased water purifiers. Settings come from "
        "WELLSPRING_* environment variables (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API over HTTP (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web processes (uvicorn workers)")
    serve.add_argument(
        "--graceful-seconds",
        type=int,
        default=20,
        help="on SIGTERM, how long open requests and live connections may finish",
    )
    serve.add_argument(
        "--keep-alive-seconds",
        type=int,
        default=KEEP_ALIVE_SECONDS,
        help="how long an idle connection stays open for the client's next request",
    )
    serve.add_argument("--migrate", action="store_true", help="migrate the database first")
    serve.add_argument(
        "--demo-data", action="store_true", help="load demo data first if the database is empty"
    )
    serve.add_argument("--scale", type=int, default=200, help="demo customers (with --demo-data)")

    sub.add_parser("migrate", help="upgrade the database to the newest migration")

    demo = sub.add_parser("demo-data", help="load the deterministic demo data set")
    demo.add_argument("--scale", type=int, default=200, help="number of customers")
    demo.add_argument("--seed", type=int, default=20261123)

    user = sub.add_parser("create-user", help="create a login")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=[r.value.lower() for r in Role])
    user.add_argument("--display-name", default="")
    user.add_argument("--branch", help="branch code, e.g. SH (clerks, sales, engineers)")
    user.add_argument("--agent", help="agent code (agent logins)")
    user.add_argument("--customer", help="customer code (customer logins)")
    user.add_argument("--phone", default="")
    user.add_argument(
        "--password-env",
        default="WELLSPRING_NEW_PASSWORD",
        help="read the password from this environment variable (else prompt)",
    )

    init = sub.add_parser(
        "init", help="first start of an empty database: the HQ office and the first admin"
    )
    init.add_argument("--admin-username", required=True)
    init.add_argument("--display-name", default="")
    init.add_argument(
        "--password-env",
        default="WELLSPRING_NEW_PASSWORD",
        help="read the admin's password from this environment variable (else prompt)",
    )

    worker = sub.add_parser(
        "worker", help="run the notification worker (outbox fan-out, sends, periodic scan)"
    )
    worker.add_argument("--processes", type=int, default=1, help="worker processes to start")
    worker.add_argument(
        "--until-idle", action="store_true", help="stop when nothing is due or leased"
    )

    sub.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    import_cli.add_commands(sub)
    report_cli.add_commands(sub)
    counts_cli.add_commands(sub)

    sub.add_parser(
        "media-cleanup",
        help="delete stored uploads never confirmed (after expiry) and rejected ones",
    )

    seal = sub.add_parser(
        "seal-originals",
        help="copy each file verified before sealed originals (0015y) to its sealed key",
    )
    seal.add_argument("--limit", type=int, default=None, help="at most this many files")

    ping = sub.add_parser("pg-ping", help="exit 0 when a PostgreSQL URL answers")
    ping.add_argument("--url", required=True)
    return parser


def _sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions carrying the domain configuration of the environment's settings."""
    return session_factory(engine, config=domain_config(get_settings()))


async def _is_empty(url: str) -> bool:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            count = (await session.execute(select(func.count()).select_from(Branch))).scalar_one()
            return int(count) == 0
    finally:
        await engine.dispose()


async def _load_demo(url: str, scale: int, seed: int) -> None:
    from wellspring.demo import DEMO_PASSWORD, DEMO_USERNAMES, load_demo_data

    engine = create_engine(url)
    try:
        async with transaction(_sessions(engine)) as session:
            summary = await load_demo_data(session, scale=scale, seed=seed)
    finally:
        await engine.dispose()
    print(f"Demo data loaded: {summary}")
    print(f"Demo logins (password '{DEMO_PASSWORD}'): {', '.join(DEMO_USERNAMES)}")


async def _create_user(url: str, args: argparse.Namespace) -> int:
    from wellspring.domain.users import create_user

    password = os.environ.get(args.password_env) or getpass.getpass("Password: ")
    engine = create_engine(url)
    try:
        async with transaction(_sessions(engine)) as session:
            user = await create_user(
                session,
                SYSTEM,
                username=args.username,
                password=password,
                role=Role(args.role.upper()),
                display_name=args.display_name,
                branch_code=args.branch,
                agent_code=args.agent,
                customer_code=args.customer,
                phone=args.phone,
            )
    except DomainError as error:
        params = {**error.params, "field": api_field(error.field) or ""}
        print(message(error.code, EN, **params), file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(f"Created {user.role.value.lower()} {user.username} ({user.id})")
    return 0


async def _init(url: str, args: argparse.Namespace) -> int:
    from wellspring.domain.masterdata.setup import initialize

    password = os.environ.get(args.password_env) or getpass.getpass("Admin password: ")
    engine = create_engine(url)
    try:
        async with transaction(_sessions(engine)) as session:
            admin = await initialize(
                session,
                admin_username=args.admin_username,
                password=password,
                display_name=args.display_name,
            )
    except DomainError as error:
        params = {**error.params, "field": api_field(error.field) or ""}
        print(message(error.code, EN, **params), file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(f"Initialized: office HQ, warehouse WH-HQ, admin {admin.username} ({admin.id})")
    return 0


async def _media_cleanup(settings: Settings) -> int:
    from wellspring.media.tasks import cleanup_once
    from wellspring.media.wiring import media_config

    config = dataclasses.replace(domain_config(settings), media=media_config(settings))
    engine = create_engine(settings.database_url)
    try:
        result = await cleanup_once(session_factory(engine, config=config))
    finally:
        await engine.dispose()
    print(
        f"Expired {result.expired} unconfirmed uploads; deleted the objects of {result.purged}"
        f" and the spent upload copies of {result.released} verified files."
    )
    return 0


async def _seal_originals(settings: Settings, limit: int | None) -> int:
    from wellspring.media.tasks import seal_originals
    from wellspring.media.wiring import media_config

    config = dataclasses.replace(domain_config(settings), media=media_config(settings))
    engine = create_engine(settings.database_url)
    try:
        result = await seal_originals(session_factory(engine, config=config), limit=limit)
    finally:
        await engine.dispose()
    print(
        f"Sealed {result.sealed} files; left {len(result.changed)} whose upload key holds other"
        f" bytes than those verified and {len(result.missing)} whose upload key is gone."
    )
    for label, ids in (("changed", result.changed), ("missing", result.missing)):
        if ids:
            print(f"{label}: {' '.join(ids)}", file=sys.stderr)
    return 0


async def _pg_ping(url: str) -> bool:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


def _banner(host: str, port: int) -> str:
    from wellspring.demo import DEMO_PASSWORD, DEMO_USERNAMES

    return (
        f"\nWellspring is serving on http://{host}:{port}/graphql\n"
        f"Demo logins (password '{DEMO_PASSWORD}'): {', '.join(DEMO_USERNAMES)}\n"
        "Open the URL in a browser, sign in as 'hotline', and run, for example:\n"
        f"{EXAMPLE_QUERY}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "pg-ping":
        return 0 if asyncio.run(_pg_ping(args.url)) else 1
    if args.command == "export-schema":
        from wellspring.schema import build_schema

        print(str(build_schema()).rstrip())
        return 0

    settings = get_settings()
    url = settings.database_url
    from . import migrations

    if args.command == "migrate":
        migrations.upgrade(url)
        print(f"Database at revision {migrations.head_revision(url)}")
        return 0
    if args.command == "demo-data":
        if not asyncio.run(_is_empty(url)):
            print("The database already holds data; demo data is loaded only into an empty one.")
            return 1
        asyncio.run(_load_demo(url, args.scale, args.seed))
        return 0
    if args.command == "create-user":
        return asyncio.run(_create_user(url, args))
    if args.command == "init":
        return asyncio.run(_init(url, args))
    if args.command == "media-cleanup":
        return asyncio.run(_media_cleanup(settings))
    if args.command == "seal-originals":
        return asyncio.run(_seal_originals(settings, args.limit))
    if args.command == "import":
        return import_cli.run_import_command(url, args)
    if args.command == "export":
        return import_cli.run_export_command(url, args)
    if args.command == "counts":
        return counts_cli.run(url, args)
    if args.command in ("report", "maintenance"):
        return report_cli.run(url, args)
    if args.command == "worker":
        from . import logging_setup, notify_worker

        logging_setup.configure(settings.json_logs)
        if args.processes > 1:
            return notify_worker.run_processes(args.processes, until_idle=args.until_idle)
        asyncio.run(notify_worker.run(settings, until_idle=args.until_idle))
        return 0
    if args.command == "serve":
        import uvicorn

        if args.migrate:
            migrations.upgrade(url)
        if args.demo_data:
            if asyncio.run(_is_empty(url)):
                asyncio.run(_load_demo(url, args.scale, 20261123))
            print(_banner(args.host, args.port))
        uvicorn.run(
            "wellspring.api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_graceful_shutdown=args.graceful_seconds,
            timeout_keep_alive=args.keep_alive_seconds,
            # A worker busy starting (imports, the heap's first collection) on a loaded machine
            # must not be taken for a hung one and killed (uvicorn's default is 5 s).
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            access_log=False,
            log_config=None,
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
