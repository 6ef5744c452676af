"""Who may run each media use case: one row per operation, checked in one place.

Reach ``OWN_JOB``: the engineer the job is assigned to. Reading goes through the job's own
scope (domain/policy.py) and what each role may see of it (reading.py).
"""

from __future__ import annotations

import enum

from ..actor import Actor
from ..errors import PermissionDenied
from ..models.enums import Role


class Reach(enum.StrEnum):
    ALL = "ALL"
    OWN_BRANCH = "OWN_BRANCH"
    OWN_JOB = "OWN_JOB"


RULES: dict[str, dict[Role, Reach]] = {
    "attachment.request_upload": {Role.TECHNICIAN: Reach.OWN_JOB},
    "attachment.confirm_upload": {Role.TECHNICIAN: Reach.OWN_JOB},
    "attachment.register": {Role.TECHNICIAN: Reach.OWN_JOB},
    "evidence.overdue_list": {
        Role.ADMIN: Reach.ALL,
        Role.HQ: Reach.ALL,
        Role.HOTLINE: Reach.ALL,
        Role.CLERK: Reach.OWN_BRANCH,
    },
}

# Who may read a stored original (with its metadata); each read is audited.
ORIGINAL_READERS = frozenset({Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK, Role.TECHNICIAN})


def check(actor: Actor, action: str) -> Reach:
    """The actor's reach for ``action``; ``PermissionDenied`` when the role may not."""
    reach = RULES[action].get(actor.role)
    if reach is None:
        raise PermissionDenied
    return reach


def allowed_roles(action: str) -> frozenset[Role]:
    return frozenset(RULES[action])
