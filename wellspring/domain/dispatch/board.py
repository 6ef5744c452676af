"""The dispatcher's lists: engineers with their day, and jobs by date, engineer and state.

Both page with keyset cursors and filter through ``policy`` (a clerk sees their branch, the
wide roles every branch, anyone else nothing). An engineer's day is computed for a whole page
at once (``days_of``), so a list of 100 engineers costs one more statement, not 100.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import joined, permissions, policy
from ..actor import Actor
from ..column_rows import Columns, Shape, select_columns
from ..config import TIME_ZONE
from ..models import Job, Technician, Ticket, User
from ..models.enums import JOB_OPEN_STATUSES, JobStatus
from ..pagination import Page, Rows, SortKey, paginate
from . import shifts
from .locate import local_day

# An appointment window that ended before the engineer arrived makes a job late too.
_NOT_ARRIVED = (JobStatus.ASSIGNED, JobStatus.ACCEPTED, JobStatus.EN_ROUTE)
_MOVING = (JobStatus.EN_ROUTE, JobStatus.ON_SITE)


class JobOrder(enum.StrEnum):
    NEWEST = "NEWEST"  # newest first
    APPOINTMENT = "APPOINTMENT"  # earliest appointment first; jobs without one are left out


class DayStatus(enum.StrEnum):
    OFF_SHIFT = "OFF_SHIFT"  # not a working day, or outside the shift hours, and on no job
    FREE = "FREE"  # on shift, not travelling to or working at a job
    EN_ROUTE = "EN_ROUTE"  # travelling to a job
    ON_JOB = "ON_JOB"  # on site


@dataclass(frozen=True)
class JobFilter:
    """All conditions hold; days are Asia/Shanghai and inclusive."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    technician_id: str | None = None
    branch_id: str | None = None
    statuses: Sequence[JobStatus] = ()
    unassigned: bool | None = None
    overdue: bool | None = None


@dataclass
class TechnicianDay:
    status: DayStatus
    jobs_today: list[Job] = field(default_factory=list)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def technicians_page(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    search: str | None,
    first: int | None,
    after: str | None,
    include_inactive: bool = False,
) -> Page[Technician]:
    """Engineers the actor may see (active ones unless ``include_inactive``), by branch and
    name, phone or username."""
    permissions.check(actor, "technicians.list")
    stmt = select(Technician).where(
        policy.technicians_scope(actor), Technician.deleted_at.is_(None)
    )
    if not include_inactive:
        stmt = stmt.where(Technician.is_active.is_(True))
    if branch_id is not None:
        stmt = stmt.where(Technician.branch_id == branch_id)
    text = (search or "").strip()[:50]
    if text:
        pattern = f"%{_escape_like(text)}%"
        stmt = stmt.where(
            Technician.user_id.in_(
                select(User.id).where(
                    or_(
                        User.display_name.like(pattern, escape="\\"),
                        User.username.like(pattern, escape="\\"),
                        User.phone.like(f"{_escape_like(text)}%", escape="\\"),
                    )
                )
            )
        )
    order = (
        SortKey(Technician.created_at, descending=False),
        SortKey(Technician.id, descending=False),
    )
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda t: (t.created_at, t.id)
    )


def day_status(tech: Technician, job_statuses: set[JobStatus], now: dt.datetime) -> DayStatus:
    """On site beats travelling beats the shift: work in hand shows even after hours."""
    if JobStatus.ON_SITE in job_statuses:
        return DayStatus.ON_JOB
    if JobStatus.EN_ROUTE in job_statuses:
        return DayStatus.EN_ROUTE
    return DayStatus.FREE if shifts.on_shift_now(tech, now) else DayStatus.OFF_SHIFT


def _is_today(job: Job, today: dt.date) -> bool:
    when = job.planned_arrival or job.appointment_start
    return when is not None and local_day(when) == today


# What ``days_of`` reads of a job itself: whose it is, its status and the day it falls on.
DAY_READS = frozenset({"technician_id", "status", "planned_arrival", "appointment_start"})


async def days_of(
    session: AsyncSession,
    actor: Actor,
    technicians: Sequence[Technician],
    now: dt.datetime,
    columns: frozenset[str] | None = None,
) -> dict[str, TechnicianDay]:
    """Each engineer's status now and jobs today, in one statement for the whole page. With
    ``columns``, the jobs are read as those columns (and ``DAY_READS``) only, as a page is
    (``column_rows.py``): the reader shows a few of them, not their reports."""
    ids = [t.id for t in technicians]
    today = local_day(now)
    start, end = _day_bounds(today)
    when = func.coalesce(Job.planned_arrival, Job.appointment_start)
    stmt = (
        select(Job)
        .where(
            Job.technician_id.in_(ids),
            Job.deleted_at.is_(None),
            policy.jobs_scope(actor),
            or_(Job.status.in_(_MOVING), and_(when >= start, when < end)),
        )
        .order_by(when.is_(None), when, Job.created_at)
    )
    found: Sequence[Job] = []
    if ids and columns is None:
        found = (await session.execute(stmt)).scalars().all()
    elif ids:
        shape = Shape()
        keys = shape.add(Job, columns, DAY_READS)
        rows = (await session.execute(select_columns(stmt, Job, keys))).all()
        found = [objects[0] for objects in shape.objects(rows)]
    jobs: dict[str, list[Job]] = defaultdict(list)
    for job in found:
        jobs[job.technician_id or ""].append(job)
    days = {}
    for tech in technicians:
        mine = jobs.get(tech.id, [])
        status = day_status(tech, {j.status for j in mine}, now)
        days[tech.id] = TechnicianDay(status, [j for j in mine if _is_today(j, today)])
    return days


def _overdue(now: dt.datetime) -> ColumnElement[bool]:
    late_ticket = Job.ticket_id.in_(
        select(Ticket.id).where(Ticket.due_at.is_not(None), Ticket.due_at < now)
    )
    missed_window = Job.appointment_end.is_not(None) & (Job.appointment_end < now)
    return Job.status.in_(JOB_OPEN_STATUSES) & (
        late_ticket | (missed_window & Job.status.in_(_NOT_ARRIVED))
    )


# What ``is_overdue`` reads: of the job (its ticket's key too), and of its ticket. A page
# read as columns reads these for it.
JOB_OVERDUE_READS = ("status", "appointment_end", "ticket_id")
TICKET_DUE_READS = frozenset({"due_at"})


def is_overdue(job: Job, ticket_due: dt.datetime | None, now: dt.datetime) -> bool:
    """The same rule as the list's ``overdue`` filter, for one job already loaded."""
    if job.status not in JOB_OPEN_STATUSES:
        return False
    if ticket_due is not None and ticket_due < now:
        return True
    return (
        job.appointment_end is not None and job.appointment_end < now and job.status in _NOT_ARRIVED
    )


async def jobs_page(
    session: AsyncSession,
    actor: Actor,
    *,
    filter: JobFilter,
    now: dt.datetime,
    first: int | None,
    after: str | None,
    order_by: JobOrder = JobOrder.NEWEST,
    relations: joined.Relations | None = None,
    columns: Columns | None = None,
    count_with_page: bool = False,
) -> Page[Job]:
    """Jobs the actor may see, newest first (or by appointment, earliest first, keeping only
    jobs with one: a keyset needs a value on every row). A date range keeps jobs appointed
    (or planned by an applied route) on those days; overdue means open and past the ticket's
    due time, or past the appointment window without the engineer on site. ``relations``
    are read with the page (``Page.related``), and so is its count when ``count_with_page``;
    with ``columns`` too, only those attributes are read (``column_rows.py``)."""
    permissions.check(actor, "jobs.list")
    related = joined.wanted(Job, actor, relations, columns)
    f = filter
    stmt = Rows(Job, (policy.jobs_scope(actor), Job.deleted_at.is_(None)))
    if f.date_from is not None or f.date_to is not None:
        when = func.coalesce(Job.planned_arrival, Job.appointment_start)
        if f.date_from is not None:
            stmt = stmt.where(when >= _day_bounds(f.date_from)[0])
        if f.date_to is not None:
            stmt = stmt.where(when < _day_bounds(f.date_to)[1])
    if f.technician_id is not None:
        stmt = stmt.where(Job.technician_id == f.technician_id)
    if f.branch_id is not None:
        stmt = stmt.where(Job.branch_id == f.branch_id)
    if f.statuses:
        stmt = stmt.where(Job.status.in_(list(f.statuses)))
    if f.unassigned is not None:
        # Unassigned is work waiting for an engineer: a job cancelled (or failed) before anyone
        # took it has no engineer either, but nobody is to be sent to it.
        waiting = Job.technician_id.is_(None) & Job.status.in_(JOB_OPEN_STATUSES)
        stmt = stmt.where(waiting if f.unassigned else Job.technician_id.is_not(None))
    if f.overdue is not None:
        late = _overdue(now)
        stmt = stmt.where(late if f.overdue else ~late)
    if order_by is JobOrder.APPOINTMENT:
        stmt = stmt.where(Job.appointment_start.is_not(None))
        order = (
            SortKey(Job.appointment_start, descending=False),
            SortKey(Job.id, descending=False),
        )
        row_key = attrgetter("appointment_start", "id")
    else:
        order = (SortKey(Job.created_at), SortKey(Job.id))
        row_key = attrgetter("created_at", "id")
    return await paginate(
        session,
        stmt,
        order=order,
        first=first,
        after=after,
        row_key=row_key,
        related=related,
        count_with_page=count_with_page,
    )
