"""ApplyRoutePlan: a proposed plan put on the jobs (engineer, position, planned arrival, ETA),
superseding the day's earlier plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..db import one_at_a_time
from ..errors import DomainError
from ..models import Job, RoutePlan
from ..models.enums import JOB_OPEN_STATUSES, JobStatus, RoutePlanStatus
from ..workflow import dispatching
from . import eta
from .locate import local_day
from .route_inputs import UNDER_WAY

MOVABLE = frozenset({JobStatus.PENDING, JobStatus.ASSIGNED})


async def apply_route_plan(session: AsyncSession, actor: Actor, *, plan_id: str) -> RoutePlan:
    """Put a proposed plan on the jobs: engineer, position, planned arrival and ETA.

    Refused as a whole if any job moved on since the plan was made (``PLAN_OUTDATED``): the
    dispatcher re-plans rather than applying half of a stale picture.
    """
    permissions.check(actor, "routes.apply")
    plan = await session.scalar(  # locked: a second apply at once waits, then finds it applied
        select(RoutePlan)
        .where(RoutePlan.id == plan_id, policy.scope(RoutePlan, actor))
        .with_for_update(of=RoutePlan)
        .execution_options(populate_existing=True)
    )
    if plan is None:
        raise DomainError("NOT_FOUND", field="plan_id")
    if plan.status is not RoutePlanStatus.PROPOSED:
        raise DomainError("PLAN_NOT_PROPOSED", field="plan_id", status=plan.status.value)
    now = clock_of(session).now()
    if plan.day < local_day(now):
        raise DomainError("DATE_IN_PAST", field="plan_id")
    await hold_day(session, plan)
    placed: set[str] = set()
    for route in plan.routes:
        tech_id = route["technician_id"]
        for stop in route["stops"]:
            job = await session.get(Job, stop["job_id"], with_for_update=True)
            if job is None or not _still_fits(job, tech_id, stop["fixed"]):
                number = job.number if job is not None else stop["job_id"]
                raise DomainError("PLAN_OUTDATED", field="plan_id", job=number)
            if not stop["fixed"] and job.technician_id != tech_id:
                await dispatching.assign_job(
                    session,
                    actor,
                    job_id=job.id,
                    technician_id=tech_id,
                    appointment_start=job.appointment_start,
                    appointment_end=job.appointment_end,
                    planned=True,  # the solver sequenced it inside the shift
                )
            arrival = dt.datetime.fromisoformat(stop["arrival_at"])
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


async def hold_day(session: AsyncSession, plan: RoutePlan) -> None:
    """Plans of one branch and day are applied one at a time: two different ones applied at
    once each found no other applied, and both stayed APPLIED with their positions mixed."""
    await one_at_a_time(session, f"route_plan.apply:{plan.branch_id}:{plan.day.isoformat()}")


def _still_fits(job: Job, tech_id: str, fixed: bool) -> bool:
    if job.deleted_at is not None or job.status not in JOB_OPEN_STATUSES:
        return False
    if fixed:
        return job.status in UNDER_WAY and job.technician_id == tech_id
    if job.status is JobStatus.ACCEPTED:
        return job.technician_id == tech_id
    return job.status in MOVABLE
