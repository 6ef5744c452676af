"""The demo's clock and its ids: one fixed namespace for ``uuid5``, and a "now" every time is
laid out around, so the demo looks like a working day whenever it is loaded."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass

from wellspring.domain.config import TIME_ZONE

NAMESPACE = uuid.UUID("38ff36dd-12d7-484e-b48a-bd2965a1a312")
CHINA = TIME_ZONE  # the business time zone, named once in domain/config.py
SLOTS = (9, 11, 13, 15)  # appointment windows start on these local hours and last two
WINDOW = dt.timedelta(hours=2)
HISTORY_ENDS = dt.timedelta(days=22)  # the long past (customers, installs) ends this long ago


def uid(kind: str, n: int | str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{n}"))


@functools.cache
def ref(kind: str, name: str) -> str:
    """The id of a named row (a branch, user, model), looked up over and over."""
    return uid(kind, name)


def local_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(hour), CHINA)
    return (start + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


@dataclass(frozen=True)
class Clock:
    """The demo's "now" (timezone-aware), and the days and moments that follow from it.

    The same ``now`` always gives the same times, so tests pass one in; ``make run`` passes
    the present, so appointments fall today and tomorrow whenever it is run.
    """

    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(CHINA).date()

    @property
    def base(self) -> dt.datetime:
        """Midnight (UTC) a little over three weeks back: older history ends there."""
        return dt.datetime.combine(self.today - HISTORY_ENDS, dt.time(), dt.UTC)

    def this_hour(self) -> dt.datetime:
        return self.now.replace(minute=0, second=0, microsecond=0)

    def slots_left(self, day: dt.date) -> tuple[int, ...]:
        """The appointment windows of ``day`` that have not started yet."""
        return tuple(h for h in SLOTS if local_time(day, h) > self.now)

    def ended_slots(self, days: int = 7) -> list[tuple[dt.date, int]]:
        """Windows over by now, latest first, over today and the ``days`` days before."""
        return [
            (day, hour)
            for day in (self.today - dt.timedelta(days=k) for k in range(days + 1))
            for hour in reversed(SLOTS)
            if local_time(day, hour) + WINDOW <= self.now
        ]

    def upcoming_slots(self, days: int = 3) -> list[tuple[dt.date, int]]:
        """Windows not started yet, soonest first, over today and the next ``days`` days."""
        return [
            (day, hour)
            for day in (self.today + dt.timedelta(days=k) for k in range(days + 1))
            for hour in self.slots_left(day)
        ]
