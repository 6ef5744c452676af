"""The ranges a date, an instant or a count may take where it enters, whatever the transport.

Values far outside them are typing slips or probes, and they overflow the date arithmetic
downstream (a month after 9999-12, eight hours before 0001-01-01): each is refused where it
enters with ``VALUE_OUT_OF_RANGE`` and the field at fault, never carried to a crash.
"""

from __future__ import annotations

import datetime as dt

from .errors import DomainError

EARLIEST_DAY = dt.date(1970, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
# A recharge buys at most ten years of a monthly plan, or this many buckets.
MAX_RECHARGE_MONTHS = 120
MAX_RECHARGE_BUCKETS = 10_000
# Lookback windows of the admin and reminder lists.
MAX_WINDOW_MINUTES = 7 * 24 * 60


def day_in_range(day: dt.date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_day(day: dt.date, field: str) -> dt.date:
    if not day_in_range(day):
        raise DomainError(
            "VALUE_OUT_OF_RANGE",
            field=field,
            minimum=EARLIEST_DAY.isoformat(),
            maximum=LATEST_DAY.isoformat(),
        )
    return day


def check_int(value: int, field: str, minimum: int, maximum: int) -> int:
    if not minimum <= value <= maximum:
        raise DomainError("VALUE_OUT_OF_RANGE", field=field, minimum=minimum, maximum=maximum)
    return value
