"""The ranges a date, an instant, a count or a text may take where it enters, whatever the
transport.

Values far outside them are typing slips or probes, and they overflow the date arithmetic
downstream (a month after 9999-12, eight hours before 0001-01-01): each is refused where it
enters with ``VALUE_OUT_OF_RANGE`` and the field at fault, never carried to a crash. A text
past its limit is refused with ``VALUE_TOO_LONG`` rather than cut: nobody's words are lost
without them knowing.
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
# A ticket's description, whoever opens it: twice a customer's rating comment or note (1,000),
# room for a caller's account of the fault, not for a pasted document.
MAX_TICKET_DESCRIPTION = 2000


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


def check_length(text: str, field: str, maximum: int) -> str:
    if len(text) > maximum:
        raise DomainError("VALUE_TOO_LONG", field=field, maximum=maximum)
    return text
