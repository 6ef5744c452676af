"""Booking an engineer: a window inside their shift, on a working day, clear of their other
booked windows (AssignJob asks; an override is the caller's to decide, see
``workflow/dispatching.py``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import TIME_ZONE
from ..errors import DomainError
from ..models import Job, Technician
from ..models.enums import JOB_OPEN_STATUSES
from .shifts import shift_bounds


def check_shift(tech: Technician, start: dt.datetime, end: dt.datetime) -> None:
    """Refuse a window on the engineer's day off or outside their hours."""
    day = start.astimezone(TIME_ZONE).date()
    bounds = shift_bounds(tech, day)
    if bounds is None:
        raise DomainError(
            "APPOINTMENT_DAY_OFF",
            field="appointment_start",
            day=day.isoformat(),
            days=",".join(str(d) for d in sorted(tech.work_days or [])),
        )
    if start < bounds[0] or end > bounds[1]:
        raise DomainError(
            "APPOINTMENT_OUTSIDE_SHIFT",
            field="appointment_start",
            shift_start=tech.shift_start.strftime("%H:%M"),
            shift_end=tech.shift_end.strftime("%H:%M"),
        )


async def check_overlap(
    session: AsyncSession, tech: Technician, job: Job, start: dt.datetime, end: dt.datetime
) -> None:
    """Refuse a window that overlaps another open job's window booked with the engineer."""
    other = await session.scalar(
        select(Job.number)
        .where(
            Job.technician_id == tech.id,
            Job.id != job.id,
            Job.status.in_(JOB_OPEN_STATUSES),
            Job.deleted_at.is_(None),
            Job.appointment_start < end,
            Job.appointment_end > start,
        )
        .order_by(Job.appointment_start)
        .limit(1)
    )
    if other is not None:
        raise DomainError("APPOINTMENT_OVERLAP", field="appointment_start", number=other)
