"""Running the notification worker: inside the app (``make run``) or as ``wellspring worker``
processes (as many as needed: the outbox claim never hands a row to two of them)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import signal
import subprocess
import sys
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain import auth, idempotency
from wellspring.domain.actor import SYSTEM
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.reports import planner
from wellspring.domain.tracking import links
from wellspring.media.tasks import cleanup_once
from wellspring.media.wiring import media_config
from wellspring.notifications import bus as live_bus
from wellspring.notifications.config import build_senders, worker_config
from wellspring.notifications.worker import Chore, Worker
from wellspring.settings import Settings, domain_config

log = logging.getLogger("wellspring.notifications")


def chores(factory: async_sessionmaker[AsyncSession], settings: Settings) -> list[Chore]:
    """Periodic work beside the notification scan: expired uploads and orphaned objects, the
    daily maintenance planner, spent tracking links and refresh tokens, expired
    idempotency keys."""

    async def media_cleanup(now: dt.datetime) -> None:
        result = await cleanup_once(factory, now=now)
        if result.expired or result.purged or result.released:
            log.info(
                "media cleanup: %d expired, %d purged, %d released",
                result.expired, result.purged, result.released,
            )  # fmt: skip

    planned_on: list[dt.date] = []  # the day this process last planned

    async def maintenance_plan(now: dt.datetime) -> None:
        # Once a day per process (the planner adds nothing the second time anyway); on
        # PostgreSQL one process at a time, so that two never open the same device's ticket.
        day = now.astimezone(TIME_ZONE).date()
        if planned_on and planned_on[-1] == day:
            return
        async with transaction(factory) as session:
            if not await _exclusive(session, _PLANNER_LOCK):
                return  # another process is planning right now
            result = await planner.plan_maintenance(session, SYSTEM)
        planned_on[:] = [day]
        log.info("maintenance plan: %d due, %d opened", result.due, result.total_opened)

    async def tracking_links(now: dt.datetime) -> None:
        days = settings.tracking_link_retention_days
        if days <= 0:
            return
        async with transaction(factory) as session:
            gone = await links.purge(session, before=now - dt.timedelta(days=days))
        if gone:
            log.info("tracking links: %d past retention deleted", gone)

    async def spent_refresh_tokens(now: dt.datetime) -> None:
        async with transaction(factory) as session:
            gone = await auth.purge_spent_refresh_tokens(session, now=now)
        if gone:
            log.info("spent refresh tokens of ended sessions: %d deleted", gone)

    async def idempotency_keys(now: dt.datetime) -> None:
        # Past their lifetime (the factory's configuration): a call with one runs as new.
        async with transaction(factory) as session:
            gone = await idempotency.purge(session, now=now)
        if gone:
            log.info("idempotency keys: %d past their lifetime deleted", gone)

    return [
        media_cleanup,
        maintenance_plan,
        tracking_links,
        spent_refresh_tokens,
        idempotency_keys,
    ]


_PLANNER_LOCK = 0x5753_504C_414E  # "WSPLAN": the planner's advisory lock


async def _exclusive(session: AsyncSession, key: int) -> bool:
    """A transaction-scoped lock on PostgreSQL (taken or not, never waited for); SQLite has
    one writer at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    query = text("SELECT pg_try_advisory_xact_lock(:key)")
    return bool((await session.execute(query, {"key": key})).scalar_one())


@contextlib.asynccontextmanager
async def in_app(
    settings: Settings, factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Worker | None]:
    """A worker task beside the web app while it serves, when the settings ask for one."""
    if not settings.notify_worker_in_app:
        yield None
        return
    worker = Worker(
        factory,
        build_senders(settings),
        config=worker_config(settings),
        chores=chores(factory, settings),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="notification-worker")
    try:
        yield worker
    finally:
        stop.set()
        await task
        await worker.close()


async def run(settings: Settings, *, until_idle: bool = False) -> None:
    """One worker loop in this process, until SIGTERM/SIGINT (or idle, with ``until_idle``)."""
    engine = create_engine(settings.database_url, pool_size=2)
    # The app's configuration (media store, evidence delay) for the scan and the chores.
    config = dataclasses.replace(domain_config(settings), media=media_config(settings))
    factory = session_factory(engine, config=config)
    # What this process commits (the periodic scan's facts) reaches the web processes'
    # subscribers through Redis; without Redis there is nobody to tell in another process.
    bus = live_bus.build_bus(settings.redis_url, settings.redis_channel_prefix, listen=False)
    if settings.redis_url:
        live_bus.install(factory, bus)
        await bus.start()
    worker = Worker(
        factory,
        build_senders(settings),
        config=worker_config(settings),
        chores=chores(factory, settings),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("notification worker %s started", worker.worker_id)
    try:
        await worker.run(stop, until_idle=until_idle)
    finally:
        await worker.close()
        if settings.redis_url:
            await bus.close()
        await engine.dispose()


def run_processes(count: int, *, until_idle: bool) -> int:
    """``count`` worker processes (each ``wellspring worker``); waits for them all."""
    args = [sys.executable, "-m", "wellspring.api.cli", "worker"]
    if until_idle:
        args.append("--until-idle")
    children = [subprocess.Popen(args) for _ in range(count)]  # noqa: S603 - our own command
    try:
        return max(child.wait() for child in children)
    except KeyboardInterrupt:
        for child in children:
            child.terminate()
        return max(child.wait() for child in children)
