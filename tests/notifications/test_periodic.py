"""The periodic step: overdue tickets and overdue evidence told to the branch's clerks (once
a day however often it runs), the outbox's retention, and the chores run beside it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, update

from tests.notifications.world import actors, dispatched_job, drain
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import EvidenceStatus, OutboxStatus
from wellspring.notifications import outbox
from wellspring.notifications.worker import Worker, WorkerConfig


async def _rows(factory: Any, kind: str, object_id: str) -> list[m.OutboxMessage]:
    async with factory() as session:
        found = await session.scalars(
            select(m.OutboxMessage).where(
                m.OutboxMessage.kind == kind, m.OutboxMessage.channel == outbox.FANOUT
            )
        )
        return [
            r for r in found if object_id in (r.payload.get("ticket_id"), r.payload.get("job_id"))
        ]


async def _inbox_kinds(factory: Any, user_id: str, ticket_id: str, job_id: str) -> set[str]:
    """What ``user_id`` was told about this ticket or its job (the demo's own tickets fall
    due too, at their branches' hours, while the suite runs)."""
    about = (m.Notification.ticket_id == ticket_id) | (m.Notification.job_id == job_id)
    async with factory() as session:
        kinds = await session.scalars(
            select(m.Notification.kind).where(m.Notification.user_id == user_id, about)
        )
        return set(kinds)


def test_overdue_tickets_and_evidence_reach_the_clerks_once_a_day(database_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        outbox.install(factory)
        worker = Worker(factory, {}, config=WorkerConfig(retention=None))
        try:
            await drain(factory)
            people = await actors(factory)
            ticket_id, job_id = await dispatched_job(factory, people)
            now = utcnow()
            async with transaction(factory) as session:
                await session.execute(
                    update(m.Ticket)
                    .where(m.Ticket.id == ticket_id)
                    .values(due_at=now - dt.timedelta(hours=3))
                )
                await session.execute(
                    update(m.Job)
                    .where(m.Job.id == job_id)
                    .values(
                        evidence=EvidenceStatus.PENDING, completed_at=now - dt.timedelta(days=2)
                    )
                )
            try:
                await worker.periodic()
                await worker.periodic()  # the same day again: nothing new
                late = await _rows(factory, "TICKET_OVERDUE", ticket_id)
                missing = await _rows(factory, "EVIDENCE_OVERDUE", job_id)
                assert (len(late), len(missing)) == (1, 1)
                assert missing[0].payload["job_id"] == job_id
                while await worker.run_once():
                    pass
                told = await _inbox_kinds(factory, people["clerk-sh"].user_id, ticket_id, job_id)
                assert {"TICKET_OVERDUE", "EVIDENCE_OVERDUE"} <= told
                other = await _inbox_kinds(factory, people["clerk-bj"].user_id, ticket_id, job_id)
                assert not {"TICKET_OVERDUE", "EVIDENCE_OVERDUE"} & other
            finally:
                async with transaction(factory) as session:  # others' lists stay as they were
                    await session.execute(
                        update(m.Job)
                        .where(m.Job.id == job_id)
                        .values(evidence=None, completed_at=None)
                    )
                await drain(factory)
        finally:
            await worker.close()
            await engine.dispose()

    asyncio.run(scenario())


def test_retention_deletes_old_done_rows_only_and_a_failing_chore_stops_no_other(
    database_url: str,
) -> None:
    ran: list[str] = []

    async def broken(_now: dt.datetime) -> None:
        raise RuntimeError("a store away")

    async def fine(_now: dt.datetime) -> None:
        ran.append("fine")

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        keep = dt.timedelta(days=30)
        worker = Worker(factory, {}, config=WorkerConfig(retention=keep), chores=[broken, fine])
        now = utcnow()
        marker = f"retention-{uuid.uuid4().hex[:8]}"
        cases = {
            "old-done": (OutboxStatus.DONE, now - keep - dt.timedelta(days=1)),
            "new-done": (OutboxStatus.DONE, now - dt.timedelta(days=1)),
            "old-dead": (OutboxStatus.DEAD, now - keep - dt.timedelta(days=1)),
        }
        try:
            async with transaction(factory) as session:
                for name, (status, done) in cases.items():
                    session.add(
                        m.OutboxMessage(
                            event_id=f"{marker}-{name}",
                            kind="LOW_SCORE",
                            channel="LOG",
                            recipient=name,
                            payload={},
                            status=status,
                            done_at=done,
                        )
                    )
            await worker.periodic()
            await worker.periodic()  # idempotent: nothing more to delete
            async with factory() as session:
                left = await session.scalars(
                    select(m.OutboxMessage.recipient).where(
                        m.OutboxMessage.event_id.like(f"{marker}-%")
                    )
                )
                assert sorted(left) == ["new-done", "old-dead"]
                old = await session.scalar(
                    select(func.count())
                    .select_from(m.OutboxMessage)
                    .where(
                        m.OutboxMessage.status == OutboxStatus.DONE,
                        m.OutboxMessage.done_at < now - keep,
                    )
                )
                assert old == 0
            assert ran == ["fine", "fine"]
        finally:
            await worker.close()
            await engine.dispose()

    asyncio.run(scenario())
