"""An engineer's working day: the days and hours they work (Asia/Shanghai). Booking checks
(``bookings.py``), the planner and the suggestions read the same hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from ..config import TIME_ZONE
from ..models import Technician
from . import rules


class Rota(Protocol):
    """What a shift needs of an engineer: a Technician, or a row of those columns."""

    @property
    def work_days(self) -> list[int]: ...
    @property
    def shift_start(self) -> dt.time: ...
    @property
    def shift_end(self) -> dt.time: ...


def shift_bounds(tech: Rota, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The engineer's shift on ``day`` as UTC instants, or None on a day off."""
    if not rules.works_on(tech.work_days, day):
        return None
    begins = dt.datetime.combine(day, tech.shift_start, tzinfo=TIME_ZONE)
    ends = dt.datetime.combine(day, tech.shift_end, tzinfo=TIME_ZONE)
    return begins.astimezone(dt.UTC), ends.astimezone(dt.UTC)


def on_shift_now(tech: Technician, now: dt.datetime) -> bool:
    """Whether ``now`` lies inside today's shift (local day in Asia/Shanghai)."""
    bounds = shift_bounds(tech, now.astimezone(TIME_ZONE).date())
    return bounds is not None and bounds[0] <= now < bounds[1]
