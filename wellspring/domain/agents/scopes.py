"""Who sees an agent's payments, and the customers an agent's own reports count
(``domain.policy`` lists the payments' scope in ``SCOPES``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from ..actor import Actor
from ..models import Agent, AgentPayment
from ..models.enums import Role

Condition = ColumnElement[bool]


def agent_payments_scope(actor: Actor) -> Condition:
    """Payments: HQ and admins all, an agent its own (not its sub-distributors', as orders)."""
    if actor.role in (Role.ADMIN, Role.HQ):
        return true()
    if actor.role is Role.AGENT and actor.agent_id:
        return AgentPayment.agent_id == actor.agent_id
    return false()


def dealer_ids(actor: Actor) -> Any:
    """An agent and its sub-distributors: whose customers its reports count (§6)."""
    return select(Agent.id).where(
        (Agent.id == actor.agent_id) | (Agent.parent_agent_id == actor.agent_id)
    )
