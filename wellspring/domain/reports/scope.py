"""Which rows a report counts: the policy's scopes, except that an agent's figures are its
own and its sub-distributors' (§6: "agents see their own"; a city general agent answers for
the sub-distributors under it), while its lists stay its own customers' (``policy``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from .. import policy
from ..actor import Actor
from ..agents.scopes import dealer_ids
from ..models import AccountCard, Customer, Device, Job, Ticket
from ..models.enums import Role

Condition = ColumnElement[bool]


def _dealer(actor: Actor) -> bool:
    return actor.role is Role.AGENT and actor.agent_id is not None


def tickets(actor: Actor) -> Condition:
    if _dealer(actor):
        customers = select(Customer.id).where(Customer.agent_id.in_(dealer_ids(actor)))
        return Ticket.customer_id.in_(customers)
    return policy.tickets_scope(actor)


def jobs(actor: Actor) -> Condition:
    if _dealer(actor):
        return Job.ticket_id.in_(select(Ticket.id).where(tickets(actor)))
    return policy.jobs_scope(actor)


def cards(actor: Actor) -> Condition:
    if _dealer(actor):
        return AccountCard.agent_id.in_(dealer_ids(actor))
    return policy.cards_scope(actor)


def devices(actor: Actor) -> Condition:
    if _dealer(actor):
        return Device.agent_id.in_(dealer_ids(actor))
    return policy.devices_scope(actor)
