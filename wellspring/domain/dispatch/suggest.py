"""SuggestTechnicians: the best engineers for a job, nearest first, weighed by fit.

The search reads engineers whose phone position, last site or home lies in H3 cells around
the job, ring by ring, until enough skilled candidates are found: its cost follows the
number of engineers nearby, not the number of engineers.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import (
    ARRAY,
    Select,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import cells
from ...geo.distance import rough_km
from .. import permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..config import TIME_ZONE, config_of
from ..errors import DomainError
from ..inventory.queries import vans_stock
from ..models import Address, Branch, Job, Technician, Ticket, User
from ..models.enums import JOB_OPEN_STATUSES, OPEN_JOB_VALUES
from . import ranking
from .locate import (
    Located,
    PositionSource,
    Whereabouts,
    address_site,
    local_day,
    technician_position,
)
from .shifts import Rota, shift_bounds

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
    want = max(size * CANDIDATE_FACTOR, MIN_CANDIDATES)
    found: dict[str, Nearby] = {}
    centre = cells.cell(*site.point)
    load_day = _load_day(job, now)
    for k in RING_STEPS:
        ring = list(_new_cells(centre, k))
        for tech in await _in_cells(session, job.branch_id, ring, load_day):
            found.setdefault(tech.id, tech)
        if sum(1 for t in found.values() if wanted in (t.skills or [])) >= want:
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
    placed = [
        (t, where)
        for t in found.values()
        if wanted in (t.skills or [])
        and (where := technician_position(t, now, max_age, branch)) is not None
    ]
    placed.sort(key=lambda p: rough_km(p[1].point, site.point))
    placed = placed[:want]
    if not placed:
        return job, []
    ids = [t.id for t, _ in placed]
    needs = [(p["part_id"], int(p["quantity"])) for p in ticket.details.get("expected_parts", [])]
    # Van stock matters only for the parts the job expects: none expected, nothing to read.
    vans = await vans_stock(session, ids, [part for part, _ in needs]) if needs else {}
    day = local_day(job.appointment_start) if job.appointment_start else local_day(now)
    short: dict[str, tuple[PartShortage, ...]] = {}
    candidates: list[ranking.Candidate] = []
    for tech, where in placed:
        van = vans.get(tech.id, {})
        short[tech.id] = tuple(
            PartShortage(part_id, need, van.get(part_id, 0))
            for part_id, need in needs
            if van.get(part_id, 0) < need
        )
        candidates.append(
            ranking.Candidate(
                id=tech.id,
                point=where.point,
                from_now=where.source is PositionSource.PHONE,
                load=_others(tech, job),
                parts_missing=bool(short[tech.id]),
                on_shift=_on_shift(tech, day, job, now),
            )
        )
    travel = config_of(session).dispatch.travel
    departure = max(now, (job.appointment_start or now) - dt.timedelta(hours=1))
    city, hour = (address.city if address else ""), departure.astimezone(TIME_ZONE).hour
    trip = ranking.Trip(
        seconds_for=lambda d: travel.for_distance(d, city=city, hour=hour).seconds,
        now=now,
        departure=departure,
        window_end=job.appointment_end,
    )
    best = ranking.rank(candidates, site.point, trip, size)
    # Full engineers and their names for the few returned only, in one statement.
    chosen = {w.candidate.id for w in best}
    people = {
        tech.id: (tech, name)
        for tech, name in (
            await session.execute(
                select(Technician, User.display_name)
                .outerjoin(User, User.id == Technician.user_id)
                .where(Technician.id.in_(chosen))
            )
        ).all()
    }
    where_of = {t.id: where for t, where in placed}
    return job, [
        TechnicianSuggestion(
            technician=people[w.candidate.id][0],
            name=people[w.candidate.id][1] or "",
            located=where_of[w.candidate.id],
            distance_km=round(w.distance_km, 2),
            travel_seconds=w.travel_seconds,
            eta=w.eta,
            skills_matched=(wanted,),
            load=w.candidate.load,
            on_shift=w.candidate.on_shift,
            on_time=w.on_time,
            parts_ready=not w.candidate.parts_missing,
            shortages=short[w.candidate.id],
            score=w.score,
        )
        for w in best
    ]


class Nearby(Whereabouts, Rota, Protocol):
    """An engineer as a ring lookup reads it: a row, not an ORM object (60 per request)."""

    @property
    def id(self) -> str: ...
    @property
    def skills(self) -> list[str]: ...
    @property
    def load(self) -> int: ...


# The ring lookup is written with the tables' columns, not the mapped attributes: a
# statement of plain columns skips the ORM's result handling (about a fifth of its CPU).
_TECHNICIANS, _JOBS = Technician.__table__.c, Job.__table__.c

# An engineer's open jobs on the job's day (or without an appointment), read with each ring's
# rows rather than in a statement of its own, from ix_jobs_open_by_technician alone: the
# statuses are written as that partial index states them (a bound list would not prove it
# applies). The job asked about is among its own engineer's (it is open, and on that day or
# without one): ``_others`` takes it away, so that no condition on jobs.id sends the count to
# the table.
_LOAD = (
    select(func.count())
    .where(
        _JOBS.technician_id == _TECHNICIANS.id,
        _JOBS.status.in_([literal_column(f"'{value}'") for value in OPEN_JOB_VALUES]),
        or_(
            _JOBS.appointment_start.is_(None),
            (_JOBS.appointment_start >= bindparam("start", type_=_JOBS.appointment_start.type))
            & (_JOBS.appointment_start < bindparam("end", type_=_JOBS.appointment_start.type)),
        ),
    )
    .scalar_subquery()
    .label("load")
)


def _others(tech: Nearby, job: Job) -> int:
    """The engineer's other open jobs that day: the count less the job itself when theirs."""
    return int(tech.load) - (1 if tech.id == job.technician_id else 0)


# The columns a ring lookup reads: enough to place, filter and weigh an engineer.
_NEARBY_COLUMNS = (
    _TECHNICIANS.id,
    _TECHNICIANS.skills,
    _TECHNICIANS.work_days,
    _TECHNICIANS.shift_start,
    _TECHNICIANS.shift_end,
    _TECHNICIANS.position_latitude,
    _TECHNICIANS.position_longitude,
    _TECHNICIANS.position_at,
    _TECHNICIANS.site_latitude,
    _TECHNICIANS.site_longitude,
    _TECHNICIANS.site_at,
    _TECHNICIANS.home_latitude,
    _TECHNICIANS.home_longitude,
    _LOAD,
)


@functools.lru_cache(maxsize=4096)
def _new_cells(centre: str, k: int) -> tuple[str, ...]:
    """The cells within k steps of centre not searched by the previous, smaller step."""
    step = RING_STEPS.index(k)
    inner = set(cells.disk(centre, RING_STEPS[step - 1])) if step else set()
    return tuple(c for c in cells.disk(centre, k) if c not in inner)


def in_cells(dialect: str) -> Select[*tuple[Any, ...]]:
    """Active engineers of the branch (``:branch``) whose phone, last site or home lies in
    the cells ``:ring``, with their open jobs from ``:start`` to ``:end`` or without an
    appointment. Built once per dialect: building and keying it cost more than running
    it (issue 19 §3)."""
    if dialect == "postgresql":
        # One array for the ring: an IN list costs SQLAlchemy a rendered, cast bind per cell
        # and column at every execution (about 390 a request), more than the lookup itself.
        ring: Any = any_(bindparam("ring", type_=ARRAY(String)))
        within = or_(
            _TECHNICIANS.position_cell == ring,
            _TECHNICIANS.site_cell == ring,
            _TECHNICIANS.home_cell == ring,
        )
    else:
        within = or_(
            _TECHNICIANS.position_cell.in_(bindparam("ring", expanding=True)),
            _TECHNICIANS.site_cell.in_(bindparam("ring", expanding=True)),
            _TECHNICIANS.home_cell.in_(bindparam("ring", expanding=True)),
        )
    return select(*_NEARBY_COLUMNS).where(
        # Written so that no engine drives the plan from the branch index (SQLite otherwise
        # reads every engineer of the branch); the cell indexes narrow it instead.
        _TECHNICIANS.branch_id.concat("") == bindparam("branch", type_=String),
        _TECHNICIANS.is_active.is_(True),
        _TECHNICIANS.deleted_at.is_(None),
        within,
    )


_IN_CELLS = {name: in_cells(name) for name in ("postgresql", "sqlite")}


async def _in_cells(
    session: AsyncSession, branch_id: str, ring: list[str], day: dict[str, Any]
) -> list[Nearby]:
    if not ring:
        return []
    statement = _IN_CELLS[session.get_bind().dialect.name]
    rows = await session.execute(statement, {"branch": branch_id, "ring": ring, **day})
    return cast(list[Nearby], rows.all())


def _load_day(job: Job, now: dt.datetime) -> dict[str, Any]:
    """The bounds a load counts within: the job's day, or today without an appointment."""
    day = local_day(job.appointment_start) if job.appointment_start else local_day(now)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)
    return {"start": start, "end": start + dt.timedelta(days=1)}


def _on_shift(tech: Rota, day: dt.date, job: Job, now: dt.datetime) -> bool:
    """The agreed window lies inside the engineer's shift (as AssignJob checks it); without
    a window, the engineer works that day and their shift has not ended yet."""
    bounds = shift_bounds(tech, day)
    if bounds is None:
        return False
    if job.appointment_start is None or job.appointment_end is None:
        return now < bounds[1]
    return bounds[0] <= job.appointment_start and job.appointment_end <= bounds[1]
