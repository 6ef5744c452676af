"""What the workflow mutations return: the changed objects and the payload errors."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m

from ..core.errors import WorkflowError, errors_field
from ..customers.types import Customer
from ..tickets.follow_ups import FollowUp
from ..tickets.types import Job, Ticket


class TicketPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket)
    errors = errors_field(WorkflowError)


class OpenTicketPayload(TicketPayload):
    """The ticket opened; or, with DUPLICATE_OPEN_TICKET, the open ticket of the same type
    already on the device, and with CUSTOMER_EXISTS, the customer of the new customer's name
    and phone (repeat with ``allowDuplicate: true`` to open or create another anyway)."""

    existing_ticket = graphene.Field(Ticket)
    existing_customer = graphene.Field(
        Customer, description="With CUSTOMER_EXISTS: the customer to open the ticket for."
    )


class DispatchTicketPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket)
    job = graphene.Field(Job, description="The job opened for the branch.")
    errors = errors_field(WorkflowError)


class JobPayload(graphene.ObjectType):
    job = graphene.Field(Job)
    ticket = graphene.Field(Ticket, description="The job's ticket, as the change left it.")
    errors = errors_field(WorkflowError)

    @staticmethod
    def resolve_ticket(root: Any, info: ResolveInfo) -> Any:
        if root.job is None:
            return None
        return info.context.loaders.load(m.Ticket, root.job.ticket_id)


class RecordFollowUpPayload(graphene.ObjectType):
    ticket = graphene.Field(Ticket)
    follow_up = graphene.Field(FollowUp)
    complaint = graphene.Field(Ticket, description="Opened when the score is 2 or less.")
    errors = errors_field(WorkflowError)
