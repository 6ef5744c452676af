"""UpsertWarehouse, UpsertPart, UpsertDeviceModel, ReceiveCards (HQ and admins)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.masterdata import cards, catalogue, warehouses
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import MasterdataError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.scalars import Decimal
from ..devices.types import AccountCard, DeviceModel
from ..inventory.types import Part, Warehouse
from .common import optional_id, payload


class WarehouseInput(graphene.InputObjectType):
    """Without `id` a new warehouse (code, name, kind, branch); with it, an edit. Vans are made
    with their engineer (UpsertTechnician)."""

    id = graphene.ID()
    code = graphene.String()
    name = graphene.String()
    kind = graphene.Field(enums.WarehouseKind, description="Any kind but VAN.")
    branch_id = graphene.ID()
    agent_id = graphene.ID(description="AGENT warehouses: the dealer (its branch follows).")
    is_active = graphene.Boolean(description="false deactivates an empty warehouse.")


class UpsertWarehousePayload(graphene.ObjectType):
    warehouse = graphene.Field(Warehouse)
    errors = errors_field(MasterdataError)


class UpsertWarehouse(graphene.Mutation):
    """Create or edit a warehouse (仓库)."""

    class Arguments:
        input = WarehouseInput(required=True)

    Output = UpsertWarehousePayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = warehouses.WarehouseChange(
                id=optional_id(input.get("id"), "Warehouse", "id"),
                code=input.get("code"),
                name=input.get("name"),
                kind=e.WarehouseKind(input.kind) if input.get("kind") else None,
                branch_id=optional_id(input.get("branch_id"), "Branch", "branchId"),
                agent_id=optional_id(input.get("agent_id"), "Agent", "agentId"),
                is_active=input.get("is_active"),
            )
            return await warehouses.upsert_warehouse(info.context.session, actor, change=change)

        return await payload(info, UpsertWarehousePayload, "warehouse", run)


class PartInput(graphene.InputObjectType):
    """Without `id` a new part (sku, name, cost, listPrice); with it, an edit."""

    id = graphene.ID()
    sku = graphene.String()
    name = graphene.String()
    unit = graphene.String(description="个 unless said otherwise.")
    cost = Decimal(description="CNY: the cost price.")
    list_price = Decimal(description="CNY: what dealers pay.")
    serial_tracked = graphene.Boolean()
    compatible_model_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="The device models it fits (replaces the list)."
    )
    is_active = graphene.Boolean()


class UpsertPartPayload(graphene.ObjectType):
    part = graphene.Field(Part)
    errors = errors_field(MasterdataError)


class UpsertPart(graphene.Mutation):
    """Create or edit a spare part: SKU, name, prices, compatible device models."""

    class Arguments:
        input = PartInput(required=True)

    Output = UpsertPartPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            model_ids = input.get("compatible_model_ids")
            change = catalogue.PartChange(
                id=optional_id(input.get("id"), "Part", "id"),
                sku=input.get("sku"),
                name=input.get("name"),
                unit=input.get("unit"),
                cost=input.get("cost"),
                list_price=input.get("list_price"),
                serial_tracked=input.get("serial_tracked"),
                compatible_model_ids=[
                    parse_global_id(v, "DeviceModel", field=f"compatibleModelIds.{i}")
                    for i, v in enumerate(model_ids[: catalogue.MAX_COMPATIBLE_MODELS + 1])
                ]
                if model_ids is not None
                else None,
                is_active=input.get("is_active"),
            )
            return await catalogue.upsert_part(info.context.session, actor, change=change)

        return await payload(info, UpsertPartPayload, "part", run)


class FilterStageInput(graphene.InputObjectType):
    stage = graphene.Int(required=True, description="1 for the first stage, and so on.")
    name = graphene.String(required=True, description="e.g. PP 棉.")
    lifetime_days = graphene.Int(required=True, description="Days until it is due for change.")
    capacity_buckets = graphene.Int(
        description="Buckets of water it filters before it is due (1-100000); none: by days only."
    )


class DeviceModelInput(graphene.InputObjectType):
    """Without `id` a new model (code, name, listPrice); with it, an edit."""

    id = graphene.ID()
    code = graphene.String()
    name = graphene.String()
    supply_mode = graphene.Field(enums.SupplyMode, description="MONTHLY unless said otherwise.")
    list_price = Decimal(description="CNY.")
    filters = graphene.List(
        graphene.NonNull(FilterStageInput),
        description="The filter stages (replaces them; a dropped stage is retired).",
    )
    is_active = graphene.Boolean()


class UpsertDeviceModelPayload(graphene.ObjectType):
    device_model = graphene.Field(DeviceModel)
    errors = errors_field(MasterdataError)


class UpsertDeviceModel(graphene.Mutation):
    """Create or edit a device model and its filter stages with their intervals."""

    class Arguments:
        input = DeviceModelInput(required=True)

    Output = UpsertDeviceModelPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            stages = input.get("filters")
            change = catalogue.DeviceModelChange(
                id=optional_id(input.get("id"), "DeviceModel", "id"),
                code=input.get("code"),
                name=input.get("name"),
                supply_mode=e.SupplyMode(input.supply_mode) if input.get("supply_mode") else None,
                list_price=input.get("list_price"),
                filters=[
                    catalogue.FilterStage(
                        stage=s.stage,
                        name=s.name,
                        lifetime_days=s.lifetime_days,
                        capacity_buckets=s.get("capacity_buckets"),
                    )
                    for s in stages[: catalogue.MAX_FILTER_STAGES + 1]
                ]
                if stages is not None
                else None,
                is_active=input.get("is_active"),
            )
            return await catalogue.upsert_device_model(info.context.session, actor, change=change)

        return await payload(info, UpsertDeviceModelPayload, "device_model", run)


class ReceiveCardsInput(graphene.InputObjectType):
    warehouse_id = graphene.ID(required=True)
    from_number = graphene.String(required=True, description="The first card number (digits).")
    to_number = graphene.String(
        required=True, description="The last card number, same width; at most 1000 cards."
    )
    secrets = graphene.List(
        graphene.NonNull(graphene.String),
        description="The printed secrets, one per card in order; omitted, they are drawn here "
        "and returned once in `issuedSecrets`.",
    )


class IssuedSecret(graphene.ObjectType):
    """A drawn secret, shown only in this answer (it is stored hashed)."""

    card_number = graphene.String(required=True)
    secret = graphene.String(required=True)


class ReceiveCardsPayload(graphene.ObjectType):
    count = graphene.Int(required=True)
    cards = graphene.List(graphene.NonNull(AccountCard))
    issued_secrets = graphene.List(graphene.NonNull(IssuedSecret))
    errors = errors_field(MasterdataError)


class ReceiveCards(graphene.Mutation):
    """A batch of account cards arrives in a warehouse, by number range."""

    class Arguments:
        input = ReceiveCardsInput(required=True)

    Output = ReceiveCardsPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            given = input.get("secrets")
            return await cards.receive_cards(
                info.context.session,
                actor,
                warehouse_id=parse_global_id(input.warehouse_id, "Warehouse", field="warehouseId"),
                from_number=input.from_number,
                to_number=input.to_number,
                secrets_given=given[: cards.MAX_BATCH + 1] if given is not None else None,
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return ReceiveCardsPayload(count=0, errors=result)
        issued = [
            IssuedSecret(card_number=r.card.card_number, secret=r.issued_secret)
            for r in result
            if r.issued_secret is not None
        ]
        return ReceiveCardsPayload(
            count=len(result), cards=[r.card for r in result], issued_secrets=issued, errors=[]
        )
