"""The notifications outbox, the in-app inbox, push devices and per-user preferences.

None of these tables is synced to phones, so they carry no change version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow
from .enums import OutboxStatus, PushPlatform, PushProvider, PushTokenKind, enum_column


class OutboxMessage(Base):
    """One unit of work for the notification worker, written in the transaction whose change it
    reports (so a rollback writes none and a commit cannot lose it).

    ``channel`` is ``FANOUT`` for a domain event not yet routed (the worker turns it into inbox
    rows and deliveries, in one transaction) or the channel of one delivery (``FCM``,
    ``HUAWEI``, ``SMS``, ``LOG``) to one ``recipient`` (a push device id or a phone number).
    ``(event_id, channel, recipient)`` is unique: writing the same fact twice is a no-op.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", "recipient"),
        Index("ix_outbox_messages_due", "status", "available_at"),
        # live updates' replay after a cursor, in commit order (notifications/live.py)
        Index("ix_outbox_messages_replay_seq", "channel", "seq", "id"),
        # a recipient's deliveries in the order they were said (outbox.claim's gate)
        Index("ix_outbox_messages_recipient_order", "channel", "recipient", "seq", "ordinal"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    leased_by: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # A FANOUT row's place in commit order (notifications/outbox.py): the writing
    # transaction's id on PostgreSQL, a counter drawn at commit on SQLite.
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The event's place among those its transaction said; with ``seq``, the order the domain
    # said its events. A delivery carries its event's seq and ordinal: a recipient's messages
    # are sent in that order (notifications/outbox.py, ``claim``).
    ordinal: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Notification(Base):
    """One item of a user's in-app inbox. The text is rendered when read, in the reader's
    language, from ``kind`` and ``data``."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_notifications_user_created", "user_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ticket_id: Mapped[str | None] = mapped_column(String(36), default=None)
    job_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class PushDevice(Base):
    """A phone's push address with its provider: an FCM registration token or installation id
    (``fid``), or a vendor channel's token (Huawei Push Kit)."""

    __tablename__ = "push_devices"
    __table_args__ = (UniqueConstraint("provider", "token"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    provider: Mapped[PushProvider] = mapped_column(enum_column(PushProvider))
    token_kind: Mapped[PushTokenKind] = mapped_column(
        enum_column(PushTokenKind), default=PushTokenKind.TOKEN
    )
    token: Mapped[str] = mapped_column(String(512))
    app_id: Mapped[str] = mapped_column(String(128), default="")
    platform: Mapped[PushPlatform] = mapped_column(enum_column(PushPlatform))
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationPreference(Base):
    """A user's choice to hear only essential messages (no reminders, no rating requests)."""

    __tablename__ = "notification_preferences"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    muted_non_essential: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
