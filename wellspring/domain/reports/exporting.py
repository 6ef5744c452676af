"""What a report export asks for (``GET /reports/<name>.csv|.xlsx``, the command line): the
filters of the query string checked, then the tables, before any byte of the file."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..errors import DomainError
from ..exports.filters import Filters
from . import monthly
from .tables import Table, parse_report, table

FILTERS = frozenset({"from", "to", "branch", "month"})
MONTHLY = "monthly"


async def requested(
    session: AsyncSession, actor: Actor, name: str, values: dict[str, str]
) -> list[Table]:
    """``monthly`` (``month=YYYY-MM``) or one report (``from``, ``to``: YYYY-MM-DD); both
    take ``branch`` (a branch code)."""
    f = Filters(values, FILTERS)
    branch_id = await f.branch_id(session)
    if name == MONTHLY:
        month = f.text("month") or ""
        return await monthly.summary(session, actor, month=month, branch_id=branch_id)
    report = parse_report(name)
    first, last = f.date("from"), f.date("to")
    if first is None or last is None:
        raise DomainError("REQUIRED", field="from" if first is None else "to")
    return [await table(session, actor, report, branch_id=branch_id, first=first, last=last)]
