"""An outlet's periodic assessment: scores per criterion beside the system's own figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import OutletAssessment
from .figures import OutletFigures, outlet_figures
from .outlets import visible_outlet

MAX_CRITERIA = 20
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    score: int  # 0..100


@dataclass(frozen=True)
class AssessmentForm:
    """The form as it opens: the outlet, the period, the figures and scores they suggest."""

    outlet_id: str
    period_start: dt.date
    period_end: dt.date
    figures: OutletFigures


def _period(start: dt.date, end: dt.date) -> None:
    if end < start or (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainError("ASSESSMENT_PERIOD_INVALID", field="period_end", maximum=MAX_PERIOD_DAYS)


async def assessment_form(
    session: AsyncSession, actor: Actor, *, outlet_id: str, start: dt.date, end: dt.date
) -> AssessmentForm:
    """The figures an assessment of the outlet over the period starts from."""
    permissions.check(actor, "outlet.assess")
    _period(start, end)
    outlet = await visible_outlet(session, actor, outlet_id)
    permissions.check(actor, "outlet.assess", branch_id=outlet.branch_id)
    figures = await outlet_figures(session, outlet_id=outlet.id, start=start, end=end)
    return AssessmentForm(outlet.id, start, end, figures)


async def record_assessment(
    session: AsyncSession,
    actor: Actor,
    *,
    outlet_id: str,
    start: dt.date,
    end: dt.date,
    scores: list[CriterionScore],
    comment: str = "",
) -> OutletAssessment:
    """Record an assessment; the system's figures for the period are kept with it."""
    form = await assessment_form(session, actor, outlet_id=outlet_id, start=start, end=end)
    if not scores:
        raise DomainError("REQUIRED", field="scores")
    if len(scores) > MAX_CRITERIA:
        raise DomainError("TOO_MANY_ITEMS", field="scores", maximum=MAX_CRITERIA)
    seen: set[str] = set()
    clean = []
    for i, item in enumerate(scores):
        name = item.criterion.strip()
        if not name or len(name) > 50 or name in seen:
            raise DomainError("INVALID_SCORE", field=f"scores.{i}.criterion")
        if not 0 <= item.score <= 100:
            raise DomainError("INVALID_SCORE", field=f"scores.{i}.score")
        seen.add(name)
        clean.append({"criterion": name, "score": item.score})
    text = comment.strip()
    if len(text) > 1000:
        raise DomainError("VALUE_TOO_LONG", field="comment", maximum=1000)
    total = (Decimal(sum(s.score for s in scores)) / len(scores)).quantize(Decimal("0.01"))
    row = OutletAssessment(
        outlet_id=form.outlet_id,
        period_start=start,
        period_end=end,
        assessor_id=actor.user_id,
        scores=clean,
        total_score=total,
        comment=text,
        figures=form.figures.as_dict(),
    )
    session.add(row)
    await session.flush()
    audit.record(
        session, actor, "outlet.assessed", entity_type="OutletAssessment", entity_id=row.id
    )
    return row


async def assessments_of(session: AsyncSession, outlet_id: str) -> list[OutletAssessment]:
    """An outlet's assessments, newest period first (the caller has checked the outlet)."""
    rows = await session.execute(
        select(OutletAssessment)
        .where(OutletAssessment.outlet_id == outlet_id, OutletAssessment.deleted_at.is_(None))
        .order_by(OutletAssessment.period_start.desc(), OutletAssessment.id)
        .limit(50)
    )
    return list(rows.scalars().all())
