"""A job to notify about, in the shared test database, and an outbox emptied of what other
tests left (their events are theirs; a worker here would otherwise send them too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.domain.test_workflow_rules import _actors, _fresh_ticket
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import transaction
from wellspring.domain.models.enums import OutboxStatus
from wellspring.domain.workflow import dispatching


async def drain(factory: async_sessionmaker[AsyncSession]) -> None:
    async with transaction(factory) as session:
        await session.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.LEASED]))
            .values(status=OutboxStatus.DONE, last_error="drained by a test")
        )


async def actors(factory: async_sessionmaker[AsyncSession]) -> dict[str, Actor]:
    async with factory() as session:
        return await _actors(session)


async def technician_id(factory: async_sessionmaker[AsyncSession], username: str) -> str:
    async with factory() as session:
        return (
            await session.execute(
                select(m.Technician.id)
                .join(m.User, m.User.id == m.Technician.user_id)
                .where(m.User.username == username)
            )
        ).scalar_one()


async def dispatched_job(
    factory: async_sessionmaker[AsyncSession], people: dict[str, Actor]
) -> tuple[str, str]:
    """A fresh repair ticket, approved and dispatched to Shanghai: (ticket id, job id)."""
    ticket_id = await _fresh_ticket(factory, people)
    async with transaction(factory) as session:
        clerk = people["clerk-sh"]
        await dispatching.approve_ticket(session, clerk, ticket_id=ticket_id)
        ticket = await session.get(m.Ticket, ticket_id)
        branch: Any = ticket.branch_id if ticket else None
        _, job = await dispatching.dispatch_ticket(
            session, clerk, ticket_id=ticket_id, branch_id=branch
        )
        return ticket_id, job.id


def window(now: dt.datetime, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    start = (now + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(hours=2)
