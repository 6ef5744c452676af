"""A login racing an admin's password reset: the login verified the old password (slowly,
argon2) while the reset committed, then opened its session after the reset had ended the
user's sessions, so a session opened with the old password outlived the reset (found by
reading ``auth.login`` against ``users.reset_password``).

Two domain transactions on one PostgreSQL database: the first holds its work uncommitted
until the second waits on a lock or is done, then commits. Without the fix the second is
done before the first commits, and the outcome shows it; only PostgreSQL lets two writers
overlap."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import until_waiting
from tests.conftest import TEST_SECRET
from tests.factories import make_user, scalars
from wellspring.domain import auth
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.errors import DomainError
from wellspring.domain.masterdata.users import reset_password
from wellspring.domain.models import AuthSession, User

pytestmark = pytest.mark.usefixtures("postgresql_only")

OLD, NEW = "old-password-1", "new-password-2"
CONFIG = auth.AuthConfig(secret_key=TEST_SECRET)


def _meanwhile(
    url: str,
    hold: Callable[[AsyncSession], Awaitable[Any]],
    then: Callable[[AsyncSession], Awaitable[Any]],
) -> Any:
    """``then``'s result (in a transaction of its own, committed) when ``hold``'s work, held
    uncommitted, commits once ``then`` waits on a lock or is done without waiting."""

    async def go() -> Any:
        engine = create_engine(url)
        factory = session_factory(engine)
        try:
            async with factory() as holder, factory() as other:
                await holder.begin()
                await hold(holder)

                async def second() -> Any:
                    await other.begin()
                    result = await then(other)
                    await other.commit()
                    return result

                task = asyncio.ensure_future(second())
                await until_waiting(holder, task, or_done=True)
                await holder.commit()
                return await task
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _user(url: str) -> tuple[str, str]:
    username = make_user(url, password=OLD)
    return username, scalars(url, select(User.id).where(User.username == username))[0]


def _live_sessions(url: str, user_id: str) -> list[str]:
    live = select(AuthSession.id).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    return scalars(url, live)


async def _signed_in(session: AsyncSession, username: str) -> str:
    """The login's outcome: OK, or the refusal's code (its throttle rows are committed)."""
    try:
        await auth.login(session, config=CONFIG, username=username, password=OLD)
    except DomainError as error:
        return error.code
    return "OK"


def test_a_login_with_the_old_password_during_a_reset_opens_no_session(
    database_url: str,
) -> None:
    """The reset has set the new hash and ended the sessions (uncommitted) while the login
    reads the old hash: the login opened a session that the reset never saw, live after it."""
    username, user_id = _user(database_url)

    async def hold(session: AsyncSession) -> None:
        await reset_password(session, SYSTEM, user_id=user_id, password=NEW)

    async def then(session: AsyncSession) -> str:
        return await _signed_in(session, username)

    outcome = _meanwhile(database_url, hold, then)
    assert _live_sessions(database_url, user_id) == [], "a session outlived the reset"
    assert outcome == "INVALID_CREDENTIALS"


def test_a_reset_during_a_login_ends_the_session_it_opens(database_url: str) -> None:
    """The login has verified the old password and opened its session (uncommitted) when the
    reset runs: the reset ended the sessions it could see, not that one, which stayed live."""
    username, user_id = _user(database_url)

    async def hold(session: AsyncSession) -> None:
        assert await _signed_in(session, username) == "OK"

    async def then(session: AsyncSession) -> None:
        await reset_password(session, SYSTEM, user_id=user_id, password=NEW)

    _meanwhile(database_url, hold, then)
    assert _live_sessions(database_url, user_id) == [], "a session outlived the reset"
