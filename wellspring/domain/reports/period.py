"""A report's date range and branch, checked once, and the SQL every report shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, func
from sqlalchemy.ext.asyncio import AsyncSession

from .. import bounds, permissions
from ..actor import Actor
from ..config import TIME_ZONE
from ..errors import DomainError

MAX_DAYS = 366  # a year (and a leap day) at most: the indexes answer that in well under 1 s
READ = "report.read"


@dataclass(frozen=True)
class Period:
    """Days ``first``..``last`` inclusive (Asia/Shanghai); ``start``/``end`` the UTC instants
    [start, end) they cover; ``branch_id`` narrows every report to one branch when set."""

    first: dt.date
    last: dt.date
    branch_id: str | None
    start: dt.datetime
    end: dt.datetime
    dialect: str


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)


def period_of(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
    operation: str = READ,
) -> Period:
    """Check the actor may run the report (in that branch) and the range is sane."""
    permissions.check(actor, operation)
    if branch_id is not None:
        permissions.check(actor, operation, branch_id=branch_id)
    bounds.check_day(first, "from")
    bounds.check_day(last, "to")
    if last < first:
        raise DomainError("REPORT_RANGE_INVERTED", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError("REPORT_RANGE_TOO_LONG", field="to", maximum=MAX_DAYS)
    return Period(
        first=first,
        last=last,
        branch_id=branch_id,
        start=_instant(first),
        end=_instant(last + dt.timedelta(days=1)),
        dialect=session.get_bind().dialect.name,
    )


def within(column: Any, period: Period) -> ColumnElement[bool]:
    """An instant column inside the period (half-open, so no instant is counted twice)."""
    condition: ColumnElement[bool] = (column >= period.start) & (column < period.end)
    return condition


def seconds_between(earlier: Any, later: Any, dialect: str) -> ColumnElement[Any]:
    """``later - earlier`` in seconds, on either engine (UTC on both)."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def month_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """``YYYY-MM`` of an instant in Asia/Shanghai (UTC+8 all year: no daylight saving)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")


def hours(seconds: Any) -> float | None:
    """An average of seconds as hours, to one decimal; None when nothing was measured."""
    return None if seconds is None else round(float(seconds) / 3600.0, 1)


def rate(part: int, whole: int) -> float | None:
    """A share to three decimals; None (not 0) when there was nothing to measure."""
    return None if whole == 0 else round(part / whole, 3)


def as_float(value: Any) -> ColumnElement[Any]:
    return cast(value, Float)
