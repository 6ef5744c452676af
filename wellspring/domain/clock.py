"""The one clock the domain reads "now" from.

Production runs on :class:`SystemClock`; tests and the demo pass a :class:`FixedClock` they
move by hand, so no test sleeps for time to pass or depends on the hour it runs at. The clock
travels like the configuration (``session.info``, set by
:func:`wellspring.domain.db.session_factory`); a use case reads it with :func:`now`.
Pure rules take ``now`` as an argument and never read a clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

CLOCK_KEY = "wellspring.clock"
# A phone clock may be wrong: a note, water test or photo more than this ahead of the server's
# clock is refused (a move's time is checked and clamped instead: workflow/clock_rules.py).
CLOCK_SLACK = dt.timedelta(minutes=10)
# No phone records work before this: an earlier time is a clock reset to 1970 (or a forgery)
# and would sort first in a job's notes; refused for good, as no retry changes it.
EARLIEST_RECORD = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until told to move (tests, the demo's replayed days)."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a FixedClock needs an aware datetime")
        self._at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self._at += delta
        return self._at

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a FixedClock needs an aware datetime")
        self._at = at.astimezone(dt.UTC)


SYSTEM_CLOCK = SystemClock()


def clock_of(session: AsyncSession | Session) -> Clock:
    """The clock the session's unit of work runs on (the system clock if none given)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    found = sync.info.get(CLOCK_KEY)
    return found if found is not None else SYSTEM_CLOCK


def now(session: AsyncSession | Session) -> dt.datetime:
    """The current instant on the session's clock."""
    return clock_of(session).now()
