"""Live updates: who may watch what, and which committed events each watcher hears.

A watch is opened by a use case that checks its operation (``permissions.RULES``) before
anything is read, like any query. Then every event passes two gates: a cheap one in memory
(the board's branch, the engineer's own jobs, the visit's ticket, the kinds each audience
hears) and the same ``policy`` condition a query of that object uses, read from the database
at delivery time, so nobody hears about an object they could not read (a clerk of another
branch hears nothing; an engineer loses a job's events once it is taken from them).

Events arrive as the outbox stores them (``event_json``: snake_case keys, ISO times); what a
watcher is sent is a smaller dict of the same style, shaped for its audience (a customer gets
no engineer ids, and the engineer's position only while this visit's job is on its way,
rounded to about 100 m).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions, policy
from ..actor import Actor
from ..dispatch.trips import current_trip_of
from ..errors import DomainError
from ..events import EventKind
from ..models import Branch, Job, StockDiscrepancy, Technician, Ticket

# High-frequency telemetry: published live, never written to the outbox (so never routed to
# a push and never replayed: a reconnecting client reads the last position with a query).
LIVE_ONLY = frozenset({EventKind.ENGINEER_POSITION})

_JOB_KINDS = frozenset(
    {
        EventKind.JOB_CREATED,
        EventKind.JOB_STATUS_CHANGED,
        EventKind.JOB_ASSIGNED,
        EventKind.JOB_RESCHEDULED,
        EventKind.JOB_REASSIGNED_AWAY,
        EventKind.JOB_CANCELLED,
        EventKind.ENGINEER_EN_ROUTE,
        EventKind.ENGINEER_ARRIVED,
        EventKind.JOB_COMPLETED,
    }
)
BOARD_KINDS = _JOB_KINDS | {EventKind.ENGINEER_POSITION, EventKind.STOCK_DISCREPANCY_OPENED}
MY_JOB_KINDS = (_JOB_KINDS - {EventKind.JOB_CREATED}) | {EventKind.STOCK_DISCREPANCY_OPENED}
VISIT_KINDS = (_JOB_KINDS - {EventKind.JOB_CREATED, EventKind.JOB_REASSIGNED_AWAY}) | {
    EventKind.TICKET_STATUS_CHANGED,
    EventKind.ENGINEER_POSITION,
}
POSITION_DECIMALS = 3  # 0.001° is about 111 m of latitude: a street, not a door


class Audience(enum.StrEnum):
    BOARD = "BOARD"
    MY_JOBS = "MY_JOBS"
    VISIT = "VISIT"


@dataclass(frozen=True)
class Watch:
    """One subscription's question, checked and fixed when it was opened."""

    audience: Audience
    actor: Actor
    branch_id: str | None = None
    ticket_id: str | None = None

    def may_hear(self, event: Mapping[str, Any]) -> bool:
        """The in-memory gate: the event is of a kind and an object this watch is about."""
        kind = event.get("kind")
        data = event.get("data") or {}
        match self.audience:
            case Audience.BOARD:
                return kind in BOARD_KINDS and event.get("branch_id") == self.branch_id
            case Audience.MY_JOBS:
                mine = self.actor.technician_id
                ours = mine is not None and event.get("technician_id") == mine
                return kind in MY_JOB_KINDS and ours
            case Audience.VISIT:
                if kind == EventKind.ENGINEER_POSITION:
                    return self.ticket_id in (data.get("en_route_ticket_ids") or ())
                return kind in VISIT_KINDS and event.get("ticket_id") == self.ticket_id
        return False  # pragma: no cover - every audience is matched above


async def open_board(session: AsyncSession, actor: Actor, *, branch_id: str) -> Watch:
    """``BoardEvents``: a dispatcher watches a branch (a clerk only their own)."""
    permissions.check(actor, "live.board", branch_id=branch_id)
    if await session.scalar(select(Branch.id).where(Branch.id == branch_id)) is None:
        raise DomainError("NOT_FOUND", field="branch_id")
    return Watch(Audience.BOARD, actor, branch_id=branch_id)


async def open_my_jobs(_session: AsyncSession, actor: Actor) -> Watch:
    """``MyJobEvents``: an engineer watches their own jobs."""
    permissions.check(actor, "live.my_jobs")
    return Watch(Audience.MY_JOBS, actor)


async def open_visit(session: AsyncSession, actor: Actor, *, ticket_id: str) -> Watch:
    """``VisitEvents``: a customer watches a visit of their own ticket."""
    permissions.check(actor, "live.visit")
    if actor.only_ticket_id is not None and actor.only_ticket_id != ticket_id:
        raise DomainError("NOT_FOUND", field="ticket_id")  # a link opens its own visit only
    found = await session.scalar(
        select(Ticket.id).where(Ticket.id == ticket_id, policy.tickets_scope(actor))
    )
    if found is None:
        raise DomainError("NOT_FOUND", field="ticket_id")
    return Watch(Audience.VISIT, actor, ticket_id=ticket_id)


async def _readable(session: AsyncSession, model: type[Any], id_: Any, actor: Actor) -> bool:
    if not isinstance(id_, str):
        return False
    found = await session.scalar(
        select(model.id).where(model.id == id_, policy.by_id_scope(model, actor))
    )
    return found is not None


async def _passes(session: AsyncSession, watch: Watch, event: Mapping[str, Any]) -> bool:
    """The query's gate: the object the event is about is readable by the watcher now."""
    kind = event.get("kind")
    data = event.get("data") or {}
    actor = watch.actor
    if kind == EventKind.ENGINEER_POSITION:
        if watch.audience is Audience.VISIT:  # the visit's job, readable, still on its way
            return await _en_route_for(session, watch, event.get("technician_id"))
        return await _readable(session, Technician, event.get("technician_id"), actor)
    if kind == EventKind.STOCK_DISCREPANCY_OPENED:
        return await _readable(session, StockDiscrepancy, data.get("discrepancy_id"), actor)
    if kind == EventKind.TICKET_STATUS_CHANGED:
        return await _readable(session, Ticket, event.get("ticket_id"), actor)
    if kind == EventKind.JOB_REASSIGNED_AWAY and watch.audience is Audience.MY_JOBS:
        # The job is no longer theirs to read; they hear that it went, and nothing else.
        return event.get("technician_id") == actor.technician_id
    return await _readable(session, Job, event.get("job_id"), actor)


async def _en_route_for(session: AsyncSession, watch: Watch, technician_id: Any) -> bool:
    """The engineer is on their way to this visit now (``trips``), readable by the watcher."""
    if not isinstance(technician_id, str):
        return False
    trip = await current_trip_of(session, technician_id)
    if trip is None or trip.ticket_id != watch.ticket_id:
        return False
    found = await session.scalar(
        select(Job.id).where(Job.id == trip.id, policy.jobs_scope(watch.actor))
    )
    return found is not None


async def deliverable(
    session: AsyncSession, watch: Watch, event: Mapping[str, Any]
) -> dict[str, Any] | None:
    """What ``watch`` is sent about ``event``, or None if it may not hear it."""
    if not watch.may_hear(event) or not await _passes(session, watch, event):
        return None
    return shape(watch, event)


def _round(value: Any) -> float | None:
    return round(float(value), POSITION_DECIMALS) if isinstance(value, int | float) else None


def shape(watch: Watch, event: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an audience is sent (snake_case; the API names them)."""
    data = event.get("data") or {}
    kind = event.get("kind")
    out: dict[str, Any] = {
        "id": event.get("id"),
        "cursor": event.get("cursor"),
        "kind": kind,
        "at": event.get("at"),
        "branch_id": event.get("branch_id"),
        "ticket_id": event.get("ticket_id"),
        "job_id": event.get("job_id"),
        "technician_id": event.get("technician_id"),
        "discrepancy_id": data.get("discrepancy_id"),
        "number": data.get("number"),
        "status": data.get("to_status") or data.get("status"),
        "appointment_start": data.get("appointment_start"),
        "appointment_end": data.get("appointment_end"),
        "eta": data.get("eta"),
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "accuracy": data.get("accuracy"),
    }
    if kind == EventKind.JOB_REASSIGNED_AWAY and watch.audience is Audience.MY_JOBS:
        out.update(status=None, appointment_start=None, appointment_end=None, eta=None)
    if watch.audience is Audience.VISIT:
        # A customer follows the visit, not the staff: no engineer or branch ids, a rough dot.
        out.update(branch_id=None, technician_id=None, discrepancy_id=None, accuracy=None)
        out["ticket_id"] = watch.ticket_id  # a position is about this visit, to its customer
        out["latitude"], out["longitude"] = _round(out["latitude"]), _round(out["longitude"])
    return out
