"""An engineer's working day: the days and hours they work (Asia/Shanghai) and the windows
already booked with them. AssignJob refuses an appointment that breaks it unless a role of
``permissions.RULES["shift.override"]`` says so on purpose; the planner and the suggestions
read the same hours.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import DomainError
from ..models import Job, Technician
from ..models.enums import JOB_OPEN_STATUSES
from . import rules
from .locate import SHANGHAI


def shift_bounds(tech: Technician, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The engineer's shift on ``day`` as UTC instants, or None on a day off."""
    if not rules.works_on(tech.work_days, day):
        return None
    begins = dt.datetime.combine(day, tech.shift_start, tzinfo=SHANGHAI)
    ends = dt.datetime.combine(day, tech.shift_end, tzinfo=SHANGHAI)
    return begins.astimezone(dt.UTC), ends.astimezone(dt.UTC)


def on_shift_now(tech: Technician, now: dt.datetime) -> bool:
    """Whether ``now`` lies inside today's shift (local day in Asia/Shanghai)."""
    bounds = shift_bounds(tech, now.astimezone(SHANGHAI).date())
    return bounds is not None and bounds[0] <= now < bounds[1]


def check_shift(tech: Technician, start: dt.datetime, end: dt.datetime) -> None:
    """Refuse a window on the engineer's day off or outside their hours."""
    day = start.astimezone(SHANGHAI).date()
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
