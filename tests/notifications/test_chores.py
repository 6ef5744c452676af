"""The worker's periodic chores beside the scan (``api/notify_worker.chores``): the daily
maintenance planner (once a day, nothing twice), tracking links past their retention, the
spent refresh tokens of ended sessions, and idempotency keys past their lifetime."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.conftest import make_database, make_settings
from tests.factories import unique
from tests.reports.world import NOW, build
from wellspring.api import migrations
from wellspring.api.notify_worker import chores
from wellspring.domain import models as m
from wellspring.domain.clock import FixedClock
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import TicketType
from wellspring.domain.tracking import links


def _chore(work: list[Any], name: str) -> Any:
    return next(c for c in work if c.__name__ == name)


@pytest.fixture
def planner_world(tmp_path: Any) -> Iterator[str]:
    """The reports' hand-made world in a database of its own (the planner writes to it)."""
    url, drop = make_database(tmp_path, "chores")

    async def seed() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine, clock=FixedClock(NOW))) as session:
                await build(session)
        finally:
            await engine.dispose()

    try:
        migrations.upgrade(url)
        asyncio.run(seed())
        yield url
    finally:
        drop()


def test_the_planner_runs_once_a_day_and_never_opens_a_ticket_twice(planner_world: str) -> None:
    url = planner_world

    async def scenario() -> None:
        engine = create_engine(url)
        factory = session_factory(engine, clock=FixedClock(NOW))

        async def planned() -> int:
            async with factory() as session:
                count = await session.scalar(
                    select(func.count())
                    .select_from(m.Ticket)
                    .where(m.Ticket.type == TicketType.FILTER_CHANGE)
                )
                return int(count or 0)

        try:
            before = await planned()
            plan = _chore(chores(factory, make_settings(url)), "maintenance_plan")
            await plan(NOW)
            first = await planned()
            assert first - before == 3  # tests/reports/test_planner.py: two in A, one in B
            await plan(NOW + dt.timedelta(hours=1))  # the same day: not run again
            other = _chore(chores(factory, make_settings(url)), "maintenance_plan")
            await other(NOW)  # another process, the same day: it adds nothing
            assert await planned() == first
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_links_past_retention_and_spent_tokens_of_ended_sessions_are_deleted(
    database_url: str,
) -> None:
    now = utcnow()
    day = dt.timedelta(days=1)
    settings = make_settings(database_url, tracking_link_retention_days=30)

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        made: dict[str, str] = {}
        sessions: dict[str, str] = {}
        try:
            async with transaction(factory) as session:
                ticket = await session.scalar(select(m.Ticket.id).limit(1))
                user = await session.scalar(select(m.User.id).where(m.User.username == "hq"))
                assert ticket is not None
                assert user is not None
                shapes = {
                    "expired long ago": (now - 40 * day, None),
                    "expired yesterday": (now - day, None),
                    "revoked long ago": (now + 10 * day, now - 40 * day),
                    "working": (now + 10 * day, None),
                }
                for name, (expires, revoked) in shapes.items():
                    link = m.TrackingLink(
                        token_hash=links.token_hash(secrets.token_urlsafe(24)),
                        ticket_id=ticket,
                        expires_at=expires,
                        revoked_at=revoked,
                    )
                    session.add(link)
                    await session.flush()
                    made[name] = link.id
                ended = {
                    "revoked": (now + day, now - day),
                    "expired": (now - day, None),
                    "live": (now + day, None),
                }
                for name, (expires, revoked) in ended.items():
                    row = m.AuthSession(
                        user_id=user,
                        refresh_token_hash=uuid.uuid4().hex,
                        expires_at=expires,
                        revoked_at=revoked,
                    )
                    session.add(row)
                    await session.flush()
                    sessions[name] = row.id
                    session.add(m.SpentRefreshToken(token_hash=uuid.uuid4().hex, session_id=row.id))
            work = chores(factory, settings)
            await _chore(work, "tracking_links")(now)
            await _chore(work, "spent_refresh_tokens")(now)
            async with factory() as session:
                kept = set(
                    await session.scalars(
                        select(m.TrackingLink.id).where(m.TrackingLink.id.in_(made.values()))
                    )
                )
                spent = set(
                    await session.scalars(
                        select(m.SpentRefreshToken.session_id).where(
                            m.SpentRefreshToken.session_id.in_(sessions.values())
                        )
                    )
                )
            assert kept == {made["expired yesterday"], made["working"]}
            assert spent == {sessions["live"]}
        finally:
            async with transaction(factory) as session:
                await session.execute(
                    delete(m.TrackingLink).where(m.TrackingLink.id.in_(made.values()))
                )
                await session.execute(
                    delete(m.SpentRefreshToken).where(
                        m.SpentRefreshToken.session_id.in_(sessions.values())
                    )
                )
                await session.execute(
                    delete(m.AuthSession).where(m.AuthSession.id.in_(sessions.values()))
                )
            await engine.dispose()

    asyncio.run(scenario())


def test_idempotency_keys_past_their_lifetime_are_deleted(database_url: str) -> None:
    """The chore's ``now`` is the worker's clock: a key made exactly the lifetime (30 days by
    default) before it is gone, one a second younger stays."""
    now = utcnow()
    lifetime = dt.timedelta(days=30)
    ages = {
        "long gone": lifetime * 2,
        "just expired": lifetime,
        "a second left": lifetime - dt.timedelta(seconds=1),
        "new": dt.timedelta(0),
    }

    async def scenario() -> None:
        engine = create_engine(database_url)
        factory = session_factory(engine)
        keys = {name: unique("key") for name in ages}
        try:
            async with transaction(factory) as session:
                user = await session.scalar(select(m.User.id).where(m.User.username == "hq"))
                assert user is not None
                for name, age in ages.items():
                    key = m.IdempotencyKey(user_id=user, key=keys[name], operation="openTicket",
                                           fingerprint="0" * 64, result_id=str(uuid.uuid4()),
                                           created_at=now - age)  # fmt: skip
                    session.add(key)
            work = chores(factory, make_settings(database_url))
            for _ in range(2):  # a second run finds nothing more to delete
                await _chore(work, "idempotency_keys")(now)
                async with factory() as session:
                    kept = set(
                        await session.scalars(
                            select(m.IdempotencyKey.key).where(
                                m.IdempotencyKey.key.in_(keys.values())
                            )
                        )
                    )
                assert kept == {keys["a second left"], keys["new"]}
        finally:
            async with transaction(factory) as session:
                await session.execute(
                    delete(m.IdempotencyKey).where(m.IdempotencyKey.key.in_(keys.values()))
                )
            await engine.dispose()

    asyncio.run(scenario())
