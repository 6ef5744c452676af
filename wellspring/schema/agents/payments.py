"""AgentPayment, RecordAgentPayment and the agentPayments list: thin doors onto
``domain/agents/payments``."""

from __future__ import annotations

from decimal import Decimal as PyDecimal
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.agents import payments
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.errors import DealerError, errors_field
from ..core.ids import global_id, parse_global_id
from ..core.node import ModelObjectType, Node
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from ..core.scalars import DateTime, Decimal, Money, money
from ..masterdata.common import optional_id, payload
from ..org.types import Agent, User

RELATIONS: Relations = {"agent": (m.Agent, "agent_id", {})}


class AgentPaymentAllocation(graphene.ObjectType):
    """The part of a payment that went to one order."""

    order_id = graphene.ID(required=True, description="The AgentOrder (global id).")
    number = graphene.String(required=True)
    amount = graphene.Field(Money, required=True)


class AgentPayment(ModelObjectType):
    """Money an agent paid HQ (代理商回款), allocated to its unpaid shipped orders."""

    model = m.AgentPayment

    class Meta:
        interfaces = (Node,)

    agent = graphene.Field(Agent)
    amount = graphene.Field(Money, required=True)
    paid_at = graphene.Field(DateTime, required=True)
    method = graphene.Field(enums.AgentPaymentMethod, required=True)
    reference = graphene.String(required=True, description="The bank's or a receipt's number.")
    client_reference = graphene.String(required=True)
    order_id = graphene.ID(description="The order named when recorded (global id), if any.")
    allocations = graphene.NonNull(graphene.List(graphene.NonNull(AgentPaymentAllocation)))
    note = graphene.String(required=True)
    recorded_by = graphene.Field(User)
    created_at = graphene.Field(DateTime, required=True)

    @staticmethod
    def resolve_agent(root: m.AgentPayment, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.agent_id)

    @staticmethod
    def resolve_amount(root: m.AgentPayment, _info: ResolveInfo) -> Any:
        return money(root.amount, root.currency)

    @staticmethod
    def resolve_order_id(root: m.AgentPayment, _info: ResolveInfo) -> Any:
        return global_id("AgentOrder", root.order_id) if root.order_id else None

    @staticmethod
    def resolve_allocations(root: m.AgentPayment, _info: ResolveInfo) -> Any:
        return [
            AgentPaymentAllocation(
                order_id=global_id("AgentOrder", a["order_id"]),
                number=a["number"],
                amount=money(PyDecimal(a["amount"]), root.currency),
            )
            for a in root.allocations
        ]

    @staticmethod
    def resolve_recorded_by(root: m.AgentPayment, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.recorded_by_id)


class RecordAgentPaymentInput(graphene.InputObjectType):
    """HQ records money an agent paid; `clientReference` makes a retry safe."""

    agent_id = graphene.ID(required=True)
    amount = Decimal(required=True, description="CNY, more than 0, at most what is owed.")
    paid_at = DateTime(required=True, description="When the money arrived (not in the future).")
    method = graphene.Field(enums.AgentPaymentMethod, required=True)
    reference = graphene.String(description="The bank's or a receipt's number.")
    client_reference = graphene.String(
        required=True,
        description="Unique per agent: the same call again returns the payment recorded.",
    )
    order_id = graphene.ID(description="Pay this order only (else the oldest unpaid first).")
    note = graphene.String()


class RecordAgentPaymentPayload(graphene.ObjectType):
    payment = graphene.Field(AgentPayment)
    errors = errors_field(DealerError)


class RecordAgentPayment(graphene.Mutation):
    """Record an agent's payment against its unpaid shipped orders (HQ); over-payment is
    refused (OVERPAYMENT), never kept as credit."""

    class Arguments:
        input = RecordAgentPaymentInput(required=True)

    Output = RecordAgentPaymentPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            request = payments.PaymentRequest(
                agent_id=parse_global_id(input.agent_id, "Agent", field="agentId"),
                amount=input.amount,
                paid_at=input.paid_at,
                method=e.AgentPaymentMethod(input.method),
                client_reference=input.client_reference,
                reference=input.get("reference") or "",
                order_id=optional_id(input.get("order_id"), "AgentOrder", "orderId"),
                note=input.get("note") or "",
            )
            return await payments.record_agent_payment(info.context.session, actor, request=request)

        return await payload(info, RecordAgentPaymentPayload, "payment", run)


class DealerPaymentLists(graphene.ObjectType):
    agent_payments = graphene.Field(
        graphene.NonNull(connection_for(AgentPayment)),
        agent_id=graphene.ID(),
        description="Agents' payments to HQ, newest first: HQ all, an agent its own.",
        **connection_args(),
    )

    @staticmethod
    async def resolve_agent_payments(
        _root: Any,
        info: ResolveInfo,
        agent_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await payments.payments_page(
            info.context.session,
            actor,
            agent_id=optional_id(agent_id, "Agent", "agentId"),
            first=first,
            after=after,
        )
        await prefetch(
            info.context.loaders, page.items, connection_nodes(selection_tree(info)), RELATIONS
        )
        return page
