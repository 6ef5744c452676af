"""A filter stage dropped from its model is retired (``deleted_at`` set, the row kept for the
changes that name it). The due list (``devicesFiltersDue``) and the reminder scan read every
stage, retired ones too, so a device whose model no longer has a stage was listed and its
customer reminded of a filter the machine no longer takes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import in_rollback, unique
from wellspring.domain import events
from wellspring.domain.actor import SYSTEM
from wellspring.domain.clock import FixedClock
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.events import EventKind
from wellspring.domain.masterdata.catalogue import (
    DeviceModelChange,
    FilterStage,
    upsert_device_model,
)
from wellspring.domain.models import Branch, Customer, Device
from wellspring.domain.models.enums import DeviceStatus, SupplyMode
from wellspring.domain.notifications.scan import scan
from wellspring.domain.workflow.queries import filters_due

NOW = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)  # noon in Shanghai
TODAY = NOW.astimezone(TIME_ZONE).date()
SHORT = FilterStage(stage=1, name="PP棉", lifetime_days=30)
LONG = FilterStage(stage=2, name="RO膜", lifetime_days=720)


async def _due_ids(session: AsyncSession) -> set[str]:
    """Every device the due list names today (all pages: other tests' devices are due too)."""
    found: set[str] = set()
    after = None
    while True:
        page = await filters_due(session, SYSTEM, within_days=0, first=100, after=after)
        found |= {device.id for device in page.items}
        if not page.has_next_page:
            return found
        after = page.cursors[-1]


async def _reminded(session: AsyncSession, serial: str) -> list[Any]:
    events.discard(session)
    await scan(session, now=NOW)
    sent = events.discard(session)
    return [
        e.data["filter"]
        for e in sent
        if e.kind is EventKind.FILTER_DUE and e.data["serial_number"] == serial
    ]


async def _world(session: AsyncSession) -> tuple[str, Device]:
    """A model of its own with a short and a long stage, and an installed device of it
    whose short stage falls due today (opened one short lifetime ago)."""
    branch = (await session.execute(select(Branch).where(Branch.code == "SH"))).scalar_one()
    model = await upsert_device_model(
        session,
        SYSTEM,
        change=DeviceModelChange(
            code=unique("RET")[:20],
            name="退役滤芯机",
            list_price=Decimal("0"),
            filters=[SHORT, LONG],
        ),
    )
    customer = Customer(
        code=unique("C")[:30], name="退役滤芯客户", phone="13800000000", branch_id=branch.id
    )
    session.add(customer)
    await session.flush()
    device = Device(
        serial_number=unique("SN-RET"),
        device_model_id=model.id,
        status=DeviceStatus.INSTALLED,
        opened_on=TODAY - dt.timedelta(days=SHORT.lifetime_days),
        branch_id=branch.id,
        customer_id=customer.id,
        supply_mode=SupplyMode.MONTHLY,
    )
    session.add(device)
    await session.flush()
    return model.id, device


async def _retire_short(session: AsyncSession, model_id: str) -> None:
    """HQ drops the short stage from the model: it is retired, its row kept."""
    change = DeviceModelChange(id=model_id, filters=[LONG])
    await upsert_device_model(session, SYSTEM, change=change)


def test_a_retired_stage_is_not_due(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        model_id, device = await _world(session)
        assert device.id in await _due_ids(session)  # while the model has the stage
        await _retire_short(session, model_id)
        assert device.id not in await _due_ids(session)

    in_rollback(database_url, body, clock=FixedClock(NOW))


def test_a_retired_stage_is_not_reminded(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        model_id, device = await _world(session)
        assert await _reminded(session, device.serial_number) == [SHORT.name]
        await _retire_short(session, model_id)
        assert await _reminded(session, device.serial_number) == []

    in_rollback(database_url, body, clock=FixedClock(NOW))


def test_a_stage_kept_stays_due(database_url: str) -> None:
    """Retiring one stage leaves the others as they were: the long one, due in its time."""

    async def body(session: AsyncSession) -> None:
        model_id, device = await _world(session)
        device.opened_on = TODAY - dt.timedelta(days=LONG.lifetime_days)
        await session.flush()
        await _retire_short(session, model_id)
        assert device.id in await _due_ids(session)
        assert await _reminded(session, device.serial_number) == [LONG.name]

    in_rollback(database_url, body, clock=FixedClock(NOW))
