"""Engineer performance: jobs done and failed, travel, and their customers' scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import bounds
from ..actor import Actor
from ..models import FollowUp, Job, JobStatusChange
from ..models.enums import FollowUpStatus, JobStatus
from . import scope
from .period import Period, hours, period_of, seconds_between, within


@dataclass(frozen=True)
class EngineerRow:
    technician_id: str
    completed: int
    failed: int
    travel_km: float  # the distances the engineers reported on completed jobs
    hours_travelling: float | None  # mean, start of travel to arrival
    scores: int
    average_score: float | None


def _jobs(actor: Actor, period: Period):  # type: ignore[no-untyped-def]
    """Jobs finished in the period: completed then, or failed then (the phone's time of the
    FAILED move in the job's history)."""
    failed_then = select(JobStatusChange.job_id).where(
        JobStatusChange.to_status == JobStatus.FAILED, within(JobStatusChange.at, period)
    )
    finished = or_(
        (Job.status == JobStatus.COMPLETED)
        & Job.completed_at.is_not(None)
        & within(Job.completed_at, period),
        (Job.status == JobStatus.FAILED) & Job.id.in_(failed_then),
    )
    condition = and_(
        scope.jobs(actor),
        Job.deleted_at.is_(None),
        Job.technician_id.is_not(None),
        finished,
    )
    if period.branch_id is not None:
        condition = condition & (Job.branch_id == period.branch_id)
    return condition


async def engineers(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[EngineerRow]:
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    done = Job.status == JobStatus.COMPLETED
    reported = cast(Job.report["travel_distance_km"].as_float(), Float)
    # Only a plausible figure counts: one stored before the bound (1e308 twice is inf on
    # SQLite, an overflow error on PostgreSQL) is left out, as if not reported.
    km = case((reported.between(0, bounds.MAX_TRAVEL_KM), reported), else_=None)
    travel = case(
        (
            done & Job.started_travel_at.is_not(None) & Job.arrived_at.is_not(None),
            seconds_between(Job.started_travel_at, Job.arrived_at, period.dialect),
        ),
        else_=None,
    )
    rows = (
        await session.execute(
            select(
                Job.technician_id,
                func.sum(case((done, 1), else_=0)),
                func.sum(case((Job.status == JobStatus.FAILED, 1), else_=0)),
                func.coalesce(func.sum(case((done, km), else_=None)), 0.0),
                func.avg(travel),
            )
            .where(_jobs(actor, period))
            .group_by(Job.technician_id)
            .order_by(Job.technician_id)
        )
    ).all()
    scores = await _scores(session, actor, period)
    result = []
    for tech, completed, failed, distance, travelling in rows:
        count, mean = scores.get(tech, (0, None))
        result.append(
            EngineerRow(
                technician_id=tech,
                completed=int(completed or 0),
                failed=int(failed or 0),
                travel_km=round(float(distance or 0), 1),
                hours_travelling=hours(travelling),
                scores=count,
                average_score=mean,
            )
        )
    return result


async def _scores(
    session: AsyncSession, actor: Actor, period: Period
) -> dict[str, tuple[int, float | None]]:
    """Follow-up scores of the tickets of each engineer's completed jobs in the period."""
    rows = await session.execute(
        select(Job.technician_id, func.count(FollowUp.id), func.avg(FollowUp.score))
        .join(FollowUp, FollowUp.ticket_id == Job.ticket_id)
        .where(
            _jobs(actor, period),
            Job.status == JobStatus.COMPLETED,
            FollowUp.status == FollowUpStatus.DONE,
            FollowUp.score.is_not(None),
            FollowUp.deleted_at.is_(None),
        )
        .group_by(Job.technician_id)
    )
    return {
        tech: (int(n), None if mean is None else round(float(mean), 2)) for tech, n, mean in rows
    }
