"""Route plans proposed and applied for a branch's day, and the geocoder's answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, new_id, utcnow
from .enums import RoutePlanStatus, enum_column


class RoutePlan(Record, Base):
    """One optimisation of a branch's day: every route and every job it could not place.

    ``routes`` and ``unplaced`` hold the solver's answer as it was shown to the dispatcher;
    applying the plan copies each stop's position and arrival onto its job.
    """

    __tablename__ = "route_plans"
    __table_args__ = (Index("ix_route_plans_branch_day", "branch_id", "day"),)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[RoutePlanStatus] = mapped_column(
        enum_column(RoutePlanStatus), default=RoutePlanStatus.PROPOSED
    )
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    applied_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    applied_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    routes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unplaced: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    distance_m: Mapped[int] = mapped_column(default=0)
    duration_s: Mapped[int] = mapped_column(default=0)
    solve_ms: Mapped[int] = mapped_column(default=0)


class GeocodeCacheEntry(Base):
    """A geocoder's answer for one address text, so the same address is never asked twice."""

    __tablename__ = "geocode_cache"
    __table_args__ = (Index("uq_geocode_cache_provider_query", "provider", "query", unique=True),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float, default=None)  # None: nothing found
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    display: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
