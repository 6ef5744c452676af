"""Outbox throughput: deliveries per second through the log sender and through a fake FCM
server (firebase-admin's ``send_each`` over HTTP), at 1 and 2 ``wellspring worker`` processes,
on PostgreSQL; and live updates' latency from a commit to a subscriber's stream (p50/p99), in
process and through Redis.

A fresh database gets ``--rows`` deliveries already fanned out (the send path: claim, send,
mark); each worker process runs until nothing is due. The rate is taken from the rows' own
``done_at`` stamps (first to last), so process start-up is not counted. Run from the root:

    python -m bench.notifications [--rows 3000] [--admin-url postgresql+asyncpg://...]
                                  [--latency-samples 300] [--redis redis://127.0.0.1:6379/0]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from sqlalchemy import func, select, text

from tests.notifications.fakes import FakeFcm, serve
from wellspring.api import migrations
from wellspring.domain import events
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import OutboxStatus, Role
from wellspring.domain.notifications.live import Audience, Watch
from wellspring.notifications import bus as live_bus
from wellspring.notifications import live, outbox

ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def _admin(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _fill(url: str, channel: str, rows: int) -> None:
    engine = create_engine(url)
    factory = session_factory(engine)
    now = utcnow()
    try:
        async with transaction(factory) as s:
            await s.execute(text("DELETE FROM outbox_messages"))
            for start in range(0, rows, 1000):
                batch: list[dict[str, Any]] = [
                    {
                        "id": str(uuid.uuid4()),
                        "event_id": str(uuid.uuid4()),
                        "kind": "JOB_ASSIGNED",
                        "channel": channel,
                        "recipient": f"device-{i}",
                        "payload": {
                            "event_id": f"e{i}",
                            "kind": "JOB_ASSIGNED",
                            "title": "新派工单 J2026120300001",
                            "body": "派工单 J2026120300001 已派给您，预约 12-04 09:00–11:00。",
                            "token": f"ok-{i}",
                            "token_kind": "TOKEN",
                        },
                        "available_at": now,
                        "created_at": now,
                    }
                    for i in range(start, min(start + 1000, rows))
                ]
                await s.execute(outbox.insert_ignoring_duplicates(s), batch)
    finally:
        await engine.dispose()


async def _rate(url: str) -> tuple[int, float]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            done, first, last = (
                await s.execute(
                    select(
                        func.count(),
                        func.min(m.OutboxMessage.done_at),
                        func.max(m.OutboxMessage.done_at),
                    ).where(m.OutboxMessage.status == OutboxStatus.DONE)
                )
            ).one()
        seconds = (last - first).total_seconds() if first and last else 0.0
        return int(done), seconds
    finally:
        await engine.dispose()


def _workers(url: str, count: int, endpoint: str, senders: str) -> float:
    env = {
        **os.environ,
        "WELLSPRING_DATABASE_URL": url,
        "WELLSPRING_MODE": "production",
        "WELLSPRING_SECRET_KEY": "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "WELLSPRING_PUSH_SENDERS": senders,
        "WELLSPRING_FCM_PROJECT_ID": "bench",
        "WELLSPRING_FCM_CREDENTIALS": "anonymous",
        "WELLSPRING_FCM_ENDPOINT": endpoint,
        "WELLSPRING_NOTIFY_SCAN_MINUTES": "0",
        "WELLSPRING_NOTIFY_POLL_SECONDS": "0.2",
    }
    command = [sys.executable, "-m", "wellspring.api.cli", "worker", "--until-idle"]
    started = time.perf_counter()
    children = [subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL) for _ in range(count)]
    for child in children:
        child.wait(timeout=600)
    return time.perf_counter() - started


async def _latency(url: str, redis_url: str, samples: int) -> list[float]:
    """Seconds from just before ``commit()`` to the event leaving a subscriber's stream (the
    outbox rows, the after-commit publish, the bus, the watch's gates)."""
    engine = create_engine(url)
    factory = session_factory(engine)
    bus = live_bus.build_bus(redis_url, f"bench-{uuid.uuid4().hex[:8]}:")
    live_bus.install(factory, bus)
    await bus.start()
    tech = str(uuid.uuid4())
    watch = Watch(
        Audience.MY_JOBS, Actor(user_id="u", username="b", role=Role.TECHNICIAN, technician_id=tech)
    )
    stream = live.stream(factory, bus, watch, None)
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.2)
    times: list[float] = []
    try:
        for _ in range(samples):
            async with factory() as session:
                events.emit(
                    session,
                    events.DomainEvent(
                        kind=events.EventKind.JOB_REASSIGNED_AWAY,
                        technician_id=tech,
                        job_id=str(uuid.uuid4()),
                        data={"number": "J-bench"},
                    ),
                )
                started = time.perf_counter()
                await session.commit()
            await waiting
            times.append(time.perf_counter() - started)
            waiting = asyncio.ensure_future(anext(stream))
        waiting.cancel()
    finally:
        await stream.aclose()
        await bus.close()
        await engine.dispose()
    return sorted(times)


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--latency-samples", type=int, default=300)
    parser.add_argument("--latency-only", action="store_true")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--admin-url", default=os.environ.get("WELLSPRING_TEST_PG_ADMIN_URL", ADMIN)
    )
    args = parser.parse_args()
    name = f"ws_bench_notify_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(args.admin_url, f'CREATE DATABASE "{name}"'))
    url = f"{args.admin_url.rsplit('/', 1)[0]}/{name}"
    fake = FakeFcm()
    try:
        migrations.upgrade(url)
        print(f"live updates: commit -> subscriber, {args.latency_samples} events")
        print(f"{'bus':<10} {'p50 ms':>7} {'p99 ms':>7}")
        for label, redis_url in (("in-process", ""), ("redis", args.redis)):
            times = asyncio.run(_latency(url, redis_url, args.latency_samples))
            p50, p99 = _quantile(times, 0.5) * 1000, _quantile(times, 0.99) * 1000
            print(f"{label:<10} {p50:>7.1f} {p99:>7.1f}")
        if args.latency_only:
            return 0
        print(f"outbox throughput on PostgreSQL, {args.rows} deliveries per run, batch 100")
        print(f"{'sender':<6} {'workers':>7} {'deliveries/s':>13} {'wall s':>7}")
        with serve(fake) as base:
            endpoint = f"{base}/v1/projects/{{project}}/messages:send"
            for channel, senders in (("LOG", "log"), ("FCM", "log,fcm")):
                for count in (1, 2):
                    asyncio.run(_fill(url, channel, args.rows))
                    wall = _workers(url, count, endpoint, senders)
                    done, seconds = asyncio.run(_rate(url))
                    rate = done / seconds if seconds else float("nan")
                    print(f"{channel:<6} {count:>7} {rate:>13.0f} {wall:>7.1f}")
                    if done != args.rows:
                        print(f"  only {done} of {args.rows} delivered", file=sys.stderr)
        print(f"fake FCM received {len(fake.recorder.snapshot())} messages")
    finally:
        asyncio.run(_admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
