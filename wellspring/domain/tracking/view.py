"""What the tracking page may show of one visit, and nothing more.

Read for a link (no login) or for the customer's own login. It names the engineer by first
name only (full name and phone only if the company enables them), shows their position only
while they are on the way to *this* visit (rounded, the latest fix only, never a history),
and the branch's hotline. Nothing here reveals another job, another customer or an address
other than the visit's own.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import config_of
from ..dispatch.trips import current_trip_of
from ..models import Address, Branch, FollowUp, Job, Technician, Ticket, TicketStatusChange, User
from ..models.enums import FollowUpStatus, JobStatus, Role, TicketStatus, TicketType
from ..workflow.visit_requests import CHANGEABLE, VisitChangeKind, waiting_kinds
from .config import TrackingConfig


class Stage(enum.StrEnum):
    RECEIVED = "RECEIVED"
    APPOINTED = "APPOINTED"
    EN_ROUTE = "EN_ROUTE"
    ON_SITE = "ON_SITE"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


TIMELINE = (Stage.RECEIVED, Stage.APPOINTED, Stage.EN_ROUTE, Stage.ON_SITE, Stage.DONE)
_T = TicketStatus
STAGE_OF: dict[TicketStatus, Stage] = {
    _T.CREATED: Stage.RECEIVED,
    _T.APPROVED: Stage.RECEIVED,
    _T.DISPATCHED: Stage.RECEIVED,
    _T.ASSIGNED: Stage.RECEIVED,
    _T.APPOINTED: Stage.APPOINTED,
    _T.EN_ROUTE: Stage.EN_ROUTE,
    _T.ON_SITE: Stage.ON_SITE,
    _T.COMPLETED: Stage.DONE,
    _T.FOLLOW_UP_DUE: Stage.DONE,
    _T.CLOSED: Stage.DONE,
    _T.REJECTED: Stage.CANCELLED,
    _T.CANCELLED: Stage.CANCELLED,
}


@dataclass(frozen=True)
class Step:
    stage: Stage
    reached: bool
    at: dt.datetime | None


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class VisitView:
    ticket_id: str
    ticket_number: str
    ticket_type: TicketType
    stage: Stage
    steps: tuple[Step, ...]
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    eta: dt.datetime | None
    engineer_name: str
    engineer_phone: str
    engineer_photo_url: str
    engineer_position: Point | None  # only while on the way to this visit
    position_at: dt.datetime | None
    destination: Point | None  # the visit's own address, rounded
    hotline: str
    can_rate: bool
    score: int | None
    can_request_change: bool
    change_requested: tuple[VisitChangeKind, ...]  # asked and still waiting for the hotline
    expires_at: dt.datetime | None
    changed_at: dt.datetime  # for the page's ETag


def first_name(full: str) -> str:
    """The given name: a Chinese name's characters after the (one-character) surname, a
    Western name's first word."""
    name = full.strip()
    if not name:
        return ""
    if " " in name:
        return name.split()[0]
    if any("\u4e00" <= ch <= "\u9fff" for ch in name) and len(name) > 1:
        return name[1:]
    return name


def engineer_name(full: str, shown: TrackingConfig) -> str:
    """The engineer's name as a customer is told it: the given name, unless the company
    shows the full one (``WELLSPRING_TRACKING_SHOW_ENGINEER_FULL_NAME``)."""
    return full if shown.show_engineer_full_name else first_name(full)


def engineer_name_for(role: Role | None, full: str | None, shown: TrackingConfig) -> str | None:
    """An engineer's name as ``role`` reads it on a visit: a customer reads what the tracking
    page shows (``engineer_name``), on every door; staff read the full name."""
    if full is None or role is not Role.CUSTOMER:
        return full
    return engineer_name(full, shown)


def _round(lat: float | None, lon: float | None, decimals: int) -> Point | None:
    if lat is None or lon is None:
        return None
    return Point(round(lat, decimals), round(lon, decimals))


async def current_job(session: AsyncSession, ticket_id: str) -> Job | None:
    """The visit the page follows: the ticket's newest job not cancelled (else the newest)."""
    jobs = list(
        (
            await session.execute(
                select(Job)
                .where(Job.ticket_id == ticket_id, Job.deleted_at.is_(None))
                .order_by(Job.created_at.desc(), Job.id.desc())
            )
        ).scalars()
    )
    live = [job for job in jobs if job.status is not JobStatus.CANCELLED]
    found = live or jobs
    return found[0] if found else None


async def _score(session: AsyncSession, ticket_id: str) -> int | None:
    return (
        (
            await session.execute(
                select(FollowUp.score).where(
                    FollowUp.ticket_id == ticket_id, FollowUp.status == FollowUpStatus.DONE
                )
            )
        )
        .scalars()
        .first()
    )


async def _agreed_at(session: AsyncSession, ticket_id: str, job: Job | None) -> dt.datetime | None:
    """When the visit's appointment was agreed: the ticket's latest move to APPOINTED since
    the current job was made (a reschedule agrees it anew; a failed visit's agreement is not
    this one's). Never the window's start, which lies ahead."""
    if job is None:
        return None
    return (
        await session.execute(
            select(TicketStatusChange.at)
            .where(
                TicketStatusChange.ticket_id == ticket_id,
                TicketStatusChange.to_status == TicketStatus.APPOINTED,
                TicketStatusChange.at >= job.created_at,
            )
            .order_by(TicketStatusChange.at.desc(), TicketStatusChange.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def visit_view(
    session: AsyncSession, ticket: Ticket, *, now: dt.datetime, expires_at: dt.datetime | None
) -> VisitView:
    """The page's view of ``ticket`` (the caller has checked the link or the login)."""
    config = config_of(session)
    shown = config.tracking
    job = await current_job(session, ticket.id)
    tech = await session.get(Technician, job.technician_id) if job and job.technician_id else None
    user = await session.get(User, tech.user_id) if tech is not None else None
    branch = await session.get(Branch, ticket.branch_id)
    address = await session.get(Address, ticket.address_id) if ticket.address_id else None
    stage = STAGE_OF[ticket.status]
    position, position_at = None, None
    on_the_way = job is not None and job.status is JobStatus.EN_ROUTE and stage is Stage.EN_ROUTE
    if on_the_way and tech is not None:  # on the way here, not to another customer's
        trip = await current_trip_of(session, tech.id)
        on_the_way = job is not None and trip is not None and trip.id == job.id
    if on_the_way and tech is not None and job is not None and tech.position_at is not None:
        fresh = now - tech.position_at <= config.dispatch.position_max_age
        since_set_off = job.started_travel_at is None or tech.position_at >= job.started_travel_at
        if fresh and since_set_off:
            position = _round(
                tech.position_latitude, tech.position_longitude, shown.position_decimals
            )
            position_at = tech.position_at if position is not None else None
    # Each step at the time it happened, so the timeline reads in the order things did; the
    # agreed window is the view's window_start/window_end, shown apart.
    times = {
        Stage.RECEIVED: ticket.created_at,
        Stage.APPOINTED: await _agreed_at(session, ticket.id, job),
        Stage.EN_ROUTE: job.started_travel_at if job else None,
        Stage.ON_SITE: job.arrived_at if job else None,
        Stage.DONE: ticket.completed_at,
    }
    reached_index = TIMELINE.index(stage) if stage in TIMELINE else 0
    steps = tuple(
        Step(s, i <= reached_index and stage is not Stage.CANCELLED, times[s])
        for i, s in enumerate(TIMELINE)
    )
    name = user.display_name if user is not None else ""
    score = await _score(session, ticket.id)
    changeable = ticket.status in CHANGEABLE
    asked = await waiting_kinds(session, ticket.id) if changeable else frozenset()
    changes = [ticket.updated_at, job.updated_at if job else None, position_at]
    return VisitView(
        ticket_id=ticket.id,
        ticket_number=ticket.number,
        ticket_type=ticket.type,
        stage=stage,
        steps=steps,
        window_start=job.appointment_start if job else None,
        window_end=job.appointment_end if job else None,
        eta=job.eta if job and stage in (Stage.APPOINTED, Stage.EN_ROUTE) else None,
        engineer_name=engineer_name(name, shown),
        engineer_phone=(user.phone if user and shown.show_engineer_phone else ""),
        engineer_photo_url="",  # no employee photo is stored yet
        engineer_position=position,
        position_at=position_at,
        destination=_round(
            address.latitude if address else None,
            address.longitude if address else None,
            shown.position_decimals,
        ),
        hotline=branch.phone if branch is not None else "",
        can_rate=ticket.status is TicketStatus.FOLLOW_UP_DUE,
        score=score,
        # A kind already asked and waiting is not offered again (its inquiry answers).
        can_request_change=changeable and len(asked) < len(VisitChangeKind),
        change_requested=tuple(kind for kind in VisitChangeKind if kind in asked),
        expires_at=expires_at,
        changed_at=max(t for t in changes if t is not None),
    )
