"""SuggestTechnicians: the best engineers for a job, nearest first, weighed by fit.

The search (``nearby.py``) reads engineers whose phone position, last site or home lies in
H3 cells around the job, ring by ring, until enough skilled candidates are found: its cost
follows the number of engineers nearby, not the number of engineers. Here the nearest few are
weighed in full and ranked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, cast, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import cells
from ...geo.distance import rough_km
from .. import column_rows, permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..config import TIME_ZONE, config_of
from ..errors import DomainError
from ..inventory.queries import vans_stock
from ..models import Address, Branch, Job, Technician, Ticket
from ..models.enums import JOB_OPEN_STATUSES
from . import ranking
from .locate import Located, PositionSource, address_site, local_day, technician_position
from .nearby import SHOWN, Nearby, search, skill_pattern
from .shifts import Rota, shift_bounds

# Built once (it takes the actor's scope per request): built per request it cost more than
# its rows, and left its bind parameters in reference cycles for the collector (issue 19 §3).
# The job, its ticket, the ticket's address and the branch in one statement.
_JOB_ROW = (
    select(Job, Ticket, Address, Branch)
    .join(Ticket, Ticket.id == Job.ticket_id)
    .outerjoin(Address, Address.id == Ticket.address_id)
    .join(Branch, Branch.id == Job.branch_id)
    .where(Job.id == bindparam("job_id"))
)

MAX_LIMIT = 50
CANDIDATE_FACTOR = 3  # rank at least limit x 3 nearby engineers before picking the best
MIN_CANDIDATES = 10


@dataclass(frozen=True)
class PartShortage:
    part_id: str
    needed: int
    in_van: int


@dataclass(frozen=True)
class TechnicianSuggestion:
    """``technician`` is the engineer as the ring search read them: detached, holding the
    columns of ``nearby.SHOWN`` (and the branch, active and not retired, as the search asked
    for); reading any other attribute raises (``column_rows.detached``)."""

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

    @property
    def technician_id(self) -> str:
        return self.technician.id


async def _none_found(session: AsyncSession, branch_id: str, skill: str) -> None:
    """Why no engineer was found near the job, said rather than answered with an empty list
    when it is the branch's staff: none at all, or none with the skill. Skilled engineers
    with no known whereabouts near it leave the list empty."""
    staff = (
        Technician.branch_id == branch_id,
        Technician.is_active.is_(True),
        Technician.deleted_at.is_(None),
    )
    skilled = cast(Technician.skills, Text).like(skill, escape="/")
    anyone, capable = (
        await session.execute(select(exists().where(*staff), exists().where(*staff, skilled)))
    ).one()
    if not anyone:
        raise DomainError("NO_TECHNICIANS", field="job_id")
    if not capable:
        raise DomainError("NO_SKILLED_TECHNICIANS", field="job_id")


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
    row = (
        await session.execute(_JOB_ROW.where(policy.scope(Job, actor)), {"job_id": job_id})
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
    params = {"branch": job.branch_id, "skill": skill_pattern(wanted), **_load_day(job, now)}
    found = await search(session, cells.cell(*site.point), want, params)
    if not found:  # asked only when the rings held no skilled one: why not?
        await _none_found(session, job.branch_id, params["skill"])

    # Only the nearest few are weighed in full: a cheap distance keeps the exact geodesic, the
    # loads and the van stock to limit x 3 engineers however many the rings held.
    max_age = config_of(session).dispatch.position_max_age
    placed = [
        (t, where)
        for t in found.values()
        if (where := technician_position(t, now, max_age, branch)) is not None
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
    # The few returned are shown from their rows: no statement of their own (issue 19 §3).
    found_of = {t.id: (t, where) for t, where in placed}
    return job, [
        TechnicianSuggestion(
            technician=_shown(found_of[w.candidate.id][0], job.branch_id),
            name=found_of[w.candidate.id][0].display_name or "",
            located=found_of[w.candidate.id][1],
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


def _shown(tech: Nearby, branch_id: str) -> Technician:
    """The engineer as their ring row holds them (``TechnicianSuggestion.technician``): the
    search asked for the branch's active engineers, so those are known too."""
    values = {key: getattr(tech, key) for key in SHOWN}
    shown: Technician = column_rows.detached(
        Technician, {**values, "branch_id": branch_id, "is_active": True, "deleted_at": None}
    )
    return shown


def _others(tech: Nearby, job: Job) -> int:
    """The engineer's other open jobs that day: the count less the job itself when theirs."""
    return int(tech.load) - (1 if tech.id == job.technician_id else 0)


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
