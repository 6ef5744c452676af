"""The failed-login throttle, kept in the database so it holds across processes.

Two keys count failures: ``user:<lower-cased username>`` (known or not, so probing reveals
nothing) and ``addr:<client address>`` (over all usernames, so spraying one password across
many accounts is slowed). At its limit within the window a key is locked for a while that
doubles with each lockout but never exceeds a cap: a stranger can delay a user, not shut them
out, and an admin can lift a user's lockout at once.

A third key, ``password:<user id>``, counts a signed-in user's wrong current passwords
(``passwords.py``) with the same limits, apart from the sign-in's keys: whoever holds a
stolen access token can guess no faster than at the sign-in form, yet cannot lock the real
user out of signing in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from . import audit, permissions, policy
from .actor import Actor
from .errors import DomainError
from .models import LoginThrottle, User, utcnow


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    address_max_failures: int = 30
    window_seconds: int = 900
    lockout_seconds: int = 60
    max_lockout_seconds: int = 900


def user_key(username: str) -> str:
    return "user:" + username.strip().lower()[:120]


def address_key(ip_address: str) -> str:
    return "addr:" + ip_address[:64]


def password_change_key(user_id: str) -> str:
    return "password:" + user_id[:100]


async def _row(session: AsyncSession, key: str) -> LoginThrottle:
    """The key's row, locked; created first if missing (two first failures may race)."""
    row = await session.get(LoginThrottle, key, with_for_update=True)
    if row is not None:
        return row
    values = {"key": key, "failures": 0, "window_started_at": utcnow(), "lockouts": 0}
    dialect = session.bind.dialect.name if session.bind is not None else ""
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(LoginThrottle).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(LoginThrottle).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - the two engines we run on are above
        stmt = insert(LoginThrottle).values(values)
    await session.execute(stmt)
    found = await session.execute(
        select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found.scalar_one()


async def rows(session: AsyncSession, username: str, ip_address: str) -> list[LoginThrottle]:
    """The username's row, then the address's if there is one: always this lock order."""
    found = [await _row(session, user_key(username))]
    if ip_address:
        found.append(await _row(session, address_key(ip_address)))
    return found


async def password_change_rows(session: AsyncSession, user_id: str) -> list[LoginThrottle]:
    """The user's own count of wrong current passwords (ChangePassword), locked."""
    return [await _row(session, password_change_key(user_id))]


def seconds_locked(throttles: list[LoginThrottle], now: dt.datetime) -> int:
    """How long until every key is unlocked (0: not locked)."""
    until = [t.locked_until for t in throttles if t.locked_until is not None]
    latest = max(until, default=None)
    if latest is None or latest <= now:
        return 0
    return int((latest - now).total_seconds()) + 1


def _count(throttle: LoginThrottle, limits: Limits, now: dt.datetime, max_failures: int) -> None:
    if now - throttle.window_started_at > dt.timedelta(seconds=limits.window_seconds):
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.failures += 1
    if throttle.failures >= max_failures:
        throttle.lockouts += 1
        doubling = limits.lockout_seconds * 2 ** min(throttle.lockouts - 1, 30)
        delay = min(doubling, limits.max_lockout_seconds)
        throttle.locked_until = now + dt.timedelta(seconds=delay)
        throttle.failures = 0
        throttle.window_started_at = now


def record_failure(throttles: list[LoginThrottle], limits: Limits, now: dt.datetime) -> None:
    user, *by_address = throttles
    _count(user, limits, now, limits.max_failures)
    for row in by_address:
        _count(row, limits, now, limits.address_max_failures)


def record_success(throttles: list[LoginThrottle]) -> None:
    """Clear the username's count. Not the address's: a sprayer could otherwise reset it by
    signing in to an account of their own between guesses."""
    _clear(throttles[0])


def _clear(throttle: LoginThrottle) -> None:
    throttle.failures = 0
    throttle.lockouts = 0
    throttle.locked_until = None
    throttle.window_started_at = utcnow()


async def unlock_user(session: AsyncSession, actor: Actor, *, user_id: str) -> User:
    """An admin lifts a user's login lockout, and their password change's; both counts start
    again."""
    permissions.check(actor, "user.unlock")
    user = (
        await session.execute(select(User).where(User.id == user_id, policy.users_scope(actor)))
    ).scalar_one_or_none()
    if user is None:
        raise DomainError("USER_NOT_FOUND", field="user_id")
    for key in (user_key(user.username), password_change_key(user.id)):
        throttle = await session.get(LoginThrottle, key, with_for_update=True)
        if throttle is not None:
            _clear(throttle)
    audit.record(session, actor, "auth.user_unlocked", entity_type="User", entity_id=user.id)
    return user
