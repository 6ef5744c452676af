"""Small pure rules: SLA due times, month arithmetic, water thresholds, filter due dates."""

from __future__ import annotations

import datetime as dt

from wellspring.domain import water
from wellspring.domain.models.enums import Priority, TicketType
from wellspring.domain.workflow.effects import add_months
from wellspring.domain.workflow.sla import due_at

OPENED = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def test_due_times_by_type_priority_and_settings() -> None:
    assert due_at(OPENED, TicketType.REPAIR, Priority.URGENT) == OPENED + dt.timedelta(hours=4)
    assert due_at(OPENED, TicketType.INSTALL, Priority.NORMAL) == OPENED + dt.timedelta(hours=72)
    override = {"REPAIR": {"URGENT": 2}}
    assert due_at(OPENED, TicketType.REPAIR, Priority.URGENT, override) == OPENED + dt.timedelta(
        hours=2
    )
    assert due_at(OPENED, TicketType.REPAIR, Priority.LOW, override) == OPENED + dt.timedelta(
        hours=96
    )


def test_months_are_added_to_the_calendar_and_clamped() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 12, 1), 12) == dt.date(2027, 12, 1)


def test_water_is_judged_against_the_thresholds() -> None:
    good = water.Readings(tds_mg_l=12, ph=7.2, residual_chlorine_mg_l=0.05, turbidity_ntu=0.2)
    assert water.failures(good) == []
    bad = water.Readings(tds_mg_l=180, ph=9.1, residual_chlorine_mg_l=2.5, turbidity_ntu=1.5)
    assert water.failures(bad) == ["tds", "ph", "residual_chlorine", "turbidity"]
    assert water.failures(water.Readings(ph=6.5)) == []  # the limits are inclusive


def test_a_filter_is_due_its_lifetime_after_its_last_change_or_the_open_date() -> None:
    from wellspring.domain.devices import filter_statuses
    from wellspring.domain.models import Device, FilterChange, FilterType

    device = Device(id="d", opened_on=dt.date(2026, 1, 1))
    pp = FilterType(id="pp", stage=1, name="PP", lifetime_days=90)
    ro = FilterType(id="ro", stage=3, name="RO", lifetime_days=730)
    changes = [
        FilterChange(filter_type_id="pp", changed_on=dt.date(2026, 6, 1)),
        FilterChange(filter_type_id="pp", changed_on=dt.date(2026, 9, 1)),
    ]
    first, second = filter_statuses(device, [ro, pp], changes)
    assert (first.filter_type.id, first.last_changed_on) == ("pp", dt.date(2026, 9, 1))
    assert first.due_on == dt.date(2026, 11, 30)
    assert second.due_on == dt.date(2028, 1, 1)
    assert first.is_due(dt.date(2026, 11, 30))
    assert not first.is_due(dt.date(2026, 11, 15))
    assert first.is_due(dt.date(2026, 11, 15), within_days=15)
