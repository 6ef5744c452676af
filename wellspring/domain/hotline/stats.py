"""Missed and returned calls over a period: the figure the company measures (domain.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import TIME_ZONE
from ..models import MissedCall
from ..models.enums import MissedCallStatus


@dataclass(frozen=True)
class MissedCallStats:
    missed: int
    returned: int  # a call back reached the caller
    unreturned: int  # still open, or closed without reaching anyone
    return_rate: Decimal | None  # returned / missed, 4 places; None without missed calls


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        return start, end
    low = dt.datetime.combine(start, dt.time(), TIME_ZONE)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TIME_ZONE)
    return low.astimezone(dt.UTC), high.astimezone(dt.UTC)


async def missed_call_stats(
    session: AsyncSession, *, branch_id: str | None, start: dt.date, end: dt.date
) -> MissedCallStats:
    """Calls missed between ``start`` and ``end`` (dates: Shanghai days, both inclusive;
    timezone-aware datetimes: the half-open interval [start, end)), for one branch (calls
    matched to its customers) or all (``None``, unknown callers included).

    No permission check: the caller (the reports' ServiceKpis) has checked its own.
    """
    low, high = _bounds(start, end)
    stmt = select(
        func.count(MissedCall.id),
        func.coalesce(
            func.sum(case((MissedCall.status == MissedCallStatus.RETURNED, 1), else_=0)), 0
        ),
    ).where(
        MissedCall.called_at >= low, MissedCall.called_at < high, MissedCall.deleted_at.is_(None)
    )
    if branch_id is not None:
        stmt = stmt.where(MissedCall.branch_id == branch_id)
    missed, returned = (await session.execute(stmt)).one()
    missed, returned = int(missed), int(returned)
    rate = (Decimal(returned) / missed).quantize(Decimal("0.0001")) if missed else None
    return MissedCallStats(missed, returned, missed - returned, rate)
