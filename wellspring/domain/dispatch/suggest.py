"""SuggestTechnicians: the best engineers for a job, nearest first, weighed by fit.

The search reads engineers whose phone position, last site or home lies in H3 cells around
the job, ring by ring, until enough skilled candidates are found: its cost follows the
number of engineers nearby, not the number of engineers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import cells
from ...geo.distance import km, rough_km
from .. import permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..config import TIME_ZONE, config_of
from ..errors import DomainError, present
from ..inventory.queries import vans_stock
from ..models import Address, Branch, Job, Technician, Ticket, User
from ..models.enums import JOB_OPEN_STATUSES
from . import rules, shifts
from .locate import Located, PositionSource, address_site, local_day, technician_position

MAX_LIMIT = 50
# Rings of H3 cells searched, widening until enough skilled engineers are found (resolution 7:
# about 2 km per ring, so the last ring reaches about 65 km, past a city's edge). Small steps
# first: where engineers are dense, one ring of 7 cells already holds enough.
RING_STEPS = (1, 2, 4, 8, 16, 32)
CANDIDATE_FACTOR = 3  # rank at least limit x 3 nearby engineers before picking the best
MIN_CANDIDATES = 10


@dataclass(frozen=True)
class PartShortage:
    part_id: str
    needed: int
    in_van: int


@dataclass(frozen=True)
class TechnicianSuggestion:
    technician: Technician
    name: str
    located: Located
    distance_km: float
    travel_seconds: int
    eta: dt.datetime
    skills_matched: tuple[str, ...]
    load: int
    on_shift: bool
    on_time: bool
    parts_ready: bool
    shortages: tuple[PartShortage, ...]
    score: float


async def suggest_technicians(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Job, list[TechnicianSuggestion]]:
    """Rank the engineers of the job's branch who can do its type of work (best first).

    ``now`` decides who is still on shift for a job without a window (the server's time when
    not given)."""
    permissions.check(actor, "technicians.suggest")
    size = limit if limit is not None else 10
    if not 1 <= size <= MAX_LIMIT:
        raise DomainError("LIMIT_OUT_OF_RANGE", field="limit", maximum=MAX_LIMIT)
    # The job, its ticket, the ticket's address and the branch in one statement.
    row = (
        await session.execute(
            select(Job, Ticket, Address, Branch)
            .join(Ticket, Ticket.id == Job.ticket_id)
            .outerjoin(Address, Address.id == Ticket.address_id)
            .join(Branch, Branch.id == Job.branch_id)
            .where(Job.id == job_id, policy.scope(Job, actor))
        )
    ).one_or_none()
    if row is None or row[0].deleted_at is not None:
        raise DomainError("NOT_FOUND", field="job_id")
    job, ticket, address, branch = row
    if job.status not in JOB_OPEN_STATUSES:
        raise DomainError("INVALID_TRANSITION", action="assign", status=job.status.value)
    site = address_site(address)
    if site is None:
        raise DomainError("JOB_WITHOUT_COORDINATES", field="job_id")

    now = now or clock_of(session).now()
    wanted = ticket.type.value
    found: dict[str, Technician] = {}
    seen_cells: set[str] = set()
    centre = cells.cell(*site.point)
    for k in RING_STEPS:
        ring = [c for c in cells.disk(centre, k) if c not in seen_cells]
        seen_cells.update(ring)
        for tech in await _in_cells(session, job.branch_id, ring):
            found.setdefault(tech.id, tech)
        skilled = sum(1 for t in found.values() if wanted in (t.skills or []))
        if skilled >= max(size * CANDIDATE_FACTOR, MIN_CANDIDATES):
            break
    if not found:  # asked only when the rings held nobody: has the branch any engineer?
        has_engineers = await session.scalar(
            select(Technician.id)
            .where(Technician.branch_id == job.branch_id, Technician.is_active.is_(True))
            .limit(1)
        )
        if has_engineers is None:
            raise DomainError("NO_TECHNICIANS", field="job_id")

    # Only the nearest few are weighed in full: a cheap distance keeps the exact geodesic, the
    # loads and the van stock to limit x 3 engineers however many the rings held.
    max_age = config_of(session).dispatch.position_max_age
    located_now = {
        t.id: technician_position(t, now, max_age, branch)
        for t in found.values()
        if wanted in (t.skills or [])
    }
    keep = max(size * CANDIDATE_FACTOR, MIN_CANDIDATES)
    candidates = sorted(
        (t for t in found.values() if located_now.get(t.id) is not None),
        key=lambda t: rough_km(located_now[t.id].point, site.point),  # type: ignore[union-attr]
    )[:keep]
    if not candidates:
        return job, []
    ids = [t.id for t in candidates]
    loads = await _loads(session, ids, job, now)
    vans = await vans_stock(session, ids)
    names = dict(
        (
            await session.execute(
                select(Technician.id, User.display_name)
                .join(User, User.id == Technician.user_id)
                .where(Technician.id.in_(ids))
            )
        ).all()
    )
    needs = [(p["part_id"], int(p["quantity"])) for p in ticket.details.get("expected_parts", [])]
    travel = config_of(session).dispatch.travel
    city = address.city if address else ""
    day = local_day(job.appointment_start) if job.appointment_start else local_day(now)
    result: list[TechnicianSuggestion] = []
    for tech in candidates:
        located = present(located_now[tech.id], "a candidate's position")
        departure = max(now, (job.appointment_start or now) - dt.timedelta(hours=1))
        distance = km(located.point, site.point)
        leg = travel.for_distance(distance, city=city, hour=departure.astimezone(TIME_ZONE).hour)
        eta = (now if located.source is PositionSource.PHONE else departure) + dt.timedelta(
            seconds=leg.seconds
        )
        shortages = tuple(
            PartShortage(part_id, need, vans[tech.id].get(part_id, 0))
            for part_id, need in needs
            if vans[tech.id].get(part_id, 0) < need
        )
        on_shift = _on_shift(tech, day, job, now)
        on_time = job.appointment_end is None or eta <= job.appointment_end
        load = loads.get(tech.id, 0)
        result.append(
            TechnicianSuggestion(
                technician=tech,
                name=names.get(tech.id, ""),
                located=located,
                distance_km=round(distance, 2),
                travel_seconds=leg.seconds,
                eta=eta,
                skills_matched=(wanted,),
                load=load,
                on_shift=on_shift,
                on_time=on_time,
                parts_ready=not shortages,
                shortages=shortages,
                score=rules.suggestion_score(
                    travel_seconds=leg.seconds,
                    load=load,
                    parts_missing=bool(shortages),
                    on_shift=on_shift,
                    on_time=on_time,
                ),
            )
        )
    result.sort(key=lambda s: (s.score, s.travel_seconds, s.technician.id))
    return job, result[:size]


def in_cells(branch_id: str, ring: list[str]) -> Select[Technician]:
    """Active engineers of the branch whose phone, last site or home lies in these cells."""
    return select(Technician).where(
        # Written so that no engine drives the plan from the branch index (SQLite otherwise
        # reads every engineer of the branch); the cell indexes narrow it instead.
        Technician.branch_id.concat("") == branch_id,
        Technician.is_active.is_(True),
        Technician.deleted_at.is_(None),
        or_(
            Technician.position_cell.in_(ring),
            Technician.site_cell.in_(ring),
            Technician.home_cell.in_(ring),
        ),
    )


async def _in_cells(session: AsyncSession, branch_id: str, ring: list[str]) -> list[Technician]:
    if not ring:
        return []
    return list((await session.execute(in_cells(branch_id, ring))).scalars())


async def _loads(
    session: AsyncSession, technician_ids: list[str], job: Job, now: dt.datetime
) -> dict[str, int]:
    """Open jobs per engineer on the job's day (or today), not counting this one."""
    day = local_day(job.appointment_start) if job.appointment_start else local_day(now)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)
    rows = await session.execute(
        select(Job.technician_id, func.count())
        .where(
            Job.technician_id.in_(technician_ids),
            Job.status.in_(JOB_OPEN_STATUSES),
            Job.id != job.id,
            or_(
                Job.appointment_start.is_(None),
                (Job.appointment_start >= start)
                & (Job.appointment_start < start + dt.timedelta(days=1)),
            ),
        )
        .group_by(Job.technician_id)
    )
    return {tech_id: int(n) for tech_id, n in rows.all() if tech_id is not None}


def _on_shift(tech: Technician, day: dt.date, job: Job, now: dt.datetime) -> bool:
    """The agreed window lies inside the engineer's shift (as AssignJob checks it); without
    a window, the engineer works that day and their shift has not ended yet."""
    bounds = shifts.shift_bounds(tech, day)
    if bounds is None:
        return False
    if job.appointment_start is None or job.appointment_end is None:
        return now < bounds[1]
    return bounds[0] <= job.appointment_start and job.appointment_end <= bounds[1]
