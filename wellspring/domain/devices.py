"""Device rules shared by every door."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from .models import AccountCard, Device, FilterChange, FilterType
from .models.enums import CardStatus


def active_card(cards: Iterable[AccountCard]) -> AccountCard | None:
    """The card a device runs on: the one bound and active (a device has at most one)."""
    return next((c for c in cards if c.status is CardStatus.ACTIVE), None)


def fitted_filter_stages() -> Select[Any]:
    """Every model's filter stages still fitted. A stage dropped from its model is retired
    (``deleted_at`` set, its row kept for the changes that name it): it is never due again,
    so the due list and the reminders must not read it."""
    return select(FilterType).where(FilterType.deleted_at.is_(None))


@dataclass(frozen=True)
class FilterStatus:
    """Where one filter stage of a device stands."""

    filter_type: FilterType
    last_changed_on: dt.date | None
    due_on: dt.date | None

    def is_due(self, today: dt.date, within_days: int = 0) -> bool:
        return self.due_on is not None and self.due_on <= today + dt.timedelta(days=within_days)


def filter_statuses(
    device: Device, filter_types: Iterable[FilterType], changes: Iterable[FilterChange]
) -> list[FilterStatus]:
    """Each filter's next change: its last change (or the device's open date) plus its lifetime."""
    last: dict[str, dt.date] = {}
    for change in changes:
        if change.deleted_at is None and change.changed_on > last.get(
            change.filter_type_id, dt.date.min
        ):
            last[change.filter_type_id] = change.changed_on
    start = device.opened_on
    statuses = []
    for filter_type in sorted(filter_types, key=lambda f: f.stage):
        changed = last.get(filter_type.id)
        base = changed or start
        due = base + dt.timedelta(days=filter_type.lifetime_days) if base else None
        statuses.append(FilterStatus(filter_type, changed, due))
    return statuses
