"""The ranges a date, an instant, a count, a measure or a text may take where it enters,
whatever the transport.

Values far outside them are typing slips or probes, and they overflow the arithmetic
downstream (a month after 9999-12, eight hours before 0001-01-01, a sum of travel that is
``inf``, a stock total past GraphQL's 32-bit Int): each is refused where it enters with
``VALUE_OUT_OF_RANGE`` and the field at fault, never carried to a crash. A text past its limit
is refused with ``VALUE_TOO_LONG`` rather than cut: nobody's words are lost without them
knowing.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

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
# A text field of a completion report (notes, symptom, comment), whichever door it came by.
MAX_REPORT_TEXT = 2000
# One visit's travel in a completion report, km (a day's driving is far less): its sums over
# any period stay finite, and the engineers' report skips a stored figure outside it.
MAX_TRAVEL_KM = 1_000
# One line of a stock document, a consumption, an expected part or a count (old parts,
# stocktake): far above any real visit or delivery, far below what a total can hold.
MAX_QUANTITY = 100_000
# A stock balance: what its INTEGER column and GraphQL's Int hold (a receipt past it is
# refused, ``inventory.ledger.post``).
MAX_BALANCE = 2**31 - 1
# Money is kept in whole fen (NUMERIC(12, 2) columns, or text of the same).
CENT = Decimal("0.01")


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


def check_number(value: float, field: str, minimum: float, maximum: float) -> float:
    """A finite measure within its range (NaN and the infinities are never within)."""
    if not (math.isfinite(value) and minimum <= value <= maximum):
        raise DomainError("VALUE_OUT_OF_RANGE", field=field, minimum=minimum, maximum=maximum)
    return value


def check_quantity(
    value: int, field: str, *, allow_zero: bool = False, maximum: int = MAX_QUANTITY
) -> int:
    """A count of items on one line: ``QUANTITY_OUT_OF_RANGE`` under 1 (under 0 where a count
    may be zero), ``VALUE_OUT_OF_RANGE`` over ``maximum``."""
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError("QUANTITY_OUT_OF_RANGE", field=field)
    return check_int(value, field, 0 if allow_zero else 1, maximum)


def check_cents(value: Decimal, field: str) -> Decimal:
    """An amount of money in whole fen: more decimals are refused (``AMOUNT_PRECISION``), never
    rounded away ("68.005" was kept as 68.01, "0.001" as 0.00). "68.000" is 68.00."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # an int: the value is finite
        if value != value.quantize(CENT):
            raise DomainError("AMOUNT_PRECISION", field=field, value=str(value))
        return value.quantize(CENT)
    return value
