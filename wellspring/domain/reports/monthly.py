"""The monthly management summary: every report of one month (Asia/Shanghai), as tables for
a workbook with a chart on each sheet (``wellspring report monthly``,
``GET /reports/monthly.xlsx``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..errors import DomainError
from .tables import BUILDERS, Table


def month_days(month: str) -> tuple[dt.date, dt.date]:
    """``2026-11`` as its first and last day."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError) as exc:
        raise DomainError("INVALID_ARGUMENT", field="month") from exc
    if len(month) != 7 or not dt.date(1970, 1, 1) <= first <= dt.date(2199, 11, 1):
        raise DomainError("INVALID_ARGUMENT", field="month")
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


async def summary(
    session: AsyncSession, actor: Actor, *, month: str, branch_id: str | None = None
) -> list[Table]:
    """Every report of the month, in the order of the workbook's sheets."""
    permissions.check(actor, "report.monthly")
    first, last = month_days(month)
    kw = {"branch_id": branch_id, "first": first, "last": last}
    return [await build(session, actor, kw) for build in BUILDERS.values()]
