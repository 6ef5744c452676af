"""Tracking links: what lets a customer follow one visit without a login (issue 17)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record


class TrackingLink(Record, Base):
    """One link to one ticket's visit. Only the SHA-256 of its token is kept: a copy of the
    database opens no visit. ``expires_at`` is the latest it may work; it ends earlier, a
    configured time after the visit is over (domain/tracking/links.py)."""

    __tablename__ = "tracking_links"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    # Who made it: a dispatcher who shared it, or nobody (sent with a notification).
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    purpose: Mapped[str] = mapped_column(String(16), default="SHARED")
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
