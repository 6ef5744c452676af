"""Device rules shared by every door."""

from __future__ import annotations

from collections.abc import Iterable

from .models import AccountCard
from .models.enums import CardStatus


def active_card(cards: Iterable[AccountCard]) -> AccountCard | None:
    """The card a device runs on: the one bound and active (a device has at most one)."""
    return next((c for c in cards if c.status is CardStatus.ACTIVE), None)
