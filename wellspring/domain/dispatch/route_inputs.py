"""What a day's route plan is built from: the branch's open jobs as stops, and each engineer
on shift as a vehicle (start, shift, lunch, skills, work under way fixed first).

The plan's clock counts seconds from local midnight (Asia/Shanghai) of the planned day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import vrp
from ...geo.distance import Point
from ..config import TIME_ZONE
from ..models import Address, Branch, Job, Technician, Ticket
from ..models.enums import JOB_OPEN_STATUSES, JobStatus, TicketType
from . import rules
from .config import DispatchConfig
from .locate import Site, address_site, home_point, technician_position

SKILL = {t: i + 1 for i, t in enumerate(TicketType)}
PINNED_SKILL_BASE = 1000  # one private skill per engineer keeps accepted jobs with them
# One skill per distinct set of expected parts, held by the engineers whose van has them all.
PARTS_SKILL_BASE = 100_000
UNDER_WAY = frozenset({JobStatus.EN_ROUTE, JobStatus.ON_SITE})


@dataclass
class Vehicle:
    tech: Technician
    start: Point
    start_source: str
    ready: int  # clock seconds when free to drive to the first planned stop
    shift_end: int
    skills: set[int]
    fixed: list[dict[str, Any]] = field(default_factory=list)
    lunch: vrp.VrpBreak | None = None


@dataclass
class Stop:
    job: Job
    ticket: Ticket
    site: Site | None
    city: str
    # No engineer's van holds every part the job expects: planned anyway, parts to fetch.
    parts_short: bool = False


def expected_parts(ticket: Ticket) -> frozenset[tuple[str, int]]:
    return frozenset(
        (str(p["part_id"]), int(p["quantity"])) for p in ticket.details.get("expected_parts", [])
    )


def parts_skills(
    stops: list[Stop], vehicles: list[Vehicle], vans: dict[str, dict[str, int]]
) -> dict[str, int]:
    """Job id -> the skill only engineers carrying its expected parts have (added to their
    vehicles here). A job no van can serve gets none and is marked ``parts_short``."""
    by_needs: dict[frozenset[tuple[str, int]], int] = {}
    found: dict[str, int] = {}
    for stop in stops:
        needs = expected_parts(stop.ticket)
        if not needs:
            continue
        able = [
            v
            for v in vehicles
            if all(vans.get(v.tech.id, {}).get(part, 0) >= n for part, n in needs)
        ]
        if not able:
            stop.parts_short = True
            continue
        if needs not in by_needs:
            by_needs[needs] = PARTS_SKILL_BASE + len(by_needs)
            for vehicle in able:
                vehicle.skills.add(by_needs[needs])
        found[stop.job.id] = by_needs[needs]
    return found


class Clock:
    """Seconds from the planned day's local midnight, and back to aware datetimes."""

    def __init__(self, day: dt.date) -> None:
        self.origin = dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE)

    def of(self, moment: dt.datetime) -> int:
        return int((moment - self.origin).total_seconds())

    def at(self, seconds: int) -> dt.datetime:
        return (self.origin + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)

    def iso(self, seconds: int) -> str:
        return self.at(seconds).isoformat()

    @staticmethod
    def of_time(value: dt.time) -> int:
        return value.hour * 3600 + value.minute * 60 + value.second


async def day_jobs(
    session: AsyncSession, branch_id: str, clock: Clock, is_today: bool
) -> list[Stop]:
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
        Stop(job, ticket, address_site(address), address.city if address else "")
        for job, ticket, address in rows
    ]


def vehicle_for(
    tech: Technician,
    index: int,
    branch: Branch,
    clock: Clock,
    day: dt.date,
    now: dt.datetime,
    now_clock: int,
    under_way: dict[str, list[Stop]],
    dispatch: DispatchConfig,
    hour: int,
) -> Vehicle | None:
    """The engineer as a vehicle for the day, or None without a shift (or with it over)."""
    if not rules.works_on(tech.work_days, day):
        return None
    shift_start, shift_end = clock.of_time(tech.shift_start), clock.of_time(tech.shift_end)
    if now_clock >= shift_end:
        return None
    if now_clock > 0:
        located = technician_position(tech, now, dispatch.position_max_age, branch)
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
            leg = dispatch.travel.estimate(start, stop.site.point, city=stop.city, hour=hour)
            arrived, leg_s, leg_m = ready + leg.seconds, leg.seconds, leg.metres
        begins = max(arrived, clock.of(stop.job.appointment_start or clock.at(arrived)))
        ready = max(ready, begins + service)
        start = stop.site.point
        fixed.append(
            {
                "job_id": stop.job.id,
                "arrival_at": clock.iso(arrived),
                "service_start_at": clock.iso(begins),
                "departure_at": clock.iso(begins + service),
                "travel_seconds": leg_s,
                "distance_meters": leg_m,
                "waiting_seconds": max(0, begins - arrived),
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
    skills = {SKILL[s] for s in tech.known_skills}  # pinned skill: pin_accepted()
    return Vehicle(tech, start, source, ready, shift_end, skills, fixed, lunch)


def pin_accepted(vehicles: list[Vehicle]) -> dict[str, int]:
    """Technician id -> the private skill of that engineer's vehicle, which their accepted
    jobs carry. Numbered by position among the vehicles, not among all engineers: an engineer
    off shift would otherwise shift the numbers and hand accepted jobs to a colleague."""
    pinned: dict[str, int] = {}
    for position, vehicle in enumerate(vehicles):
        pinned[vehicle.tech.id] = PINNED_SKILL_BASE + position
        vehicle.skills.add(pinned[vehicle.tech.id])
    return pinned


def cannot_plan(stop: Stop, by_tech: dict[str, int], clock: Clock, now_clock: int) -> str | None:
    """Why a job is left out before the solver sees it, if it is."""
    job = stop.job
    if stop.site is None:
        return "NO_COORDINATES"
    if job.status is JobStatus.ACCEPTED and job.technician_id not in by_tech:
        return "TECHNICIAN_OFF_SHIFT"
    if job.appointment_end is not None and clock.of(job.appointment_end) <= now_clock:
        return "APPOINTMENT_PASSED"
    return None
