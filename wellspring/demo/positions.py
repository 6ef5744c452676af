"""Where the engineers out on a visit are: a fresh phone fix each, reported through the phone's
own service (``dispatch/positions.update_location``), so the dispatcher's map and the ETAs read
them like any other fix."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.actor import Actor
from ..domain.dispatch import positions
from ..domain.models import Address, Job, Technician, Ticket, User
from ..domain.models.enums import JobStatus, Role
from .state import Demo


async def report_positions(demo: Demo) -> int:
    """One fix per engineer en route (part way from home) or on site (at the address), taken
    a few minutes before the demo's "now"; returns how many were reported."""
    rows = (
        await demo.session.execute(
            select(Job.status, Technician, User.username, Address.latitude, Address.longitude)
            .join(Technician, Technician.id == Job.technician_id)
            .join(User, User.id == Technician.user_id)
            .join(Ticket, Ticket.id == Job.ticket_id)
            .join(Address, Address.id == Ticket.address_id)
            .where(
                Job.status.in_((JobStatus.EN_ROUTE, JobStatus.ON_SITE)),
                Address.latitude.is_not(None),
                Address.longitude.is_not(None),
            )
            .order_by(User.username)
        )
    ).all()
    for status, tech, username, site_lat, site_lon in rows:
        if site_lat is None or site_lon is None:  # excluded above; this tells the type checker
            continue
        lat, lon = site_lat, site_lon
        home_lat, home_lon = tech.home_latitude, tech.home_longitude
        if status is JobStatus.EN_ROUTE and home_lat is not None and home_lon is not None:
            way = demo.rng.uniform(0.3, 0.8)
            lat, lon = home_lat + (lat - home_lat) * way, home_lon + (lon - home_lon) * way
        actor = Actor(
            user_id=tech.user_id,
            username=username,
            role=Role.TECHNICIAN,
            branch_id=tech.branch_id,
            technician_id=tech.id,
        )
        await positions.update_location(
            demo.session,
            actor,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            accuracy=float(demo.rng.randint(5, 40)),
            recorded_at=demo.clock.now - demo.minutes(1, 8),
        )
    return len(rows)
