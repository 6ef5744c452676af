"""Who sees which outlet rows (``domain.policy`` lists these in ``SCOPES``).

An outlet's own logins are the engineers attached to it (``technicians.outlet_id``): no new
role; each sees the outlet they belong to and its settlements and assessments, nothing of
another outlet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from ..actor import Actor
from ..models import OutletAssessment, OutletSettlement, ServiceOutlet, Technician
from ..models.enums import Role

Condition = ColumnElement[bool]


def _my_outlet(actor: Actor) -> Any:
    return (
        select(Technician.outlet_id)
        .where(Technician.id == actor.technician_id, Technician.outlet_id.is_not(None))
        .scalar_subquery()
    )


def outlets_scope(actor: Actor) -> Condition:
    """HQ sees every outlet, a clerk their branch's, an engineer the outlet they belong to."""
    if actor.role in (Role.ADMIN, Role.HQ):
        return true()
    match actor.role:
        case Role.CLERK if actor.branch_id:
            return ServiceOutlet.branch_id == actor.branch_id
        case Role.TECHNICIAN if actor.technician_id:
            mine: Condition = ServiceOutlet.id == _my_outlet(actor)
            return mine
    return false()


def _outlet_ids(actor: Actor) -> Any:
    return select(ServiceOutlet.id).where(outlets_scope(actor))


def settlements_scope(actor: Actor) -> Condition:
    return OutletSettlement.outlet_id.in_(_outlet_ids(actor))


def assessments_scope(actor: Actor) -> Condition:
    return OutletAssessment.outlet_id.in_(_outlet_ids(actor))
