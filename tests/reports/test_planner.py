"""The maintenance planner on the hand-made world: who is due and why, batched per branch,
never a duplicate, and a second run the same day adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.reports.conftest import read
from tests.reports.world import NOW, World
from wellspring.domain import events
from wellspring.domain.actor import SYSTEM
from wellspring.domain.config import DomainConfig
from wellspring.domain.errors import PermissionDenied
from wellspring.domain.models import Ticket
from wellspring.domain.models.enums import TicketType
from wellspring.domain.reports import planner, reminders, usage
from wellspring.domain.reports.config import MaintenanceConfig

Env = tuple[str, World]


def test_devices_due_by_interval_volume_and_tds_drift(reports_world: Env) -> None:
    url, world = reports_world
    ids = world.ids
    due = read(url, lambda s: usage.due_devices(s, now=NOW))
    reasons = {device: d.reasons for device, d in due.items()}
    assert reasons == {
        ids["dA"]: {usage.DueReason.VOLUME},  # 12 buckets since opening, capacity 10
        ids["dB"]: {usage.DueReason.INTERVAL},  # RO 90 days, never changed since January
        ids["dB2"]: {usage.DueReason.INTERVAL},
        ids["dG"]: {usage.DueReason.TDS_DRIFT},  # 20 -> 40 mg/L
    }
    limits = MaintenanceConfig()
    assert not limits.drifted(20.0, 29.0)  # under 1.5 times
    assert not limits.drifted(4.0, 8.0)  # twice, but only 4 mg/L more


def test_the_operator_sets_the_drift_and_reminder_thresholds(reports_world: Env) -> None:
    url, world = reports_world
    ids = world.ids
    strict = DomainConfig(
        maintenance=MaintenanceConfig(
            tds_drift_ratio=2.5, buckets_low_at=(5,), recharge_lapsed_days=(1,)
        )
    )
    due = read(url, lambda s: usage.due_devices(s, now=NOW), strict)
    assert ids["dG"] not in due  # 20 -> 40 mg/L is only twice
    loose = DomainConfig(maintenance=MaintenanceConfig(tds_drift_min_mg_l=25.0))
    assert ids["dG"] not in read(url, lambda s: usage.due_devices(s, now=NOW), loose)

    async def emitted(session: AsyncSession) -> Any:
        await reminders.remind(session, now=NOW)
        return list(session.sync_session.info[events.PENDING_KEY])

    found = read(url, emitted, strict)
    # dA has 2 buckets (not a milestone of 5); only dB2's plan ended yesterday.
    assert [(e.kind, e.customer_id) for e in found] == [
        (events.EventKind.RECHARGE_LAPSED, ids["cB"])
    ]


def test_planner_batches_per_branch_and_never_duplicates(reports_world: Env) -> None:
    url, world = reports_world
    ids = world.ids

    async def twice(session: AsyncSession) -> Any:
        first = await planner.plan_maintenance(session, SYSTEM)
        second = await planner.plan_maintenance(session, world.actors["hq"])
        opened = (
            await session.execute(
                select(Ticket.branch_id, Ticket.device_id, func.count())
                .where(Ticket.type == TicketType.FILTER_CHANGE)
                .group_by(Ticket.branch_id, Ticket.device_id)
            )
        ).all()
        return first, second, opened

    first, second, opened = read(url, twice)
    # dB already has a FILTER_CHANGE in hand (t7): the desk's duplicate rule skips it.
    assert first.opened == {ids["A"]: 2, ids["B"]: 1}
    assert (first.due, first.skipped) == (4, 1)
    assert (second.total_opened, second.skipped) == (0, 4)
    assert {(b, d, n) for b, d, n in opened} == {
        (ids["A"], ids["dA"], 1),
        (ids["A"], ids["dG"], 1),
        (ids["B"], ids["dB"], 1),
        (ids["B"], ids["dB2"], 1),
    }


@pytest.mark.parametrize("who", ["clerk", "agent", "technician"])
def test_only_hq_or_the_system_plans(reports_world: Env, who: str) -> None:
    url, world = reports_world
    with pytest.raises(PermissionDenied):
        read(url, lambda s: planner.plan_maintenance(s, world.actors[who]))


def test_revenue_reminders_once_a_day(reports_world: Env) -> None:
    url, world = reports_world

    async def twice(session: AsyncSession) -> Any:
        first = await reminders.remind(session, now=NOW)
        await reminders.remind(session, now=NOW)
        return first, list(session.sync_session.info[events.PENDING_KEY])

    count, emitted = read(url, twice)
    kinds = {(e.kind, e.customer_id) for e in emitted}
    assert count == 3  # dA has 2 buckets left; dB2's plan ended yesterday, dB's a week ago
    assert kinds == {
        (events.EventKind.BUCKETS_LOW, world.ids["cA"]),
        (events.EventKind.RECHARGE_LAPSED, world.ids["cB"]),
    }
    assert len(emitted) == 6
    assert len({e.id for e in emitted}) == 3  # the second run's facts have the same ids
