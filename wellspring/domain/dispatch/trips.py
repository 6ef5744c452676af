"""The visit an engineer is on the way to now: the one place a customer may see them move.

A phone can leave two jobs EN_ROUTE (the engineer set off for the next visit without marking
the last one's arrival, or an offline queue arrived late): both customers then watched the
same position, one of them following the engineer to someone else's home. Only the latest
departure is the trip, and none once the engineer has arrived somewhere since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Job
from ..models.enums import JobStatus

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def current_trip(jobs: Iterable[Job]) -> Job | None:
    """Of an engineer's jobs, the one they are travelling to now, if any."""
    listed = list(jobs)
    en_route = [j for j in listed if j.status is JobStatus.EN_ROUTE]
    trip = max(en_route, key=lambda j: (j.started_travel_at or _NEVER, j.id), default=None)
    if trip is None:
        return None
    left = trip.started_travel_at or _NEVER
    if any(j.status is JobStatus.ON_SITE and (j.arrived_at or _NEVER) > left for j in listed):
        return None  # arrived somewhere else since setting off: not on the way here
    return trip


async def current_trip_of(session: AsyncSession, technician_id: str) -> Job | None:
    found = await session.execute(
        select(Job).where(
            Job.technician_id == technician_id,
            Job.status.in_((JobStatus.EN_ROUTE, JobStatus.ON_SITE)),
            Job.deleted_at.is_(None),
        )
    )
    return current_trip(found.scalars())


__all__ = ["current_trip", "current_trip_of"]
