"""The system's own numbers on an outlet's work over a period: what an assessment starts from.

- first-time fix: of the tickets its engineers completed in the period, those done in one
  visit (the ticket never had a second job);
- punctuality: of its completed jobs that had an appointment window, those whose engineer
  arrived by the window's end;
- follow-up: the mean score (1-5) of the follow-up calls recorded on those tickets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import TIME_ZONE
from ..models import FollowUp, Job, Technician
from ..models.enums import JobStatus

CRITERIA = ("FIRST_TIME_FIX", "PUNCTUALITY", "SATISFACTION")


@dataclass(frozen=True)
class OutletFigures:
    jobs_completed: int
    tickets_completed: int
    fixed_first_time: int
    first_time_fix_rate: Decimal | None  # 0..1, None without tickets
    with_appointment: int
    on_time: int
    punctuality_rate: Decimal | None
    follow_ups: int
    follow_up_score: Decimal | None  # mean 1..5

    def as_dict(self) -> dict[str, object]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}

    def suggested_scores(self) -> dict[str, int | None]:
        """The figures as 0-100 scores per criterion (the assessor may change them)."""

        def pct(value: Decimal | None, scale: Decimal = Decimal(100)) -> int | None:
            return None if value is None else int((value * scale).to_integral_value())

        return {
            "FIRST_TIME_FIX": pct(self.first_time_fix_rate),
            "PUNCTUALITY": pct(self.punctuality_rate),
            "SATISFACTION": pct(self.follow_up_score, Decimal(20)),
        }


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end + 1 day 00:00) in Shanghai time, as UTC instants."""
    low = dt.datetime.combine(start, dt.time(), TIME_ZONE).astimezone(dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TIME_ZONE)
    return low, high.astimezone(dt.UTC)


def _rate(part: int, whole: int, places: str = "0.0001") -> Decimal | None:
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal(places))


async def outlet_figures(
    session: AsyncSession, *, outlet_id: str, start: dt.date, end: dt.date
) -> OutletFigures:
    low, high = day_bounds(start, end)
    engineers = select(Technician.id).where(Technician.outlet_id == outlet_id)
    jobs = (
        await session.execute(
            select(Job.ticket_id, Job.appointment_end, Job.arrived_at).where(
                Job.technician_id.in_(engineers),
                Job.status == JobStatus.COMPLETED,
                Job.completed_at >= low,
                Job.completed_at < high,
                Job.deleted_at.is_(None),
            )
        )
    ).all()
    tickets = {row.ticket_id for row in jobs}
    visits: dict[str, int] = {}
    if tickets:
        counted = await session.execute(
            select(Job.ticket_id, func.count())
            .where(Job.ticket_id.in_(tickets), Job.deleted_at.is_(None))
            .group_by(Job.ticket_id)
        )
        visits = {ticket_id: int(n) for ticket_id, n in counted.all()}
    first_time = sum(1 for t in tickets if visits.get(t, 0) == 1)
    windows = [r for r in jobs if r.appointment_end is not None and r.arrived_at is not None]
    on_time = sum(1 for r in windows if r.arrived_at <= r.appointment_end)
    scores = (
        (
            await session.execute(
                select(FollowUp.score).where(
                    FollowUp.ticket_id.in_(tickets) if tickets else FollowUp.id.is_(None),
                    FollowUp.score.is_not(None),
                    FollowUp.deleted_at.is_(None),
                )
            )
        )
        .scalars()
        .all()
    )
    mean = (
        (Decimal(sum(s for s in scores if s is not None)) / len(scores)).quantize(Decimal("0.01"))
        if scores
        else None
    )
    return OutletFigures(
        jobs_completed=len(jobs),
        tickets_completed=len(tickets),
        fixed_first_time=first_time,
        first_time_fix_rate=_rate(first_time, len(tickets)),
        with_appointment=len(windows),
        on_time=on_time,
        punctuality_rate=_rate(on_time, len(windows)),
        follow_ups=len(scores),
        follow_up_score=mean,
    )
