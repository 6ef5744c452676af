"""Service-level due times by ticket type and priority (configurable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..models.enums import Priority, TicketType

# Hours from opening to done, by priority; a type may override some priorities.
DEFAULT_HOURS: dict[str, int] = {
    Priority.URGENT: 4,
    Priority.HIGH: 24,
    Priority.NORMAL: 48,
    Priority.LOW: 96,
}
TYPE_HOURS: dict[str, dict[str, int]] = {
    TicketType.INSTALL: {Priority.NORMAL: 72, Priority.LOW: 120},
    TicketType.RELOCATE: {Priority.NORMAL: 72, Priority.LOW: 120},
    TicketType.INQUIRY: {Priority.NORMAL: 24, Priority.LOW: 48},
    TicketType.COMPLAINT: {Priority.NORMAL: 24, Priority.LOW: 48},
}


def due_at(
    opened_at: dt.datetime,
    ticket_type: TicketType,
    priority: Priority,
    overrides: Mapping[str, Mapping[str, int]] | None = None,
) -> dt.datetime:
    """When a ticket of this type and priority must be done.

    ``overrides`` (``{"REPAIR": {"URGENT": 2}}``, from the settings) wins over the defaults.
    """
    hours = DEFAULT_HOURS[priority]
    hours = TYPE_HOURS.get(ticket_type, {}).get(priority, hours)
    if overrides:
        hours = overrides.get(ticket_type, {}).get(priority, hours)
    return opened_at + dt.timedelta(hours=hours)
