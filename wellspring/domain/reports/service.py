"""The service KPIs (``ServiceKpis``) and open/overdue tickets by branch and type.

Definitions (docs/api.md, "Reports"): a ticket belongs to the period it was opened in
(``created_at``); "open" and "overdue" are judged now (``tickets.overdue_clause``: owed
work past its due time, or finished work completed after it). A REPAIR ticket completed in
the period is *fixed first time* when its one visit did it: exactly one of its jobs was
completed and none failed (a cancelled job never reached the site and does not count).
Times run from the ticket's opening to the first job's arrival on site and to the ticket's
completion, both the moments the engineer's phone recorded (``occurred_at``); CSAT is the
mean follow-up score (1-5) recorded in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..clock import clock_of
from ..hotline.stats import MissedCallStats, missed_call_stats
from ..models import FollowUp, Job, Ticket
from ..models.enums import TICKET_OPEN_STATUSES, FollowUpStatus, JobStatus, Role, TicketType
from ..tickets import overdue_clause
from . import scope
from .period import Period, hours, period_of, rate, seconds_between, within

SATISFIED = 4  # a score of 4 or 5 is a satisfied customer


@dataclass(frozen=True)
class ServiceKpis:
    opened: int
    open: int
    overdue: int
    repairs_completed: int
    fixed_first_time: int
    first_time_fix_rate: float | None
    arrivals_measured: int
    hours_to_arrival: float | None
    completions_measured: int
    hours_to_completion: float | None
    scores: int
    csat: float | None
    satisfied_rate: float | None
    # The hotline's missed calls (hotline/stats.py); None for a dealer, whose customers call
    # the company's hotline, not the dealer's.
    missed_calls: int | None = None
    returned_calls: int | None = None
    unreturned_calls: int | None = None
    call_return_rate: float | None = None


@dataclass(frozen=True)
class OpenTicketsRow:
    branch_id: str
    type: TicketType
    opened: int
    open: int
    overdue: int


def tickets_in(actor: Actor, period: Period) -> ColumnElement[bool]:
    """The actor's tickets, not deleted, in the period's branch (if any)."""
    condition = and_(scope.tickets(actor), Ticket.deleted_at.is_(None))
    if period.branch_id is not None:
        condition = condition & (Ticket.branch_id == period.branch_id)
    return condition


def _counts(now: dt.datetime) -> tuple[ColumnElement[int], ...]:
    is_open = Ticket.status.in_(TICKET_OPEN_STATUSES)
    return (
        func.count(Ticket.id),
        func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_open & overdue_clause(now), 1), else_=0)), 0),
    )


async def open_tickets(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[OpenTicketsRow]:
    """Tickets opened in the period by branch and type: how many, still open, overdue now."""
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    now = clock_of(session).now()
    rows = await session.execute(
        select(Ticket.branch_id, Ticket.type, *_counts(now))
        .where(tickets_in(actor, period), within(Ticket.created_at, period))
        .group_by(Ticket.branch_id, Ticket.type)
        .order_by(Ticket.branch_id, Ticket.type)
    )
    return [OpenTicketsRow(row[0], row[1], int(row[2]), int(row[3]), int(row[4])) for row in rows]


async def _first_time_fix(session: AsyncSession, actor: Actor, period: Period) -> tuple[int, int]:
    completed = func.sum(case((Job.status == JobStatus.COMPLETED, 1), else_=0))
    failed = func.sum(case((Job.status == JobStatus.FAILED, 1), else_=0))
    per_ticket = (
        select(Ticket.id, completed.label("done"), failed.label("failed"))
        .join(Job, and_(Job.ticket_id == Ticket.id, Job.deleted_at.is_(None)))
        .where(
            tickets_in(actor, period),
            Ticket.type == TicketType.REPAIR,
            Ticket.completed_at.is_not(None),
            within(Ticket.completed_at, period),
        )
        .group_by(Ticket.id)
        .subquery()
    )
    first_time = case(((per_ticket.c.done == 1) & (per_ticket.c.failed == 0), 1), else_=0)
    row = (
        await session.execute(
            select(func.count(per_ticket.c.id), func.coalesce(func.sum(first_time), 0))
        )
    ).one()
    return int(row[0]), int(row[1])


async def _time_to_arrival(
    session: AsyncSession, actor: Actor, period: Period
) -> tuple[int, float | None]:
    per_ticket = (
        select(Ticket.created_at.label("opened"), func.min(Job.arrived_at).label("arrived"))
        .join(Job, and_(Job.ticket_id == Ticket.id, Job.deleted_at.is_(None)))
        .where(
            tickets_in(actor, period),
            within(Ticket.created_at, period),
            Job.arrived_at.is_not(None),
        )
        .group_by(Ticket.id, Ticket.created_at)
        .subquery()
    )
    spent = seconds_between(per_ticket.c.opened, per_ticket.c.arrived, period.dialect)
    count, mean = (await session.execute(select(func.count(), func.avg(spent)))).one()
    return int(count), hours(mean)


async def _time_to_completion(
    session: AsyncSession, actor: Actor, period: Period
) -> tuple[int, float | None]:
    spent = seconds_between(Ticket.created_at, Ticket.completed_at, period.dialect)
    count, mean = (
        await session.execute(
            select(func.count(Ticket.id), func.avg(spent)).where(
                tickets_in(actor, period),
                within(Ticket.created_at, period),
                Ticket.completed_at.is_not(None),
            )
        )
    ).one()
    return int(count), hours(mean)


async def _csat(
    session: AsyncSession, actor: Actor, period: Period
) -> tuple[int, float | None, int]:
    count, mean, satisfied = (
        await session.execute(
            select(
                func.count(FollowUp.id),
                func.avg(FollowUp.score),
                func.coalesce(func.sum(case((FollowUp.score >= SATISFIED, 1), else_=0)), 0),
            )
            .join(Ticket, Ticket.id == FollowUp.ticket_id)
            .where(
                tickets_in(actor, period),
                FollowUp.deleted_at.is_(None),
                FollowUp.status == FollowUpStatus.DONE,
                FollowUp.score.is_not(None),
                FollowUp.recorded_at.is_not(None),
                within(FollowUp.recorded_at, period),
            )
        )
    ).one()
    average = None if mean is None else round(float(mean), 2)
    return int(count), average, int(satisfied)


async def service_kpis(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> ServiceKpis:
    """Open/overdue, first-time fix, times to arrival and completion, CSAT for the period."""
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    now = clock_of(session).now()
    counted = (
        await session.execute(
            select(*_counts(now)).where(
                tickets_in(actor, period), within(Ticket.created_at, period)
            )
        )
    ).one()
    opened, still_open, overdue = counted[0], counted[1], counted[2]
    repairs, fixed = await _first_time_fix(session, actor, period)
    arrivals, to_arrival = await _time_to_arrival(session, actor, period)
    completions, to_completion = await _time_to_completion(session, actor, period)
    scores, csat, satisfied = await _csat(session, actor, period)
    calls = await _calls(session, actor, period)
    return ServiceKpis(
        opened=int(opened),
        open=int(still_open),
        overdue=int(overdue),
        repairs_completed=repairs,
        fixed_first_time=fixed,
        first_time_fix_rate=rate(fixed, repairs),
        arrivals_measured=arrivals,
        hours_to_arrival=to_arrival,
        completions_measured=completions,
        hours_to_completion=to_completion,
        scores=scores,
        csat=csat,
        satisfied_rate=rate(satisfied, scores),
        missed_calls=calls.missed if calls else None,
        returned_calls=calls.returned if calls else None,
        unreturned_calls=calls.unreturned if calls else None,
        call_return_rate=float(calls.return_rate)
        if calls and calls.return_rate is not None
        else None,
    )


async def _calls(session: AsyncSession, actor: Actor, period: Period) -> MissedCallStats | None:
    """Missed calls of the period: a clerk's branch, the branch asked for, or all of them."""
    if actor.role is Role.AGENT:
        return None
    branch = period.branch_id
    if branch is None and not actor.sees_all_branches:
        branch = actor.branch_id
    return await missed_call_stats(session, branch_id=branch, start=period.start, end=period.end)
