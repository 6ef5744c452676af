"""OptimizeRoutes: a branch's day planned (VROOM and PyVRP, the better
plan: ``geo.planner``), saved as a proposal (applying it: route_apply.py).

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
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import planner, vrp
from ...geo.distance import Point
from .. import audit, permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..config import TIME_ZONE, config_of
from ..errors import DomainError, present
from ..inventory.queries import vans_stock
from ..models import Branch, RoutePlan, Technician
from ..models.enums import BranchKind, JobStatus, RoutePlanStatus
from . import rules
from .config import DispatchConfig
from .locate import local_day
from .route_inputs import (
    SKILL,
    UNDER_WAY,
    Clock,
    Stop,
    Vehicle,
    cannot_plan,
    day_jobs,
    parts_skills,
    pin_accepted,
    vehicle_for,
)
from .route_results import SOLVER_REASONS, route_rows


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
    permissions.check(actor, "routes.optimize")
    branch = await _branch(session, actor, branch_id)
    now = now or clock_of(session).now()
    today = local_day(now)
    if day < today:
        raise DomainError("DATE_IN_PAST", field="date")
    clock = Clock(day)
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
        raise DomainError("NO_TECHNICIANS", field="branch_id")
    stops = await day_jobs(session, branch.id, clock, day == today)
    if not stops:
        raise DomainError("NOTHING_TO_PLAN", field="date")

    dispatch = config_of(session).dispatch
    travel = dispatch.travel
    hour = now.astimezone(TIME_ZONE).hour if day == today else 10
    unplaced: list[dict[str, Any]] = []
    vehicles: list[Vehicle] = []
    under_way: dict[str, list[Stop]] = {}
    for stop in stops:
        if stop.job.status in UNDER_WAY and stop.job.technician_id is not None:
            under_way.setdefault(stop.job.technician_id, []).append(stop)
    for index, tech in enumerate(sorted(techs, key=lambda t: t.id)):
        vehicle = vehicle_for(
            tech, index, branch, clock, day, now, now_clock, under_way, dispatch, hour
        )
        if vehicle is not None:
            vehicles.append(vehicle)
    if not vehicles:
        raise DomainError("NO_SHIFTS", field="date")

    by_tech = {v.tech.id: i for i, v in enumerate(vehicles)}
    pinned = pin_accepted(vehicles)
    parts_skill = parts_skills(stops, vehicles, await vans_stock(session, list(by_tech)))
    points: list[Point] = [v.start for v in vehicles]
    jobs: list[vrp.VrpJob] = []
    planned: list[Stop] = []
    for stop in stops:
        job = stop.job
        if job.status in UNDER_WAY:
            if job.technician_id not in by_tech:
                unplaced.append({"job_id": job.id, "reason": "TECHNICIAN_OFF_SHIFT"})
            continue
        reason = cannot_plan(stop, by_tech, clock, now_clock)
        if reason is not None:
            unplaced.append({"job_id": job.id, "reason": reason})
            continue
        site = present(stop.site, "a plannable stop's site")
        skills = {SKILL[stop.ticket.type]}
        if job.status is JobStatus.ACCEPTED and job.technician_id is not None:
            skills.add(pinned[job.technician_id])
        elif job.id in parts_skill:
            skills.add(parts_skill[job.id])
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
                demand=1,
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
    started = time.perf_counter()
    solution = _solve(problem, dispatch)
    solve_ms = int((time.perf_counter() - started) * 1000)
    for job_index in solution.unassigned:
        reason = SOLVER_REASONS[vrp.explain_unassigned(problem, job_index)]
        unplaced.append({"job_id": planned[job_index].job.id, "reason": reason})

    routes = route_rows(vehicles, solution, planned, durations, metres, clock)
    plan = RoutePlan(
        branch_id=branch.id,
        day=day,
        status=RoutePlanStatus.PROPOSED,
        created_by_id=actor.user_id,
        routes=routes,
        unplaced=unplaced,
        distance_m=sum(r["distance_meters"] for r in routes),
        duration_s=sum(r["duration_seconds"] for r in routes),
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


def _solve(problem: vrp.VrpProblem, cfg: DispatchConfig) -> vrp.VrpSolution:
    """The day spread over the engineers: travel alone would stack every nearby job on one
    engineer while the others wait, so each first gets at most an even share of the jobs
    (``balanced``). If that leaves jobs out, the plan without shares is kept when it places
    more (the planner's own objective decides)."""
    if not problem.jobs:
        return vrp.VrpSolution(routes=(), unassigned=(), cost=0)

    def run(candidate: vrp.VrpProblem) -> vrp.VrpSolution:
        return planner.solve(
            candidate,
            time_budget_seconds=cfg.route_time_budget_seconds,
            exploration_level=cfg.exploration_level,
            threads=cfg.solver_threads,
            vroom_timeout_seconds=cfg.solver_timeout_seconds,
        ).solution

    share = balanced(len(problem.jobs), len(problem.vehicles))
    even = replace(problem, vehicles=tuple(replace(v, capacity=share) for v in problem.vehicles))
    solution = run(even)
    if not solution.unassigned:
        return solution
    free = run(problem)
    if planner.objective(problem, free)[:2] < planner.objective(problem, solution)[:2]:
        return free
    return solution


def balanced(jobs: int, engineers: int) -> int:
    """An even share of the day's jobs per engineer (rounded up)."""
    return max(1, -(-jobs // max(1, engineers)))


async def _branch(session: AsyncSession, actor: Actor, branch_id: str) -> Branch:
    branch = (
        await session.execute(
            select(Branch).where(Branch.id == branch_id, policy.scope(Branch, actor))
        )
    ).scalar_one_or_none()
    if branch is None or branch.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="branch_id")
    if branch.kind is BranchKind.HQ or not branch.is_active:
        raise DomainError("INVALID_BRANCH", field="branch_id")
    permissions.check(actor, "routes.optimize", branch_id=branch.id)
    return branch
