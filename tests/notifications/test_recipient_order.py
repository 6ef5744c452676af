"""A recipient hears what happened in the order it happened, and not what is no longer true.

Rows written together (one transaction, or one fan-out pass) share their time, and deliveries
were told apart by a random id: a customer heard a correction before the appointment it
corrected, and "on the way" after "visit done". Now a delivery carries its event's place in
the order said (``seq, ordinal``) and the worker takes a recipient's next message only once
the one before it is sent; a message about where the engineer is that the job has left behind
is dropped unsent (``routing.CURRENT_WHILE``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select, update

from tests.notifications.world import actors, dispatched_job, drain, technician_id
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import OutboxStatus
from wellspring.domain.notifications import routing
from wellspring.domain.workflow import dispatching, engineer_moves
from wellspring.notifications import outbox
from wellspring.notifications.senders.base import Deadline, Delivery, Outcome
from wellspring.notifications.worker import SUPERSEDED, Worker, WorkerConfig

REPORT = {"fault_symptom": "漏水", "fault_code": "E01", "repair_level": "LEVEL_1"}


class Recording:
    """The SMS port, answering every message sent and keeping them in the order sent."""

    channel = "SMS"
    max_batch = 500

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        self.sent.extend(deliveries)
        return [Outcome.sent() for _ in deliveries]

    async def close(self) -> None:
        return None


def _daytime() -> dt.datetime:
    """The next noon in Shanghai: no customer message waits for the quiet hours to end."""
    local = utcnow().astimezone(routing.SHANGHAI)
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    return (noon if noon > local else noon + dt.timedelta(days=1)).astimezone(dt.UTC)


def _run(database_url: str, story: Any) -> Any:
    async def scenario() -> Any:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        outbox.install(factory)
        try:
            await drain(factory)
            people = await actors(factory)
            _ticket, job_id = await dispatched_job(factory, people)
            await story(factory, people, job_id)
            sender = Recording()
            at = _daytime()
            config = WorkerConfig(scan_every=None, poll_seconds=0.01)
            worker = Worker(factory, {"SMS": sender}, config=config, clock=lambda: at)
            # A guard, not a timing: a worker whose every step fails would loop forever.
            await asyncio.wait_for(worker.run(asyncio.Event(), until_idle=True), 120)
            async with factory() as s:
                rows = (
                    await s.execute(
                        select(m.OutboxMessage).where(
                            m.OutboxMessage.channel == "SMS",
                            m.OutboxMessage.payload["job_id"].as_string() == job_id,
                        )
                    )
                ).scalars()
                return job_id, [d for d in sender.sent if d.job_id == job_id], list(rows)
        finally:
            await engine.dispose()

    return asyncio.run(scenario())


def test_a_correction_reaches_the_customer_after_what_it_corrects(database_url: str) -> None:
    # One assignment and five corrections, the first three in one transaction: the customer
    # hears the windows in the order they were set.
    base = (utcnow() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    starts = [base + dt.timedelta(hours=h) for h in range(6)]

    async def story(factory: Any, people: Any, job_id: str) -> None:
        tech = await technician_id(factory, "tech-sh-1")

        async def assign(s: Any, start: dt.datetime) -> None:
            await dispatching.assign_job(
                s,
                people["clerk-sh"],
                job_id=job_id,
                technician_id=tech,
                appointment_start=start,
                appointment_end=start + dt.timedelta(hours=1),
                allow_outside_shift=True,
            )

        async with transaction(factory) as s:
            for start in starts[:3]:
                await assign(s, start)
        for start in starts[3:]:
            async with transaction(factory) as s:
                await assign(s, start)

    _job, sent, _rows = _run(database_url, story)
    assert [d.kind for d in sent] == ["JOB_ASSIGNED"] + ["JOB_RESCHEDULED"] * 5
    heard = [dt.datetime.fromisoformat(d.params["appointment_start"]) for d in sent]
    assert heard == starts


def test_an_offline_visit_tells_the_customer_only_what_is_still_true(database_url: str) -> None:
    # A phone offline all visit pushes it at once: accepted, on the way, arrived, done.
    async def story(factory: Any, people: Any, job_id: str) -> None:
        tech = await technician_id(factory, "tech-sh-1")
        start = (utcnow() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        async with transaction(factory) as s:
            await dispatching.assign_job(
                s,
                people["clerk-sh"],
                job_id=job_id,
                technician_id=tech,
                appointment_start=start,
                appointment_end=start + dt.timedelta(hours=2),
                allow_outside_shift=True,
            )
        engineer = people["tech-sh-1"]
        async with transaction(factory) as s:
            await engineer_moves.accept_job(s, engineer, job_id=job_id)
            await engineer_moves.start_travel(s, engineer, job_id=job_id)
            await engineer_moves.arrive_on_site(s, engineer, job_id=job_id)
            await engineer_moves.complete_job(s, engineer, job_id=job_id, report=REPORT)

    _job, sent, rows = _run(database_url, story)
    assert [d.kind for d in sent] == ["JOB_ASSIGNED", "JOB_COMPLETED"]
    dropped = {r.kind: r for r in rows if r.kind in routing.CURRENT_WHILE}
    assert set(dropped) == {"ENGINEER_EN_ROUTE", "ENGINEER_ARRIVED"}
    assert all(
        r.status is OutboxStatus.DONE and r.last_error == SUPERSEDED for r in dropped.values()
    )


def test_a_recipients_next_message_waits_for_the_one_before(database_url: str) -> None:
    # Two workers claiming at once, and a message waiting for its retry: neither lets the
    # customer's next message go ahead of it.
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        outbox.install(factory)
        try:
            await drain(factory)
            people = await actors(factory)
            _ticket, job_id = await dispatched_job(factory, people)
            tech = await technician_id(factory, "tech-sh-1")
            base = (utcnow() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
            async with transaction(factory) as s:
                for hour in range(3):
                    start = base + dt.timedelta(hours=hour)
                    await dispatching.assign_job(
                        s,
                        people["clerk-sh"],
                        job_id=job_id,
                        technician_id=tech,
                        appointment_start=start,
                        appointment_end=start + dt.timedelta(hours=1),
                        allow_outside_shift=True,
                    )
            at = _daytime()
            config = WorkerConfig(scan_every=None)
            fanner = Worker(factory, {}, config=config, clock=lambda: at)
            while await fanner.fan_out():
                pass

            async def take(worker: str) -> tuple[list[str], list[m.OutboxMessage]]:
                async with transaction(factory) as s:
                    rows = await outbox.claim(
                        s,
                        worker_id=worker,
                        now=at,
                        lease=dt.timedelta(seconds=60),
                        limit=100,
                        channels=["SMS"],
                        in_order=True,
                    )
                return [r.kind for r in rows if r.payload.get("job_id") == job_id], rows

            first, held = await take("a")
            assert first == ["JOB_ASSIGNED"]
            assert (await take("b"))[0] == []  # another worker: not while "a" holds it
            async with transaction(factory) as s:
                mine = next(r for r in held if r.payload.get("job_id") == job_id)
                later = at + dt.timedelta(minutes=5)
                await outbox.finish(
                    s, mine, status=OutboxStatus.PENDING, now=at, error="x", available_at=later
                )
            assert (await take("b"))[0] == []  # nor past it while it waits for its retry
            async with transaction(factory) as s:
                await s.execute(
                    update(m.OutboxMessage)
                    .where(m.OutboxMessage.id == mine.id)
                    .values(status=OutboxStatus.DONE)
                )
            assert (await take("b"))[0] == ["JOB_RESCHEDULED"]
        finally:
            await engine.dispose()

    asyncio.run(scenario())
