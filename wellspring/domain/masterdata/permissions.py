"""Who may change master data (domain.md): one row per use case, the same for every door.

A role maps to its reach: ``ALL`` anywhere, ``OWN_BRANCH`` only inside the actor's own branch
(a branch clerk manages the branch's engineers, nobody else's). A role not listed may not.
"""

from __future__ import annotations

import enum

from ..actor import Actor
from ..errors import PermissionDenied
from ..models.enums import Role


class Reach(enum.StrEnum):
    ALL = "ALL"
    OWN_BRANCH = "OWN_BRANCH"


_HQ_ONLY = {Role.ADMIN: Reach.ALL, Role.HQ: Reach.ALL}
_ADMINS = {Role.ADMIN: Reach.ALL}

RULES: dict[str, dict[Role, Reach]] = {
    "branch.upsert": _HQ_ONLY,
    "warehouse.upsert": _HQ_ONLY,
    "part.upsert": _HQ_ONLY,
    "device_model.upsert": _HQ_ONLY,
    "cards.receive": _HQ_ONLY,
    "technician.upsert": {**_HQ_ONLY, Role.CLERK: Reach.OWN_BRANCH},
    "user.create": _ADMINS,
    "user.update": _ADMINS,
    "user.deactivate": _ADMINS,
    "user.reset_password": _ADMINS,
    "import.run": _HQ_ONLY,  # bulk import (domain.imports), and reading an import's report
}


def check(actor: Actor, action: str, *, branch_id: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless the actor may do ``action`` (in ``branch_id``)."""
    reach = RULES[action].get(actor.role)
    if reach is None:
        raise PermissionDenied
    if reach is Reach.OWN_BRANCH and (actor.branch_id is None or branch_id != actor.branch_id):
        raise PermissionDenied


def allowed_roles(action: str) -> frozenset[Role]:
    """The roles that may do ``action`` at all (for the permission tests and the docs)."""
    return frozenset(RULES[action])
