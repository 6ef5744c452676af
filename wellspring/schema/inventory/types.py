"""Warehouses, parts, balances, ledger entries and stock documents."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain import policy

from ..core import enums
from ..core.node import ModelObjectType, Node
from ..core.scalars import TOTAL, DateTime, Money, money
from ..org.types import Branch


class Warehouse(ModelObjectType):
    model = m.Warehouse

    class Meta:
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    kind = graphene.Field(enums.WarehouseKind, required=True)
    branch = graphene.Field(Branch)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_branch(root: m.Warehouse, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)


class Part(ModelObjectType):
    model = m.Part

    class Meta:
        interfaces = (Node,)

    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    unit = graphene.String(required=True)
    cost = graphene.Field(Money, description="Cost price: HQ, admins and clerks only.")
    list_price = graphene.Field(Money, required=True, description="What dealers pay.")
    serial_tracked = graphene.Boolean(required=True)
    compatible_models = graphene.NonNull(
        graphene.List(graphene.NonNull(graphene.String)),
        description="Codes of the device models the part fits.",
    )
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_list_price(root: m.Part, _info: ResolveInfo) -> Any:
        return money(root.list_price, root.currency)

    @staticmethod
    def resolve_cost(root: m.Part, info: ResolveInfo) -> Any:
        actor = info.context.actor
        return money(root.cost, root.currency) if actor and policy.can_see_costs(actor) else None


class StockBalance(ModelObjectType):
    """How many of a part a warehouse holds in one bin (good or defective)."""

    model = m.StockBalance

    class Meta:
        interfaces = (Node,)

    warehouse = graphene.Field(Warehouse)
    part = graphene.Field(Part)
    bin = graphene.Field(enums.StockBin, required=True)
    quantity = graphene.Int(required=True)
    safety_stock = graphene.Int(required=True)
    below_safety_stock = graphene.Boolean(required=True)
    location = graphene.String(required=True, description="Bin location (货位), if any.")

    @staticmethod
    def resolve_warehouse(root: m.StockBalance, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.warehouse_id)

    @staticmethod
    def resolve_part(root: m.StockBalance, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, root.part_id)


class StockEntry(ModelObjectType):
    """One ledger line: never edited; a correction is a reversing entry."""

    model = m.StockEntry

    class Meta:
        interfaces = (Node,)

    warehouse = graphene.Field(Warehouse)
    part = graphene.Field(Part)
    bin = graphene.Field(enums.StockBin, required=True)
    delta = graphene.Int(required=True)
    kind = graphene.Field(enums.LedgerKind, required=True)
    document = graphene.String(required=True)
    note = graphene.String(required=True)
    created_at = graphene.Field(DateTime, required=True)
    actor_name = graphene.String(
        description="Who posted it: for parts used on a job, the engineer who fitted them "
        "(from their van, whoever holds the job now)."
    )

    @staticmethod
    async def resolve_actor_name(root: m.StockEntry, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.actor_id)

    @staticmethod
    def resolve_warehouse(root: m.StockEntry, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.warehouse_id)

    @staticmethod
    def resolve_part(root: m.StockEntry, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, root.part_id)


class StockMovementLine(graphene.ObjectType):
    part = graphene.Field(Part)
    bin = graphene.Field(enums.StockBin, required=True)
    quantity = graphene.Int(required=True)

    @staticmethod
    def resolve_part(root: Any, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, root["part_id"])

    @staticmethod
    def resolve_bin(root: Any, _info: ResolveInfo) -> Any:
        return root["bin"]

    @staticmethod
    def resolve_quantity(root: Any, _info: ResolveInfo) -> Any:
        return root["quantity"]


class StockMovement(ModelObjectType):
    """A stock document: receipt, transfer, breakage or stocktake."""

    model = m.StockMovement

    class Meta:
        interfaces = (Node,)

    number = graphene.String(required=True)
    kind = graphene.Field(enums.MovementKind, required=True)
    status = graphene.Field(enums.MovementStatus, required=True)
    from_warehouse = graphene.Field(Warehouse)
    to_warehouse = graphene.Field(Warehouse)
    lines = graphene.NonNull(graphene.List(graphene.NonNull(StockMovementLine)))
    note = graphene.String(required=True)
    created_at = graphene.Field(DateTime, required=True)

    @staticmethod
    def resolve_from_warehouse(root: m.StockMovement, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.from_warehouse_id)

    @staticmethod
    def resolve_to_warehouse(root: m.StockMovement, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.to_warehouse_id)


class StockSuggestion(graphene.ObjectType):
    """A balance under its safety stock and what to do: transfer from `source`, else purchase."""

    balance = graphene.Field(StockBalance, required=True)
    shortfall = graphene.Int(required=True)
    action = graphene.Field(enums.SuggestedAction, required=True)
    source = graphene.Field(Warehouse, description="The nearest warehouse that can spare it.")
    distance_km = graphene.Float()


class ConsumptionRow(graphene.ObjectType):
    part = graphene.Field(Part, required=True)
    branch = graphene.Field(Branch)
    device_model = graphene.Field("wellspring.schema.devices.types.DeviceModel")
    quantity = graphene.BigInt(required=True, description=TOTAL)
    value = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_branch(root: Any, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)

    @staticmethod
    def resolve_device_model(root: Any, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.DeviceModel, root.device_model_id)

    @staticmethod
    def resolve_value(root: Any, _info: ResolveInfo) -> Any:
        return money(root.value, root.part.currency)


class WarehouseValue(graphene.ObjectType):
    warehouse = graphene.Field(Warehouse, required=True)
    quantity = graphene.BigInt(required=True, description=TOTAL)
    value = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_value(root: Any, _info: ResolveInfo) -> Any:
        return money(root.value, "CNY")
