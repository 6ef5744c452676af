"""AgentOrder and its lines, TerritoryConflict and PriceStandard."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.ids import global_id
from ..core.node import ModelObjectType, Node
from ..core.scalars import Date, DateTime, Money, money
from ..devices.types import DeviceModel
from ..inventory.types import Part, Warehouse
from ..org.types import Agent, Branch, User


class AgentOrderLine(ModelObjectType):
    """One line of an agent's order, at the price that applied when it was placed."""

    model = m.AgentOrderLine

    class Meta:
        interfaces = (Node,)

    item = graphene.Field(enums.AgentOrderItem, required=True)
    device_model = graphene.Field(DeviceModel)
    part = graphene.Field(Part)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, required=True, description="The sale price, never cost.")
    amount = graphene.Field(Money, required=True)
    from_price_standard = graphene.Boolean(
        required=True, description="Priced from a price standard (else the list price)."
    )
    shipped = graphene.NonNull(
        graphene.List(graphene.NonNull(graphene.String)),
        description="Serial numbers (machines) or card numbers (cards) that went out.",
    )

    @staticmethod
    def resolve_device_model(root: m.AgentOrderLine, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.DeviceModel, root.device_model_id)

    @staticmethod
    def resolve_part(root: m.AgentOrderLine, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, root.part_id)

    @staticmethod
    def resolve_unit_price(root: m.AgentOrderLine, _info: ResolveInfo) -> Any:
        return money(root.unit_price, "CNY")

    @staticmethod
    def resolve_amount(root: m.AgentOrderLine, _info: ResolveInfo) -> Any:
        return money(root.amount, "CNY")

    @staticmethod
    def resolve_from_price_standard(root: m.AgentOrderLine, _info: ResolveInfo) -> bool:
        return root.price_standard_id is not None


class AgentOrder(ModelObjectType):
    """An agent's purchase of machines, cards and parts from HQ (代理商订货)."""

    model = m.AgentOrder

    class Meta:
        interfaces = (Node,)

    number = graphene.String(required=True)
    agent = graphene.Field(Agent)
    status = graphene.Field(enums.AgentOrderStatus, required=True)
    total = graphene.Field(Money, required=True)
    paid_amount = graphene.Field(Money, required=True)
    needs_approval = graphene.Boolean(
        required=True, description="Over the credit limit when placed: HQ approves it."
    )
    credit_exposure = graphene.Field(
        Money, required=True, description="Open orders and unpaid balance when it was placed."
    )
    note = graphene.String(required=True)
    placed_at = graphene.Field(DateTime, required=True)
    placed_by = graphene.Field(User)
    confirmed_at = graphene.Field(DateTime)
    shipped_at = graphene.Field(DateTime)
    from_warehouse = graphene.Field(Warehouse)
    to_warehouse = graphene.Field(Warehouse)
    cancel_reason = graphene.String(required=True)
    lines = graphene.NonNull(graphene.List(graphene.NonNull(AgentOrderLine)))

    @staticmethod
    def resolve_agent(root: m.AgentOrder, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.agent_id)

    @staticmethod
    def resolve_total(root: m.AgentOrder, _info: ResolveInfo) -> Any:
        return money(root.total, root.currency)

    @staticmethod
    def resolve_paid_amount(root: m.AgentOrder, _info: ResolveInfo) -> Any:
        return money(root.paid_amount, root.currency)

    @staticmethod
    def resolve_credit_exposure(root: m.AgentOrder, _info: ResolveInfo) -> Any:
        return money(root.credit_exposure, root.currency)

    @staticmethod
    def resolve_placed_by(root: m.AgentOrder, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.placed_by_id)

    @staticmethod
    def resolve_from_warehouse(root: m.AgentOrder, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.from_warehouse_id)

    @staticmethod
    def resolve_to_warehouse(root: m.AgentOrder, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.to_warehouse_id)

    @staticmethod
    def resolve_lines(root: m.AgentOrder, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.AgentOrderLine, m.AgentOrderLine.order_id, (m.AgentOrderLine.position,)
        )
        return loader.load(root.id)


class TerritoryConflict(ModelObjectType):
    """An agent's request refused for reaching a customer or place not its own (HQ's list)."""

    model = m.TerritoryConflict

    class Meta:
        interfaces = (Node,)

    agent = graphene.Field(Agent)
    actor = graphene.Field(User)
    kind = graphene.Field(enums.ConflictKind, required=True)
    operation = graphene.String(
        required=True, description="What was asked, e.g. ticket.open:RECHARGE."
    )
    customer_id = graphene.ID(description="The customer reached for (global id), if any.")
    owner_branch = graphene.Field(Branch, description="A direct customer's branch.")
    owner_agent = graphene.Field(Agent, description="The agent owning the customer.")
    at = graphene.Field(DateTime, required=True)

    @staticmethod
    def resolve_agent(root: m.TerritoryConflict, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.agent_id)

    @staticmethod
    def resolve_actor(root: m.TerritoryConflict, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.actor_id)

    @staticmethod
    def resolve_customer_id(root: m.TerritoryConflict, _info: ResolveInfo) -> Any:
        return global_id("Customer", root.customer_id) if root.customer_id else None

    @staticmethod
    def resolve_owner_branch(root: m.TerritoryConflict, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.owner_branch_id)

    @staticmethod
    def resolve_owner_agent(root: m.TerritoryConflict, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.owner_agent_id)


class PriceStandard(ModelObjectType):
    """A price that holds for a kind (and item) in a region, from one day until another."""

    model = m.PriceStandard

    class Meta:
        interfaces = (Node,)

    kind = graphene.Field(enums.PriceKind, required=True)
    item_id = graphene.ID(description="The device model or part priced (global id), if any.")
    province = graphene.String(required=True, description="Empty: the whole country.")
    city = graphene.String(required=True, description="Empty: the whole province.")
    price = graphene.Field(Money, required=True)
    effective_from = Date(required=True)
    effective_to = Date(description="The first day it no longer holds; none: open-ended.")
    note = graphene.String(required=True)

    @staticmethod
    def resolve_item_id(root: m.PriceStandard, _info: ResolveInfo) -> Any:
        if not root.item_id:
            return None
        kind = "DeviceModel" if root.kind is e.PriceKind.DEALER_MACHINE else "Part"
        return global_id(kind, root.item_id)

    @staticmethod
    def resolve_price(root: m.PriceStandard, _info: ResolveInfo) -> Any:
        return money(root.price, root.currency)
