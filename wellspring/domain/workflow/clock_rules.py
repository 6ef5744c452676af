"""When a step happened: the phone's clock, checked against the server's and the job's past.

An engineer often works offline and syncs hours later, so the time of the work is the time the
phone recorded (``occurred_at``), not the time the server learned of it (``received_at``). The
phone's clock is not trusted blindly. A recorded time is valid when it is

- not ahead of the server's clock by more than the skew allowance (a time ahead within the
  allowance is read as "now": a phone a few minutes fast is not an error);
- after the job's previous step (the history stays in the order the work was done; a time
  equal to it is read as one microsecond later, so the two never tie);
- not older than the window (default 7 days): a phone with a reset clock says 1970.

Outside those bounds the time is clamped to the nearest valid one and flagged; the phone's own
value is kept beside it. Pure: no database, no clock of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The flags a clamped time carries (messages in wellspring/i18n/sync.py).
CLAMPED_FUTURE = "TIME_CLAMPED_FUTURE"
CLAMPED_BEFORE_PREVIOUS = "TIME_CLAMPED_BEFORE_PREVIOUS"
CLAMPED_TOO_OLD = "TIME_CLAMPED_TOO_OLD"
FLAGS = (CLAMPED_FUTURE, CLAMPED_BEFORE_PREVIOUS, CLAMPED_TOO_OLD)
# The least a step comes after its previous one.
TICK = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class ClockRules:
    skew: dt.timedelta = dt.timedelta(minutes=10)
    max_age: dt.timedelta = dt.timedelta(days=7)


DEFAULT_RULES = ClockRules()


@dataclass(frozen=True)
class Stamp:
    """The times of one step: when it happened, when the server learned it, what the phone said.

    ``reported_at`` is None when the step came without a time of its own (the server's clock
    is the time of the work); ``flag`` is empty unless the reported time was clamped.
    """

    occurred_at: dt.datetime
    received_at: dt.datetime
    reported_at: dt.datetime | None = None
    flag: str = ""

    def after(self, delta: dt.timedelta) -> Stamp:
        """The same stamp a little later: for a second move made by the same act."""
        return Stamp(self.occurred_at + delta, self.received_at, self.reported_at, self.flag)


def server_stamp(now: dt.datetime) -> Stamp:
    return Stamp(occurred_at=now, received_at=now)


def judge(
    reported: dt.datetime | None,
    *,
    received: dt.datetime,
    previous: dt.datetime | None = None,
    rules: ClockRules = DEFAULT_RULES,
) -> Stamp:
    """The step's stamp: ``reported`` if valid, else the nearest valid time with its flag."""
    if reported is None:
        return server_stamp(received)
    if reported.tzinfo is None:
        reported = reported.replace(tzinfo=dt.UTC)  # the API's times are UTC when unmarked
    if reported > received + rules.skew:
        return Stamp(received, received, reported, CLAMPED_FUTURE)
    occurred = min(reported, received)
    oldest = received - rules.max_age
    if previous is not None and previous >= oldest:
        if occurred < previous:
            return Stamp(previous + TICK, received, reported, CLAMPED_BEFORE_PREVIOUS)
        if occurred == previous:
            occurred = previous + TICK
    elif occurred < oldest:
        return Stamp(oldest, received, reported, CLAMPED_TOO_OLD)
    return Stamp(occurred, received, reported)
