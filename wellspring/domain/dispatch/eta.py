"""Estimated arrival times of an engineer's remaining stops, recomputed as the day unfolds.

Called when the phone reports a position, when the engineer starts travelling, arrives,
completes or fails a stop. The chain starts from where the engineer is (or from the site
they are working at, once its service time is over) and walks the applied route in order.
A job the engineer is travelling to has an estimate even without a route plan: the travel
model's leg from their known position (phone, today's last site or home; never the branch).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import String, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import TIME_ZONE, config_of
from ..models import Address, Branch, Job, RoutePlan, Technician, Ticket
from ..models.base import UTCDateTime
from ..models.enums import JOB_OPEN_STATUSES, JobStatus
from . import rules, trips
from .locate import PositionSource, address_site, local_day, technician_position

# An estimate that moved less than this is left alone: fewer writes, fewer sync changes.
MIN_CHANGE = dt.timedelta(minutes=2)


@cache
def _remaining_stops() -> Any:
    """Today's routed open jobs of an engineer and the ones they travel to or work at, with
    their tickets and addresses. Built once with bound parameters: every position update runs it."""
    start = bindparam("start", type_=UTCDateTime)
    return (
        select(Job, Ticket, Address)
        .join(Ticket, Ticket.id == Job.ticket_id)
        .outerjoin(Address, Address.id == Ticket.address_id)
        .where(
            Job.technician_id == bindparam("tech", type_=String),
            Job.status.in_(JOB_OPEN_STATUSES),
            or_(
                # on the way or on site, routed or not: where the engineer is now
                Job.status.in_((JobStatus.EN_ROUTE, JobStatus.ON_SITE)),
                and_(
                    Job.route_position.is_not(None),
                    Job.planned_arrival >= start,
                    Job.planned_arrival < bindparam("end", type_=UTCDateTime),
                ),
            ),
            Job.deleted_at.is_(None),
        )
        .order_by(Job.route_position, Job.id)
    )


def clear_route(job: Job) -> None:
    """The job leaves its route: its position, planned arrival and estimate no longer hold."""
    job.route_plan_id = job.route_position = None
    job.planned_arrival = job.eta = None


async def refresh(session: AsyncSession, tech: Technician, now: dt.datetime) -> list[Job]:
    """Recompute and store the ETA of each of today's routed open jobs; returns those changed."""
    changed, _travelling_to = await refresh_trips(session, tech, now)
    return changed


async def refresh_trips(
    session: AsyncSession, tech: Technician, now: dt.datetime
) -> tuple[list[Job], list[str]]:
    """``refresh``'s answer, and the ticket of the visit the engineer is travelling to
    (``trips``; every EN_ROUTE and ON_SITE job is among the stops read): a position update
    tells that customer without a statement of its own (issue 19 §4)."""
    day = local_day(now)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)
    values = {"tech": tech.id, "start": start, "end": start + dt.timedelta(days=1)}
    rows = (await session.execute(_remaining_stops(), values)).all()
    trip = trips.current_trip(job for job, _, _ in rows)
    travelling_to = [trip.ticket_id] if trip is not None else []
    return await _estimate(session, tech, now, rows), travelling_to


async def _estimate(
    session: AsyncSession, tech: Technician, now: dt.datetime, rows: Any
) -> list[Job]:
    """The ETAs of the stops ``rows`` (``_remaining_stops``) stored; those changed."""
    if not rows:
        return []
    stops = [(job, ticket, address_site(address), address) for job, ticket, address in rows]
    branch = await session.get(Branch, tech.branch_id)
    dispatch = config_of(session).dispatch
    here = technician_position(tech, now, dispatch.position_max_age, branch)
    point = here.point if here is not None else None
    # Off a plan, the branch's own point says nothing about where the engineer is.
    known = here is not None and here.source is not PositionSource.BRANCH
    clock = now
    on_site = next((s for s in stops if s[0].status is JobStatus.ON_SITE), None)
    if on_site is not None:
        job, ticket, site, _ = on_site
        point = site.point if site is not None else point
        began = job.arrived_at or now
        clock = max(now, began + dt.timedelta(seconds=rules.service_seconds(ticket.type)))
    en_route = [s for s in stops if s[0].status is JobStatus.EN_ROUTE]
    waiting = [s for s in stops if s[0].status not in (JobStatus.ON_SITE, JobStatus.EN_ROUTE)]
    plan_id = next((job.route_plan_id for job, _, _ in rows if job.route_plan_id), None)
    lunch_after = await _planned_lunch(session, plan_id, tech.id)
    lunch_due = (
        now.astimezone(TIME_ZONE).time() < rules.LUNCH_LATEST_END and lunch_after is not None
    )
    travel = dispatch.travel
    changed: list[Job] = []
    for job, ticket, site, address in [*en_route, *waiting]:
        if site is None or point is None or (job.route_position is None and not known):
            continue
        hour = clock.astimezone(TIME_ZONE).hour
        leg = travel.estimate(point, site.point, city=address.city if address else "", hour=hour)
        arrival = clock + dt.timedelta(seconds=leg.seconds)
        if job.eta is None or abs(job.eta - arrival) >= MIN_CHANGE:
            job.eta = arrival
            job.eta_updated_at = now
            changed.append(job)
        begins = max(arrival, job.appointment_start or arrival)
        clock = begins + dt.timedelta(seconds=rules.service_seconds(ticket.type))
        point = site.point
        if lunch_due and lunch_after is not None and (job.route_position or 0) >= lunch_after:
            clock += dt.timedelta(minutes=rules.LUNCH_MINUTES)
            lunch_due = False
    return changed


async def _planned_lunch(session: AsyncSession, plan_id: str | None, tech_id: str) -> int | None:
    """After which route position the applied plan put the engineer's lunch, if it did."""
    if plan_id is None:
        return None
    plan = await session.get(RoutePlan, plan_id)
    if plan is None:
        return None
    route: dict[str, Any] = next((r for r in plan.routes if r["technician_id"] == tech_id), {})
    after = route.get("lunch_after_position")
    return int(after) if after is not None else None
