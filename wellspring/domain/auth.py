"""Sign-in, tokens, sessions and the failed-login throttle.

Access tokens are short-lived JWTs naming their session; every request re-checks that the
session is still live, so an admin's revocation takes effect on the session's next request.
Refresh tokens are opaque random strings stored only as a SHA-256 hash and rotated on use;
a rotated-away token presented again revokes its session (reuse detection).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import String, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import audit, login_throttle, permissions, policy, versioning
from .actor import Actor
from .errors import DomainError, NotAuthenticated
from .models import AuthSession, SpentRefreshToken, Technician, User, utcnow
from .models.enums import Role
from .pagination import Page, SortKey, paginate

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("wellspring-dummy-password")
_JWT_ALGORITHM = "HS256"
_LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class AuthConfig:
    secret_key: str
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    throttle: login_throttle.Limits = field(default_factory=login_throttle.Limits)
    # The demo accounts (password "demo") exist only outside production.
    allow_demo_accounts: bool = True


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: dt.datetime
    user: User
    session: AuthSession


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _access_token(config: AuthConfig, user: User, session: AuthSession) -> tuple[str, dt.datetime]:
    now = utcnow()
    expires = now + dt.timedelta(minutes=config.access_token_minutes)
    claims = {"sub": user.id, "sid": session.id, "iat": now, "exp": expires, "typ": "access"}
    return jwt.encode(claims, config.secret_key, algorithm=_JWT_ALGORITHM), expires


async def login(
    session: AsyncSession,
    *,
    config: AuthConfig,
    username: str,
    password: str,
    ip_address: str = "",
    user_agent: str = "",
) -> Tokens:
    """Check the password and open a session; throttled per username (known or not) and per
    client address (``ip_address``, the peer the server sees).

    A failed attempt raises ``DomainError`` *after* its throttle rows are written, so the
    caller must commit even on that error. A success clears the username's count but not the
    address's, so a sprayer cannot reset it by signing in to an account of their own.
    """
    key = username.strip().lower()[:128]
    now = utcnow()
    throttles = await login_throttle.rows(session, username, ip_address)
    seconds = login_throttle.seconds_locked(throttles, now)
    if seconds:
        raise DomainError("TOO_MANY_ATTEMPTS", seconds=seconds)

    user = (
        await session.execute(select(User).where(User.username == username.strip()))
    ).scalar_one_or_none()
    stored_hash = user.password_hash if user is not None else _DUMMY_HASH
    # argon2 is deliberately slow: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, stored_hash, password)
    if ok and user is not None:
        ok = await _still_holds(session, user, stored_hash)
    refused = user is None or not user.is_active or user.deleted_at is not None
    if user is not None and user.is_demo and not config.allow_demo_accounts:
        refused = True
    if not ok or refused or user is None:
        login_throttle.record_failure(throttles, config.throttle, now)
        audit.record(
            session,
            None,
            "auth.login_failed",
            entity_type="User",
            entity_id=user.id if user else None,
            username=key,
            ip_address=ip_address,
        )
        raise DomainError("INVALID_CREDENTIALS")

    login_throttle.record_success(throttles)
    refresh = secrets.token_urlsafe(32)
    auth_session = AuthSession(
        user_id=user.id,
        refresh_token_hash=_digest(refresh),
        expires_at=now + dt.timedelta(days=config.refresh_token_days),
        last_seen_at=now,
        user_agent=user_agent[:200],
        ip_address=ip_address[:64],
    )
    session.add(auth_session)
    await session.flush()
    access, expires = _access_token(config, user, auth_session)
    actor = Actor(user_id=user.id, username=user.username, role=user.role)
    audit.record(session, actor, "auth.login", entity_type="AuthSession", entity_id=auth_session.id)
    return Tokens(access, refresh, expires, user, auth_session)


async def _still_holds(session: AsyncSession, user: User, verified_hash: str) -> bool:
    """Whether the password just verified is still the user's, re-read with the user's row
    held (FOR SHARE) until the new session commits (the slow verify itself holds nothing).

    A reset (or a deactivation) racing the login then either committed first, and the
    re-read sees its new hash (or ``is_active``), or waits for the login to commit, and its
    revocation of the user's sessions sees the new one: without this, a login verified
    against the old password opened a session that outlived the reset.
    """
    await session.execute(
        select(User)
        .where(User.id == user.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return user.password_hash == verified_hash


async def refresh(session: AsyncSession, *, config: AuthConfig, refresh_token: str) -> Tokens:
    """Exchange a refresh token for a new access token and a new refresh token (rotation)."""
    now = utcnow()
    row = (
        await session.execute(
            select(AuthSession)
            .where(AuthSession.refresh_token_hash == _digest(refresh_token))
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        await _revoke_on_reuse(session, _digest(refresh_token), now)
        raise DomainError("INVALID_REFRESH_TOKEN", field="refresh_token")
    if row.revoked_at is not None or row.expires_at <= now:
        raise DomainError("INVALID_REFRESH_TOKEN", field="refresh_token")
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise DomainError("INVALID_REFRESH_TOKEN", field="refresh_token")
    new_refresh = secrets.token_urlsafe(32)
    spent = SpentRefreshToken(token_hash=row.refresh_token_hash, session_id=row.id, spent_at=now)
    session.add(spent)
    row.refresh_token_hash = _digest(new_refresh)
    row.last_seen_at = now
    access, expires = _access_token(config, user, row)
    return Tokens(access, new_refresh, expires, user, row)


SESSIONS_ENDED_KEY = "wellspring.sessions_ended"


def ended(
    session: AsyncSession, *, session_id: str | None = None, user_id: str | None = None
) -> None:
    """Note that a session (or every session of a user) ended in this transaction: after the
    commit, live connections opened with it are closed at once (notifications/bus.py)."""
    said: list[dict[str, str | None]] = session.info.setdefault(SESSIONS_ENDED_KEY, [])
    said.append({"session_id": session_id, "user_id": user_id})


async def _revoke_on_reuse(session: AsyncSession, digest: str, now: dt.datetime) -> None:
    """A rotated-away refresh token came back: someone holds a copy. Either the thief or the
    owner presented it, and we cannot tell which, so the whole session ends for both: its
    refresh token stops working and its access tokens fail on their next request.

    Sessions are rotated in place, so the session row is the whole token family. The caller
    must commit even though the refresh fails (``RefreshToken`` runs without a savepoint).
    """
    spent = await session.get(SpentRefreshToken, digest)
    if spent is None:
        return
    row = await session.get(AuthSession, spent.session_id, with_for_update=True)
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    ended(session, session_id=row.id)
    audit.record(
        session,
        None,
        "auth.refresh_token_reused",
        entity_type="AuthSession",
        entity_id=row.id,
        user_id=row.user_id,
    )


async def authenticate(
    session: AsyncSession, *, config: AuthConfig, token: str, writes: bool = False
) -> Actor:
    """The actor behind an access token, or ``NotAuthenticated``. For a request that will
    write (``writes``), on PostgreSQL the same statement draws the transaction's version
    (``versioning.drawn_with``): one round trip fewer for every mutation and push."""
    if not token.isascii():  # no JWT is; and PyJWT cannot even encode an unpaired surrogate
        raise NotAuthenticated
    try:
        claims = _verified_claims(token, config.secret_key)
    except jwt.PyJWTError as exc:
        raise NotAuthenticated from exc
    # Verified once, the claims are kept; the expiry is checked at every request, as PyJWT
    # does it (expired at ``exp`` itself).
    if claims.get("typ") != "access" or int(claims["exp"]) <= time.time():
        raise NotAuthenticated
    now = utcnow()
    values = {"sid": str(claims["sid"]), "sub": str(claims["sub"])}
    drawing = writes and session.get_bind().dialect.name == "postgresql"
    statement = _token_check_drawing() if drawing else _token_check()
    row = (await session.execute(statement, values)).first()
    if row is None:
        raise NotAuthenticated
    if drawing:
        versioning.drawn_with(session.sync_session, int(row.version))
    if (
        row.revoked_at is not None
        or row.expires_at <= now
        or not row.is_active
        or row.deleted_at is not None
    ):
        raise NotAuthenticated
    return Actor(
        user_id=row.user_id,
        username=row.username,
        role=row.role,
        branch_id=row.branch_id,
        agent_id=row.agent_id,
        customer_id=row.customer_id,
        technician_id=row.technician_id,
        session_id=row.session_id,
        session_last_seen_at=row.last_seen_at,
    )


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret_key: str) -> Mapping[str, Any]:
    """A token's claims once its signature and required claims are verified: a pure function
    of the token and the key, so remembered for the tokens in use (PyJWT's verification cost
    about 0.25 ms of every request). A token that fails raises, and is not remembered."""
    claims = jwt.decode(
        token, secret_key, algorithms=[_JWT_ALGORITHM], options={"require": ["exp", "sub", "sid"]}
    )
    return MappingProxyType(claims)


@cache
def _token_check() -> Any:
    """The session and user behind a token, as one row: built once with bound parameters
    (every request runs it; building it and keying it for the statement cache cost more than
    the rest of the check), and read as columns, not as ORM objects."""
    return (
        select(
            AuthSession.id.label("session_id"),
            AuthSession.revoked_at,
            AuthSession.expires_at,
            AuthSession.last_seen_at,
            User.id.label("user_id"),
            User.username,
            User.role,
            User.branch_id,
            User.agent_id,
            User.customer_id,
            User.is_active,
            User.deleted_at,
            Technician.id.label("technician_id"),
        )
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(Technician, (Technician.user_id == User.id) & Technician.deleted_at.is_(None))
        .where(
            AuthSession.id == bindparam("sid", type_=String),
            User.id == bindparam("sub", type_=String),
        )
    )


@cache
def _token_check_drawing() -> Any:
    """The token check with the transaction's version beside it (a writing request)."""
    return _token_check().add_columns(versioning.PG_STAMP_COLUMN.label("version"))


def touch_due(actor: Actor, now: dt.datetime | None = None) -> bool:
    """Whether the actor's session should be recorded as seen: at most once a minute, so
    most requests need no transaction for it at all."""
    last = actor.session_last_seen_at
    if actor.session_id is None:
        return False
    return last is None or (now or utcnow()) - last >= _LAST_SEEN_RESOLUTION


async def touch_session(session: AsyncSession, actor: Actor) -> bool:
    """Record that the actor's session was seen, at most once a minute.

    Called in a transaction of its own after the request's work, so that reads stay read-only
    and a busy database delays only this bookkeeping, never the answer.
    """
    now = utcnow()
    if not touch_due(actor, now):
        return False
    await session.execute(
        update(AuthSession).where(AuthSession.id == actor.session_id).values(last_seen_at=now)
    )
    return True


async def logout(session: AsyncSession, actor: Actor) -> None:
    """Revoke the actor's current session."""
    if actor.session_id is None:
        return
    row = await session.get(AuthSession, actor.session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by_id = actor.user_id
        ended(session, session_id=row.id)
        audit.record(session, actor, "auth.logout", entity_type="AuthSession", entity_id=row.id)


async def revoke_session(session: AsyncSession, actor: Actor, *, session_id: str) -> AuthSession:
    """An admin forces a session out; it fails on its next request."""
    permissions.check(actor, "session.revoke")
    row = (
        await session.execute(
            select(AuthSession).where(AuthSession.id == session_id, policy.sessions_scope(actor))
        )
    ).scalar_one_or_none()
    if row is None:
        raise DomainError("SESSION_NOT_FOUND", field="id")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by_id = actor.user_id
        ended(session, session_id=row.id)
        audit.record(
            session, actor, "auth.session_revoked", entity_type="AuthSession", entity_id=row.id
        )
    return row


async def online_sessions(
    session: AsyncSession,
    actor: Actor,
    *,
    active_within: dt.timedelta,
    first: int | None,
    after: str | None,
) -> Page[AuthSession]:
    """Admins: sessions seen recently and not revoked (who is online), latest first."""
    permissions.check(actor, "session.list")
    now = utcnow()
    stmt = select(AuthSession).where(
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > now,
        AuthSession.last_seen_at >= now - active_within,
    )
    order = (SortKey(AuthSession.last_seen_at), SortKey(AuthSession.id))
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=lambda s: (s.last_seen_at, s.id),
    )


__all__ = [
    "AuthConfig",
    "Role",
    "Tokens",
    "authenticate",
    "hash_password",
    "login",
    "logout",
    "online_sessions",
    "refresh",
    "revoke_session",
]


async def purge_spent_refresh_tokens(session: AsyncSession, *, now: dt.datetime) -> int:
    """Forget the rotated-away refresh tokens of sessions that ended (revoked or expired): a
    reuse could only revoke a session that can no longer refresh anyway. Returns how many."""
    ended_sessions = select(AuthSession.id).where(
        or_(AuthSession.revoked_at.is_not(None), AuthSession.expires_at <= now)
    )
    result = await session.execute(
        delete(SpentRefreshToken).where(SpentRefreshToken.session_id.in_(ended_sessions)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)
