"""UpdateCustomer: a customer's profile, grade, salesperson and bound engineer;
ReassignCustomer: the customer to another branch or agent; UpdateMyContact: a signed-in
customer's own phone and contact."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import customer_owner, customer_profile
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import WorkflowError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import payload


def _optional_id(value: str | None, type_name: str, field: str) -> str | None:
    # Only null means none: an empty string is a bad id (INVALID_ID), never "take them off".
    return None if value is None else parse_global_id(value, type_name, field=field)


class UpdateCustomerInput(graphene.InputObjectType):
    """The fields given change; those left out stay. `salespersonId` and
    `serviceTechnicianId` given as null take the person off the customer."""

    id = graphene.ID(required=True)
    name = graphene.String()
    kind = graphene.Field(enums.CustomerKind)
    phone = graphene.String(description="Mainland mobile or landline with area code.")
    note = graphene.String(description="Up to 500 characters.")
    tier = graphene.Field(enums.CustomerTier, description="The branch's management only.")
    salesperson_id = graphene.ID(
        description="An active salesperson of the customer's branch (management only)."
    )
    service_technician_id = graphene.ID(
        description="The engineer of the customer's branch bound for water service, told of "
        "each recharge (management only)."
    )


class UpdateCustomerPayload(graphene.ObjectType):
    customer = graphene.Field("wellspring.schema.customers.types.Customer")
    errors = errors_field(WorkflowError)


class UpdateCustomer(graphene.Mutation):
    """Correct a customer's profile, or set their grade, salesperson and bound engineer."""

    class Arguments:
        input = UpdateCustomerInput(required=True)

    Output = UpdateCustomerPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            people: dict[str, Any] = {}
            if "salesperson_id" in input:
                people["salesperson_id"] = _optional_id(
                    input["salesperson_id"], "User", "salespersonId"
                )
            if "service_technician_id" in input:
                people["service_technician_id"] = _optional_id(
                    input["service_technician_id"], "Technician", "serviceTechnicianId"
                )
            change = customer_profile.CustomerChange(
                id=parse_global_id(input.id, "Customer"),
                name=input.get("name"),
                kind=e.CustomerKind(input.kind) if input.get("kind") else None,
                phone=input.get("phone"),
                note=input.get("note"),
                tier=e.CustomerTier(input.tier) if input.get("tier") else None,
                **people,
            )
            return await customer_profile.update_customer(
                info.context.session, actor, change=change
            )

        return await payload(info, UpdateCustomerPayload, "customer", run)


class ReassignCustomerInput(graphene.InputObjectType):
    """Exactly one of `branchId` (a direct customer of that branch) and `agentId`."""

    customer_id = graphene.ID(required=True)
    branch_id = graphene.ID()
    agent_id = graphene.ID()


class ReassignCustomerPayload(graphene.ObjectType):
    customer = graphene.Field("wellspring.schema.customers.types.Customer")
    errors = errors_field(WorkflowError)


class ReassignCustomer(graphene.Mutation):
    """Move a customer, with their devices and active cards, to another branch or agent."""

    class Arguments:
        input = ReassignCustomerInput(required=True)

    Output = ReassignCustomerPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await customer_owner.reassign_customer(
                info.context.session,
                actor,
                customer_id=parse_global_id(input.customer_id, "Customer", field="customerId"),
                branch_id=_optional_id(input.get("branch_id"), "Branch", "branchId"),
                agent_id=_optional_id(input.get("agent_id"), "Agent", "agentId"),
            )

        return await payload(info, ReassignCustomerPayload, "customer", run)


class UpdateMyContactInput(graphene.InputObjectType):
    """The fields given change; those left out stay. Addresses are not here: a move goes
    through a relocation ticket (OpenTicket, type RELOCATE)."""

    contact_name = graphene.String(description="Whom the engineer asks for; up to 50 characters.")
    phone = graphene.String(description="Your phone: mainland mobile or landline with area code.")
    contact_phone = graphene.String(description="The contact's phone, checked as `phone` is.")


class UpdateMyContactPayload(graphene.ObjectType):
    customer = graphene.Field("wellspring.schema.customers.types.Customer")
    errors = errors_field(WorkflowError)


class UpdateMyContact(graphene.Mutation):
    """Customers: correct your own phone and your primary contact's name and phone."""

    class Arguments:
        input = UpdateMyContactInput(required=True)

    Output = UpdateMyContactPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = customer_profile.ContactChange(
                contact_name=input.get("contact_name"),
                phone=input.get("phone"),
                contact_phone=input.get("contact_phone"),
            )
            return await customer_profile.update_own_contact(
                info.context.session, actor, change=change
            )

        return await payload(info, UpdateMyContactPayload, "customer", run)
