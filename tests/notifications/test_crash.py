"""A worker process SIGKILLed at the worst moments loses nothing and duplicates at most once.

The worker runs as a real ``wellspring worker`` process sending to a fake FCM server through
firebase-admin; ``WELLSPRING_NOTIFY_CRASH_AT`` makes it kill itself (a) after its claim
committed and before the send, (b) after the send and before the rows are marked. A third
worker (in the test's process, to save a start-up) finishes. Figures: 0 lost; (a) adds no
duplicate; (b) at most one per message, carrying the same event id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter

from sqlalchemy import select

from tests.notifications.fakes import FakeFcm, serve
from tests.notifications.world import actors, dispatched_job, drain, technician_id, window
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import OutboxStatus, PushPlatform, PushProvider
from wellspring.domain.notifications import inbox
from wellspring.domain.workflow import dispatching
from wellspring.notifications import outbox
from wellspring.notifications.senders.fcm import FcmSender
from wellspring.notifications.worker import Worker, WorkerConfig

JOBS = 3


async def _prepare(url: str, token: str) -> list[str]:
    """Three jobs assigned to tech-sh-1, whose phone has ``token``; returns their ids."""
    engine = create_engine(url)
    factory = session_factory(engine)
    outbox.install(factory)
    try:
        await drain(factory)
        people = await actors(factory)
        tech = await technician_id(factory, "tech-sh-1")
        async with transaction(factory) as s:
            await inbox.register_device(
                s,
                people["tech-sh-1"],
                provider=PushProvider.FCM,
                token=token,
                fid=None,
                app_id="com.wellspring.field",
                platform=PushPlatform.ANDROID,
                locale="zh-CN",
            )
        jobs = []
        for _ in range(JOBS):
            _ticket, job_id = await dispatched_job(factory, people)
            start, end = window(utcnow())
            async with transaction(factory) as s:
                await dispatching.assign_job(
                    s,
                    people["clerk-sh"],
                    job_id=job_id,
                    technician_id=tech,
                    appointment_start=start,
                    appointment_end=end,
                    allow_outside_shift=True,  # the test's window may fall outside the shift
                )
            jobs.append(job_id)
        return jobs
    finally:
        await engine.dispose()


async def _deliveries(url: str, token: str) -> list[m.OutboxMessage]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            rows = await s.execute(select(m.OutboxMessage).where(m.OutboxMessage.channel == "FCM"))
            return [r for r in rows.scalars() if r.payload.get("token") == token]
    finally:
        await engine.dispose()


async def _finish(url: str, endpoint: str) -> None:
    engine = create_engine(url)
    sender = FcmSender(
        project_id="wellspring-test", credentials_file="anonymous", endpoint=endpoint
    )
    config = WorkerConfig(scan_every=None, poll_seconds=0.1, lease=dt.timedelta(seconds=1))
    worker = Worker(session_factory(engine), {"FCM": sender}, config=config)
    try:
        await worker.run(asyncio.Event(), until_idle=True)
    finally:
        await worker.close()
        await engine.dispose()


def _worker(url: str, endpoint: str, crash_at: str | None) -> int:
    env = {
        **os.environ,
        "WELLSPRING_DATABASE_URL": url,
        "WELLSPRING_MODE": "development",
        "WELLSPRING_PUSH_SENDERS": "log,fcm",
        "WELLSPRING_FCM_PROJECT_ID": "wellspring-test",
        "WELLSPRING_FCM_CREDENTIALS": "anonymous",
        "WELLSPRING_FCM_ENDPOINT": endpoint,
        "WELLSPRING_NOTIFY_LEASE_SECONDS": "1",
        "WELLSPRING_NOTIFY_POLL_SECONDS": "0.1",
        "WELLSPRING_NOTIFY_SCAN_MINUTES": "0",
    }
    env.pop("WELLSPRING_NOTIFY_CRASH_AT", None)
    if crash_at:
        env["WELLSPRING_NOTIFY_CRASH_AT"] = crash_at
    command = [sys.executable, "-m", "wellspring.api.cli", "worker", "--until-idle"]
    done = subprocess.run(command, env=env, timeout=90, check=False, capture_output=True)  # noqa: S603
    return done.returncode


def test_sigkill_before_and_after_the_send_loses_nothing(database_url: str) -> None:
    token = f"ok-crash-{uuid.uuid4().hex[:8]}"
    asyncio.run(_prepare(database_url, token))
    fake = FakeFcm()
    with serve(fake) as base:
        endpoint = f"{base}/v1/projects/{{project}}/messages:send"

        def mine() -> list[str]:
            return [r["event_id"] for r in fake.recorder.snapshot() if r["token"] == token]

        assert _worker(database_url, endpoint, "after_claim") == -signal.SIGKILL
        assert mine() == []  # killed after the claim committed, before the send
        assert _worker(database_url, endpoint, "after_send") == -signal.SIGKILL
        sent_before_kill = Counter(mine())
        asyncio.run(_finish(database_url, endpoint))  # the next worker, here in-process
        received = Counter(mine())
    rows = asyncio.run(_deliveries(database_url, token))
    expected = {r.event_id for r in rows}
    assert len(expected) == JOBS
    assert set(received) == expected  # 0 lost
    assert all(r.status is OutboxStatus.DONE for r in rows)
    # (a) cost no duplicate; (b) at most one per message that was in flight, same event id.
    assert sent_before_kill
    assert all(received[e] - 1 <= sent_before_kill[e] <= 1 for e in expected)
    assert max(received.values()) <= 2
