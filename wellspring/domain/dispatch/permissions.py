"""Who may book an engineer outside their working day (the same shape as
``masterdata/permissions.py``: one row per decision, closed by default).

A branch clerk may override for their own branch's engineers; HQ and admins anywhere. The
hotline books windows but may not overrule a shift.
"""

from __future__ import annotations

from ..actor import Actor
from ..errors import PermissionDenied
from ..masterdata.permissions import Reach
from ..models.enums import Role

RULES: dict[str, dict[Role, Reach]] = {
    "shift.override": {Role.ADMIN: Reach.ALL, Role.HQ: Reach.ALL, Role.CLERK: Reach.OWN_BRANCH},
}


def check(actor: Actor, action: str, *, branch_id: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless the actor may do ``action`` (in ``branch_id``)."""
    reach = RULES[action].get(actor.role)
    if reach is None:
        raise PermissionDenied
    if reach is Reach.OWN_BRANCH and (actor.branch_id is None or branch_id != actor.branch_id):
        raise PermissionDenied
