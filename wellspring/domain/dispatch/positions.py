"""The phone's position reports (``UpdateLocation``)."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import cells
from ...geo.coords import CoordSystem, to_wgs84
from .. import events, permissions
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import Job, Technician
from . import eta
from .locate import check_point

MAX_ACCURACY_M = 10_000.0  # a fix vaguer than 10 km locates nobody


async def update_location(
    session: AsyncSession,
    actor: Actor,
    *,
    latitude: float,
    longitude: float,
    accuracy: float | None = None,
    system: CoordSystem = CoordSystem.WGS84,
    recorded_at: dt.datetime | None = None,
) -> tuple[Technician, list[Job]]:
    """The phone's position (``UpdateLocation``) in WGS-84 with its cell; returns changed ETAs."""
    permissions.check(actor, "location.update")
    check_point(latitude, longitude)
    if accuracy is not None and not (math.isfinite(accuracy) and 0 <= accuracy <= MAX_ACCURACY_M):
        raise DomainError("INVALID_ACCURACY", field="accuracy", maximum=int(MAX_ACCURACY_M))
    now = clock_of(session).now()
    at = now if recorded_at is None else min(recorded_at, now)  # a phone's clock may run ahead
    # Held until commit (the UPDATE below takes this lock anyway, only later): two fixes at
    # once both passed the check below on the same read, and the older could land last.
    tech = await session.get(
        Technician, actor.technician_id, with_for_update=True, populate_existing=True
    )
    if tech is None or tech.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="id")
    if tech.position_at is not None and at < tech.position_at:
        return tech, []  # an older fix arriving late (offline queue) never replaces a newer one
    lat, lon = to_wgs84(latitude, longitude, system)
    tech.position_latitude, tech.position_longitude = lat, lon
    tech.position_accuracy = accuracy
    tech.position_at = at
    tech.position_cell = cells.cell(lat, lon)
    # Not audited: a position is telemetry every few minutes, not a business change.
    await session.flush()
    changed, travelling_to = await eta.refresh_trips(session, tech, now)
    await session.flush()
    _tell_position(session, actor, tech, travelling_to)
    return tech, changed


def _tell_position(
    session: AsyncSession, actor: Actor, tech: Technician, en_route: list[str]
) -> None:
    """A live-only event for the boards and the customers whose visit is on its way (the
    tickets of ``en_route``)."""
    events.emit(
        session,
        events.DomainEvent(
            kind=events.EventKind.ENGINEER_POSITION,
            branch_id=tech.branch_id,
            technician_id=tech.id,
            actor_id=actor.user_id or None,
            at=tech.position_at or clock_of(session).now(),
            data={
                "latitude": tech.position_latitude,
                "longitude": tech.position_longitude,
                "accuracy": tech.position_accuracy,
                "en_route_ticket_ids": en_route,
            },
        ),
    )
