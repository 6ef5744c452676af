"""What each phone holds, so a pull can say created, updated or deleted exactly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow


class SyncClient(Base):
    """One installation of the phone app (its id comes in the ``X-Sync-Client`` header)."""

    __tablename__ = "sync_clients"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    schema_version: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_pull_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_push_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The cursor the phone's pushed edits are judged against (domain/sync/baseline.py).
    edit_baseline: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The cursor of its last push settled with a conflict (0: none).
    conflict_cursor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SyncHeld(Base):
    """A record a phone was sent (``sent_at``: the pull's cursor) and, once gone, when.

    The phone that pulls with cursor V holds exactly the records sent at or before V and not
    removed by V: a response lost on the way changes nothing the next pull relies on.
    Not a synced table itself, so it carries no change version.
    """

    __tablename__ = "sync_held"
    __table_args__ = (
        Index("uq_sync_held_record", "client_id", "table_name", "record_id", unique=True),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("sync_clients.id"))
    table_name: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[int] = mapped_column(BigInteger)
    removed_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
