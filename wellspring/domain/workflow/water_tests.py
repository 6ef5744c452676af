"""Recording a water test, whichever door it came through (a completion report, a pushed
``water_tests`` record): the readings are kept and judged, and a failing test asks for a
filter change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, water
from ..actor import Actor
from ..models import Device, Job, Ticket, WaterTest
from ..models.enums import TicketStatus, TicketType
from .opening import open_follow_up_ticket

# A filter-change ticket still waiting for its visit takes a second failing test as it is.
_WAITING = frozenset(
    {
        TicketStatus.CREATED,
        TicketStatus.APPROVED,
        TicketStatus.DISPATCHED,
        TicketStatus.ASSIGNED,
        TicketStatus.APPOINTED,
        TicketStatus.EN_ROUTE,
        TicketStatus.ON_SITE,
    }
)


async def record(
    session: AsyncSession,
    actor: Actor,
    *,
    ticket: Ticket,
    job: Job,
    readings: water.Readings,
    tested_at: dt.datetime,
    test_id: str | None = None,
    sent_at: str = "report.water_test",
) -> tuple[WaterTest, Ticket | None]:
    """Keep the readings on the device and the job; returns the test and the filter-change
    ticket a failing test opened (None when it passed, when the visit is itself a filter
    change, or when one is already waiting for its visit). ``sent_at``: where the client
    sent the readings (``water.check``)."""
    water.check(readings, sent_at)
    failed = water.failures(readings)
    test = WaterTest(
        device_id=ticket.device_id,
        job_id=job.id,
        tested_at=tested_at,
        tds_mg_l=readings.tds_mg_l,
        ph=readings.ph,
        residual_chlorine_mg_l=readings.residual_chlorine_mg_l,
        turbidity_ntu=readings.turbidity_ntu,
        temperature_c=readings.temperature_c,
        passed=not failed,
        failures=failed,
    )
    if test_id is not None:
        test.id = test_id
    session.add(test)
    await session.flush()
    audit.record(
        session,
        actor,
        "water_test.recorded",
        entity_type="Device",
        entity_id=ticket.device_id,
        ticket_id=ticket.id,
        job_id=job.id,
        passed=not failed,
        failures=failed,
    )
    if not failed or ticket.type is TicketType.FILTER_CHANGE:
        return test, None
    # The device held until commit, as OpenTicket holds it: two failing tests of one device
    # at once (two visits, a phone's push beside a completion) both found no filter change
    # waiting and opened two.
    await session.execute(select(Device.id).where(Device.id == ticket.device_id).with_for_update())
    waiting = await session.scalar(
        select(Ticket.id).where(
            Ticket.device_id == ticket.device_id,
            Ticket.type == TicketType.FILTER_CHANGE,
            Ticket.status.in_(_WAITING),
            Ticket.deleted_at.is_(None),
        )
    )
    if waiting is not None:
        return test, None
    follow_up = await open_follow_up_ticket(
        session,
        actor,
        origin=ticket,
        ticket_type=TicketType.FILTER_CHANGE,
        description="水质检测未达标："
        + "、".join(water.READING_NAMES_ZH.get(name, name) for name in failed),
        details={"water_test_id": test.id, "failures": failed},
    )
    return test, follow_up
