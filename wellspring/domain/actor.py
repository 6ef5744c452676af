"""Who is acting: the authenticated user with the facts the policy needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models.enums import Role

STAFF_WIDE_ROLES = frozenset({Role.ADMIN, Role.HQ, Role.HOTLINE})


@dataclass(frozen=True)
class Actor:
    user_id: str
    username: str
    role: Role
    branch_id: str | None = None
    agent_id: str | None = None
    customer_id: str | None = None
    technician_id: str | None = None
    session_id: str | None = None
    session_last_seen_at: dt.datetime | None = None
    # A customer's tracking link (issue 17) opens one ticket's live view and nothing else.
    only_ticket_id: str | None = None

    @property
    def sees_all_branches(self) -> bool:
        """HQ management, admins and the national hotline work across every branch."""
        return self.role in STAFF_WIDE_ROLES


SYSTEM = Actor(user_id="", username="system", role=Role.ADMIN)
