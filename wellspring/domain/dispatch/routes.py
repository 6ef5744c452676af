"""OptimizeRoutes and ApplyRoutePlan: a branch's day planned (VROOM and PyVRP, the better
plan: ``geo.planner``), then put on the jobs.

The plan's clock counts seconds from local midnight (Asia/Shanghai) of the planned day. Each
engineer on shift is a vehicle: it starts where the engineer is (today) or at home (a later
day), within the shift, with a lunch break and the engineer's skills (ticket types); the day
ends at the last stop, because the drive home is not worked time. Jobs carry their agreed
window and a service time by type. Re-planning during the day keeps work already under way
fixed: an engineer on site starts from that site when the visit ends; one en route goes to
that job first.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import planner, vrp
from ...geo.distance import Point
from ...geo.travel import TravelModel
from .. import audit, policy
from ..actor import Actor
from ..errors import DomainError, present
from ..models import Address, Branch, Job, RoutePlan, Technician, Ticket, utcnow
from ..models.enums import (
    JOB_OPEN_STATUSES,
    BranchKind,
    JobStatus,
    RoutePlanStatus,
    TicketType,
)
from ..workflow import dispatching, states
from . import config, eta, rules
from .locate import SHANGHAI, Site, address_site, home_point, local_day, technician_position

SKILL = {t: i + 1 for i, t in enumerate(TicketType)}
PINNED_SKILL_BASE = 1000  # one private skill per engineer keeps accepted jobs with them
MOVABLE = frozenset({JobStatus.PENDING, JobStatus.ASSIGNED})
UNDER_WAY = frozenset({JobStatus.EN_ROUTE, JobStatus.ON_SITE})
# Why a job was left out of a plan; each has an UNPLACED_<reason> message in wellspring.i18n.
UNPLACED_REASONS = (
    "NO_COORDINATES",
    "NO_SKILLED_TECHNICIAN",
    "OUTSIDE_SHIFTS",
    "DAY_FULL",
    "APPOINTMENT_PASSED",
    "TECHNICIAN_OFF_SHIFT",
)
SOLVER_REASONS = {
    "NO_SKILLED_VEHICLE": "NO_SKILLED_TECHNICIAN",
    "OUTSIDE_SHIFTS": "OUTSIDE_SHIFTS",
    "NO_CAPACITY": "DAY_FULL",
}


@dataclass
class _Vehicle:
    tech: Technician
    start: Point
    start_source: str
    ready: int  # clock seconds when free to drive to the first planned stop
    shift_end: int
    skills: set[int]
    fixed: list[dict[str, Any]] = field(default_factory=list)
    lunch: vrp.VrpBreak | None = None


@dataclass
class _Stop:
    job: Job
    ticket: Ticket
    site: Site | None
    city: str


class _Clock:
    """Seconds from the planned day's local midnight, and back to aware datetimes."""

    def __init__(self, day: dt.date) -> None:
        self.origin = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)

    def of(self, moment: dt.datetime) -> int:
        return int((moment - self.origin).total_seconds())

    def at(self, seconds: int) -> dt.datetime:
        return (self.origin + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)

    def iso(self, seconds: int) -> str:
        return self.at(seconds).isoformat()

    @staticmethod
    def of_time(value: dt.time) -> int:
        return value.hour * 3600 + value.minute * 60 + value.second


async def optimize_routes(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str,
    day: dt.date,
    now: dt.datetime | None = None,
) -> RoutePlan:
    """Plan the day and save the plan as PROPOSED; nothing on the jobs changes yet.

    ``now`` is the moment the plan starts from (tests replay a day at a chosen hour).
    """
    states.check_role(states.ASSIGN, actor.role)
    branch = await _branch(session, actor, branch_id)
    now = now or utcnow()
    today = local_day(now)
    if day < today:
        raise DomainError("DATE_IN_PAST", field="date")
    clock = _Clock(day)
    now_clock = clock.of(now) if day == today else 0

    techs = list(
        (
            await session.execute(
                select(Technician).where(
                    Technician.branch_id == branch.id,
                    Technician.is_active.is_(True),
                    Technician.deleted_at.is_(None),
                )
            )
        ).scalars()
    )
    if not techs:
        raise DomainError("NO_TECHNICIANS", field="branchId")
    stops = await _day_jobs(session, branch.id, clock, day == today)
    if not stops:
        raise DomainError("NOTHING_TO_PLAN", field="date")

    travel = config.current().travel
    hour = now.astimezone(SHANGHAI).hour if day == today else 10
    unplaced: list[dict[str, Any]] = []
    vehicles: list[_Vehicle] = []
    under_way: dict[str, list[_Stop]] = {}
    for stop in stops:
        if stop.job.status in UNDER_WAY and stop.job.technician_id is not None:
            under_way.setdefault(stop.job.technician_id, []).append(stop)
    for index, tech in enumerate(sorted(techs, key=lambda t: t.id)):
        vehicle = _vehicle(tech, index, branch, clock, day, now, now_clock, under_way, travel, hour)
        if vehicle is not None:
            vehicles.append(vehicle)
    if not vehicles:
        raise DomainError("NO_SHIFTS", field="date")

    by_tech = {v.tech.id: i for i, v in enumerate(vehicles)}
    points: list[Point] = [v.start for v in vehicles]
    jobs: list[vrp.VrpJob] = []
    planned: list[_Stop] = []
    for stop in stops:
        job = stop.job
        if job.status in UNDER_WAY:
            if job.technician_id not in by_tech:
                unplaced.append({"jobId": job.id, "reason": "TECHNICIAN_OFF_SHIFT"})
            continue
        reason = _cannot_plan(stop, by_tech, clock, now_clock)
        if reason is not None:
            unplaced.append({"jobId": job.id, "reason": reason})
            continue
        site = present(stop.site, "a plannable stop's site")
        skills = {SKILL[stop.ticket.type]}
        if job.status is JobStatus.ACCEPTED and job.technician_id is not None:
            skills.add(PINNED_SKILL_BASE + by_tech[job.technician_id])
        windows: tuple[tuple[int, int], ...] = ()
        if job.appointment_start is not None and job.appointment_end is not None:
            windows = ((max(0, clock.of(job.appointment_start)), clock.of(job.appointment_end)),)
        jobs.append(
            vrp.VrpJob(
                id=len(planned),
                location=len(points),
                service=rules.service_seconds(stop.ticket.type),
                time_windows=windows,
                skills=frozenset(skills),
                priority=rules.PRIORITY_WEIGHT.get(stop.ticket.priority, 0),
            )
        )
        points.append(site.point)
        planned.append(stop)

    durations, metres = travel.matrix(points, city=branch.city, hour=hour)
    problem = vrp.VrpProblem(
        jobs=tuple(jobs),
        vehicles=tuple(
            vrp.VrpVehicle(
                id=i,
                start=i,
                end=None,
                time_window=(v.ready, max(v.ready, v.shift_end)),
                skills=frozenset(v.skills),
                breaks=(v.lunch,) if v.lunch is not None else (),
            )
            for i, v in enumerate(vehicles)
        ),
        durations=durations,
        distances=metres,
    )
    cfg = config.current()
    started = time.perf_counter()
    solution = (
        planner.solve(
            problem,
            time_budget_seconds=cfg.route_time_budget_seconds,
            exploration_level=cfg.exploration_level,
            threads=cfg.solver_threads,
            vroom_timeout_seconds=cfg.solver_timeout_seconds,
        ).solution
        if jobs
        else vrp.VrpSolution(routes=(), unassigned=(), cost=0)
    )
    solve_ms = int((time.perf_counter() - started) * 1000)
    for job_index in solution.unassigned:
        reason = SOLVER_REASONS[vrp.explain_unassigned(problem, job_index)]
        unplaced.append({"jobId": planned[job_index].job.id, "reason": reason})

    routes = _routes(vehicles, solution, planned, durations, metres, clock)
    plan = RoutePlan(
        branch_id=branch.id,
        day=day,
        status=RoutePlanStatus.PROPOSED,
        created_by_id=actor.user_id,
        routes=routes,
        unplaced=unplaced,
        distance_m=sum(r["distanceMeters"] for r in routes),
        duration_s=sum(r["durationSeconds"] for r in routes),
        solve_ms=solve_ms,
    )
    session.add(plan)
    await session.flush()
    audit.record(
        session,
        actor,
        "route_plan.proposed",
        entity_type="RoutePlan",
        entity_id=plan.id,
        branch_id=branch.id,
        day=day.isoformat(),
        jobs=sum(len(r["stops"]) for r in routes),
        unplaced=len(unplaced),
    )
    return plan


async def _branch(session: AsyncSession, actor: Actor, branch_id: str) -> Branch:
    branch = (
        await session.execute(
            select(Branch).where(Branch.id == branch_id, policy.scope(Branch, actor))
        )
    ).scalar_one_or_none()
    if branch is None or branch.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="branchId")
    if branch.kind is BranchKind.HQ or not branch.is_active:
        raise DomainError("INVALID_BRANCH", field="branchId")
    policy.check_own_branch(actor, branch.id)
    return branch


async def _day_jobs(
    session: AsyncSession, branch_id: str, clock: _Clock, is_today: bool
) -> list[_Stop]:
    """Open jobs appointed that day, plus unscheduled ones waiting for an engineer's visit."""
    start = clock.at(0)
    end = clock.at(86_400)
    on_day = (Job.appointment_start >= start) & (Job.appointment_start < end)
    unscheduled = Job.appointment_start.is_(None) & Job.status.in_(
        [JobStatus.PENDING, JobStatus.ASSIGNED, JobStatus.ACCEPTED]
    )
    conditions: list[ColumnElement[bool]] = [on_day, unscheduled]
    if is_today:
        conditions.append(Job.status.in_(list(UNDER_WAY)))  # whatever its appointment said
    rows = (
        await session.execute(
            select(Job, Ticket, Address)
            .join(Ticket, Ticket.id == Job.ticket_id)
            .outerjoin(Address, Address.id == Ticket.address_id)
            .where(
                Job.branch_id == branch_id,
                Job.status.in_(JOB_OPEN_STATUSES),
                Job.deleted_at.is_(None),
                or_(*conditions),
            )
            .order_by(Job.number)
        )
    ).all()
    return [
        _Stop(job, ticket, address_site(address), address.city if address else "")
        for job, ticket, address in rows
    ]


def _vehicle(
    tech: Technician,
    index: int,
    branch: Branch,
    clock: _Clock,
    day: dt.date,
    now: dt.datetime,
    now_clock: int,
    under_way: dict[str, list[_Stop]],
    travel: TravelModel,
    hour: int,
) -> _Vehicle | None:
    """The engineer as a vehicle for the day, or None without a shift (or with it over)."""
    if not rules.works_on(tech.work_days, day):
        return None
    shift_start, shift_end = clock.of_time(tech.shift_start), clock.of_time(tech.shift_end)
    if now_clock >= shift_end:
        return None
    if now_clock > 0:
        located = technician_position(tech, now, branch)
        start = located.point if located is not None else None
        source = located.source.value if located is not None else ""
    else:
        start, source = home_point(tech, branch), "HOME"
    if start is None:
        return None
    ready = max(shift_start, now_clock)
    fixed: list[dict[str, Any]] = []
    # Work under way is fixed: first the visit in progress, then the job being driven to.
    ordered = sorted(
        under_way.get(tech.id, []), key=lambda s: s.job.status is not JobStatus.ON_SITE
    )
    for stop in ordered:
        if stop.site is None:
            continue
        service = rules.service_seconds(stop.ticket.type)
        if stop.job.status is JobStatus.ON_SITE:
            arrived = clock.of(stop.job.arrived_at) if stop.job.arrived_at else now_clock
            leg_s, leg_m = 0, 0
        else:
            leg = travel.estimate(start, stop.site.point, city=stop.city, hour=hour)
            arrived, leg_s, leg_m = ready + leg.seconds, leg.seconds, leg.metres
        begins = max(arrived, clock.of(stop.job.appointment_start or clock.at(arrived)))
        ready = max(ready, begins + service)
        start = stop.site.point
        fixed.append(
            {
                "jobId": stop.job.id,
                "arrivalAt": clock.iso(arrived),
                "serviceStartAt": clock.iso(begins),
                "departureAt": clock.iso(begins + service),
                "travelSeconds": leg_s,
                "distanceMeters": leg_m,
                "waitingSeconds": max(0, begins - arrived),
                "fixed": True,
                "approximate": stop.site.approximate,
            }
        )
    lunch = None
    lunch_from = max(clock.of_time(rules.LUNCH_EARLIEST), ready)
    lunch_to = clock.of_time(rules.LUNCH_LATEST_END) - rules.LUNCH_MINUTES * 60
    if shift_start <= lunch_to and shift_end >= lunch_to and lunch_from <= lunch_to:
        lunch = vrp.VrpBreak(
            id=index, time_windows=((lunch_from, lunch_to),), service=rules.LUNCH_MINUTES * 60
        )
    skills = {SKILL[TicketType(s)] for s in tech.skills or [] if s in TicketType.__members__}
    skills.add(PINNED_SKILL_BASE + index)
    return _Vehicle(tech, start, source, ready, shift_end, skills, fixed, lunch)


def _cannot_plan(stop: _Stop, by_tech: dict[str, int], clock: _Clock, now_clock: int) -> str | None:
    """Why a job is left out before the solver sees it, if it is."""
    job = stop.job
    if stop.site is None:
        return "NO_COORDINATES"
    if job.status is JobStatus.ACCEPTED and job.technician_id not in by_tech:
        return "TECHNICIAN_OFF_SHIFT"
    if job.appointment_end is not None and clock.of(job.appointment_end) <= now_clock:
        return "APPOINTMENT_PASSED"
    return None


def _routes(
    vehicles: list[_Vehicle],
    solution: vrp.VrpSolution,
    planned: list[_Stop],
    durations: list[list[int]],
    metres: list[list[int]],
    clock: _Clock,
) -> list[dict[str, Any]]:
    solved = {r.vehicle_id: r for r in solution.routes}
    routes: list[dict[str, Any]] = []
    for index, vehicle in enumerate(vehicles):
        stops = [dict(s) for s in vehicle.fixed]
        lunch_after: int | None = None
        lunch_at: str | None = None
        route = solved.get(index)
        previous: int | None = index  # the vehicle's start location
        end_clock = vehicle.ready
        for step in route.stops if route is not None else ():
            if step.kind == "break":
                lunch_after, lunch_at = len(stops), clock.iso(step.arrival + step.waiting)
                end_clock = step.arrival + step.waiting + step.service
                continue
            if step.kind != "job" or step.id is None or step.location is None:
                continue
            stop = planned[step.id]
            site = present(stop.site, "a planned stop's site")
            begins = step.arrival + step.waiting
            leg_s = durations[previous][step.location] if previous is not None else 0
            leg_m = metres[previous][step.location] if previous is not None else 0
            stops.append(
                {
                    "jobId": stop.job.id,
                    "arrivalAt": clock.iso(step.arrival),
                    "serviceStartAt": clock.iso(begins),
                    "departureAt": clock.iso(begins + step.service),
                    "travelSeconds": leg_s,
                    "distanceMeters": leg_m,
                    "waitingSeconds": step.waiting,
                    "fixed": False,
                    "approximate": site.approximate,
                }
            )
            previous = step.location
            end_clock = begins + step.service
        if not stops:
            continue
        for position, stop_row in enumerate(stops, start=1):
            stop_row["position"] = position
        routes.append(
            {
                "technicianId": vehicle.tech.id,
                "startLatitude": vehicle.start[0] if not vehicle.fixed else None,
                "startLongitude": vehicle.start[1] if not vehicle.fixed else None,
                "startSource": vehicle.start_source,
                "stops": stops,
                "lunchAfterPosition": lunch_after,
                "lunchStartAt": lunch_at,
                "distanceMeters": sum(s["distanceMeters"] for s in stops),
                "durationSeconds": max(0, end_clock - _first_departure(vehicle, stops, clock)),
                "endAt": clock.iso(max(end_clock, vehicle.ready)),
            }
        )
    return routes


def _first_departure(vehicle: _Vehicle, stops: list[dict[str, Any]], clock: _Clock) -> int:
    if vehicle.fixed:
        return clock.of(dt.datetime.fromisoformat(stops[0]["arrivalAt"])) - int(
            stops[0]["travelSeconds"]
        )
    return vehicle.ready


async def apply_route_plan(session: AsyncSession, actor: Actor, *, plan_id: str) -> RoutePlan:
    """Put a proposed plan on the jobs: engineer, position, planned arrival and ETA.

    Refused as a whole if any job moved on since the plan was made (``PLAN_OUTDATED``): the
    dispatcher re-plans rather than applying half of a stale picture.
    """
    states.check_role(states.ASSIGN, actor.role)
    plan = (
        await session.execute(
            select(RoutePlan).where(RoutePlan.id == plan_id, policy.scope(RoutePlan, actor))
        )
    ).scalar_one_or_none()
    if plan is None:
        raise DomainError("NOT_FOUND", field="planId")
    if plan.status is not RoutePlanStatus.PROPOSED:
        raise DomainError("PLAN_NOT_PROPOSED", field="planId", status=plan.status.value)
    now = utcnow()
    if plan.day < local_day(now):
        raise DomainError("DATE_IN_PAST", field="planId")
    placed: set[str] = set()
    for route in plan.routes:
        tech_id = route["technicianId"]
        for stop in route["stops"]:
            job = await session.get(Job, stop["jobId"], with_for_update=True)
            if job is None or not _still_fits(job, tech_id, stop["fixed"]):
                number = job.number if job is not None else stop["jobId"]
                raise DomainError("PLAN_OUTDATED", field="planId", job=number)
            if not stop["fixed"] and job.technician_id != tech_id:
                await dispatching.assign_job(
                    session,
                    actor,
                    job_id=job.id,
                    technician_id=tech_id,
                    appointment_start=job.appointment_start,
                    appointment_end=job.appointment_end,
                )
            arrival = dt.datetime.fromisoformat(stop["arrivalAt"])
            job.route_plan_id = plan.id
            job.route_position = int(stop["position"])
            job.planned_arrival = arrival
            job.eta = arrival
            job.eta_updated_at = now
            placed.add(job.id)
    previous = list(
        (
            await session.execute(
                select(RoutePlan).where(
                    RoutePlan.branch_id == plan.branch_id,
                    RoutePlan.day == plan.day,
                    RoutePlan.status == RoutePlanStatus.APPLIED,
                )
            )
        ).scalars()
    )
    for old in previous:
        old.status = RoutePlanStatus.SUPERSEDED
    old_ids = [p.id for p in previous]
    if old_ids:
        # Jobs an earlier plan placed and this one does not lose their route position.
        dropped = await session.execute(
            select(Job).where(Job.route_plan_id.in_(old_ids), Job.id.not_in(placed or {""}))
        )
        for job in dropped.scalars():
            eta.clear_route(job)
    plan.status = RoutePlanStatus.APPLIED
    plan.applied_by_id = actor.user_id
    plan.applied_at = now
    await session.flush()
    audit.record(
        session,
        actor,
        "route_plan.applied",
        entity_type="RoutePlan",
        entity_id=plan.id,
        jobs=len(placed),
        superseded=old_ids,
    )
    return plan


def _still_fits(job: Job, tech_id: str, fixed: bool) -> bool:
    if job.deleted_at is not None or job.status not in JOB_OPEN_STATUSES:
        return False
    if fixed:
        return job.status in UNDER_WAY and job.technician_id == tech_id
    if job.status is JobStatus.ACCEPTED:
        return job.technician_id == tech_id
    return job.status in MOVABLE
