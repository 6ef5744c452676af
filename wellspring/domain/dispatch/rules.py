"""Dispatch rules: how long each kind of visit takes, lunch, how suggestions are weighed."""

from __future__ import annotations

import datetime as dt

from ..models.enums import Priority, TicketType

# Minutes on site by ticket type (a relocation is an uninstall plus an install).
SERVICE_MINUTES: dict[TicketType, int] = {
    TicketType.INSTALL: 90,
    TicketType.UNINSTALL: 45,
    TicketType.RELOCATE: 120,
    TicketType.CARD_CANCEL: 20,
    TicketType.RECHARGE: 15,
    TicketType.REPAIR: 60,
    TicketType.FILTER_CHANGE: 30,
    TicketType.WATER_TEST: 25,
    TicketType.COMPLAINT: 45,
    TicketType.INQUIRY: 30,
    TicketType.PRAISE: 15,
}

# Lunch: 45 minutes taken somewhere between 11:30 and 13:30, local time.
LUNCH_EARLIEST = dt.time(11, 30)
LUNCH_LATEST_END = dt.time(13, 30)
LUNCH_MINUTES = 45

# VROOM priorities (0-100): urgent work is placed before routine work when the day is full.
PRIORITY_WEIGHT: dict[Priority, int] = {
    Priority.LOW: 0,
    Priority.NORMAL: 10,
    Priority.HIGH: 50,
    Priority.URGENT: 100,
}

# Suggestions are ranked by minutes of equivalent delay: travel, plus these penalties.
LOAD_PENALTY_MINUTES = 20  # per open job the engineer already has that day
MISSING_PARTS_PENALTY_MINUTES = 45  # a trip to the station for parts
OFF_SHIFT_PENALTY_MINUTES = 240  # the appointment falls outside the engineer's shift
LATE_PENALTY_MINUTES = 60  # would arrive after the agreed window closes


def service_seconds(ticket_type: TicketType) -> int:
    return SERVICE_MINUTES.get(ticket_type, 45) * 60


def suggestion_score(
    *,
    travel_seconds: int,
    load: int,
    parts_missing: bool,
    on_shift: bool,
    on_time: bool,
) -> float:
    """Lower is better: minutes of travel plus the penalties above."""
    minutes = travel_seconds / 60 + load * LOAD_PENALTY_MINUTES
    if parts_missing:
        minutes += MISSING_PARTS_PENALTY_MINUTES
    if not on_shift:
        minutes += OFF_SHIFT_PENALTY_MINUTES
    if not on_time:
        minutes += LATE_PENALTY_MINUTES
    return round(minutes, 1)


def works_on(work_days: list[int] | None, day: dt.date) -> bool:
    """Whether an engineer's shift includes this day (ISO weekdays, 1 = Monday)."""
    return day.isoweekday() in (work_days or [])
