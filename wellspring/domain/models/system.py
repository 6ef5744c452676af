"""Audit log, login sessions, the login throttle, the change clock and idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, new_id, utcnow


class AuditEntry(Base):
    """Every operation that changed something: who, what, when, from which request.

    Append-only and not synced to phones, so it has no change version.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at", "id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True, default=None)
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(36), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str] = mapped_column(String(64), default="")


class AuthSession(Record, Base):
    """A login session. Revoking it ends its access tokens on their next request."""

    __tablename__ = "auth_sessions"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column()
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")


class SpentRefreshToken(Base):
    """A refresh token already rotated away. Presenting it again means it was copied: the
    session it belonged to is revoked (OAuth 2.0 Security BCP, refresh token reuse)."""

    __tablename__ = "spent_refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    spent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed logins per key: ``user:<lower-cased username>`` (known or not, so probing
    reveals nothing) and ``addr:<client address>`` (so spraying across usernames is slowed);
    and a signed-in user's wrong current passwords, ``password:<user id>`` (ChangePassword).
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class ChangeClock(Base):
    """A single row holding the last change version handed out (see ``domain.versioning``)."""

    __tablename__ = "change_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class CounterRow(Base):
    """Named counters for human-readable numbers (ticket and job numbers)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class IdempotencyKey(Base):
    """A create mutation's ``idempotencyKey``, once per user (``domain/idempotency.py``): what
    the first call made, so that a retry with the same input gets it instead of a second one."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        Index("uq_idempotency_keys_user_key", "user_id", "key", unique=True),
        Index("ix_idempotency_keys_created_at", "created_at"),  # the purge of expired keys
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(64))  # the mutation (openTicket)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the input sent
    result_id: Mapped[str] = mapped_column(String(36))  # what it made
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # its lifetime's start
