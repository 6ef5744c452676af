"""Follow-up scores and dissatisfaction categories by month (回访满意度)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..models import FollowUp, Ticket
from ..models.enums import Dissatisfaction, FollowUpStatus
from .period import month_of, period_of, within
from .service import tickets_in


@dataclass
class MonthRow:
    month: str  # YYYY-MM, Asia/Shanghai, of the call's recording
    scores: int = 0
    average_score: float | None = None
    by_score: dict[int, int] = field(default_factory=dict)  # 1..5 -> count
    dissatisfaction: dict[Dissatisfaction, int] = field(default_factory=dict)


async def follow_ups_by_month(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[MonthRow]:
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    month = month_of(FollowUp.recorded_at, period.dialect)
    rows = await session.execute(
        select(month, FollowUp.score, FollowUp.dissatisfaction, func.count(FollowUp.id))
        .join(Ticket, Ticket.id == FollowUp.ticket_id)
        .where(
            tickets_in(actor, period),
            FollowUp.deleted_at.is_(None),
            FollowUp.status == FollowUpStatus.DONE,
            FollowUp.recorded_at.is_not(None),
            within(FollowUp.recorded_at, period),
        )
        .group_by(month, FollowUp.score, FollowUp.dissatisfaction)
    )
    months: dict[str, MonthRow] = {}
    total: dict[str, int] = {}
    for name, score, category, count in rows:
        row = months.setdefault(str(name), MonthRow(str(name)))
        n = int(count)
        if score is not None:
            row.scores += n
            row.by_score[int(score)] = row.by_score.get(int(score), 0) + n
            total[row.month] = total.get(row.month, 0) + int(score) * n
        if category is not None:
            row.dissatisfaction[category] = row.dissatisfaction.get(category, 0) + n
    for row in months.values():
        if row.scores:
            row.average_score = round(total[row.month] / row.scores, 2)
    return [months[k] for k in sorted(months)]
