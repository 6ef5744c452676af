"""UpsertAgent, PlaceAgentOrder, ConfirmAgentOrder, ShipAgentOrder, CancelAgentOrder,
UpsertPriceStandard: thin doors onto ``domain/agents``."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.agents import dealers, orders, prices, shipping
from wellspring.domain.agents.territory import Area
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import DealerError, errors_field
from ..core.idempotent import key_field, once
from ..core.ids import parse_global_id
from ..core.scalars import Date, Decimal
from ..masterdata.common import optional_id, payload
from ..org.types import Agent
from .types import AgentOrder, PriceStandard

MAX_AREAS_IN = 50
MAX_LINES_IN = 50
MAX_NUMBERS_IN = 1000


class TerritoryAreaInput(graphene.InputObjectType):
    province = graphene.String(required=True)
    city = graphene.String(required=True)
    district = graphene.String(description="Empty or missing: the whole city.")


class UpsertAgentInput(graphene.InputObjectType):
    """Without `id` a new agent (code, name, branchId required; a sub-distributor also
    parentAgentId); with it, an edit of the fields given. HQ and admins only."""

    id = graphene.ID()
    code = graphene.String(description="Short code; unique.")
    name = graphene.String()
    level = graphene.Field(
        enums.AgentLevel, description="CITY_GENERAL (default) or SUB_DISTRIBUTOR."
    )
    parent_agent_id = graphene.ID(description="A sub-distributor's city general agent.")
    branch_id = graphene.ID(description="The branch that services its customers.")
    territory = graphene.String(description="The territory in words.")
    territory_areas = graphene.List(
        graphene.NonNull(TerritoryAreaInput), description="Replaces the areas (at most 50)."
    )
    contract_number = graphene.String()
    contract_start = Date()
    contract_end = Date()
    deposit = Decimal(description="CNY: the deposit (保证金) held.")
    credit_limit = Decimal(description="CNY: open orders plus unpaid balance it may run to.")
    contact_name = graphene.String()
    contact_phone = graphene.String()
    contact_email = graphene.String()
    address = graphene.String()
    is_active = graphene.Boolean(description="false deactivates (nothing is deleted).")


class UpsertAgentPayload(graphene.ObjectType):
    agent = graphene.Field(Agent)
    errors = errors_field(DealerError)


def _areas(values: Any) -> list[Area] | None:
    if values is None:
        return None
    return [
        Area(province=a.province, city=a.city, district=a.get("district") or "")
        for a in values[: MAX_AREAS_IN + 1]
    ]


class UpsertAgent(graphene.Mutation):
    """Create or edit a dealer (代理商): level, parent, territory, contract, deposit, credit."""

    class Arguments:
        input = UpsertAgentInput(required=True)

    Output = UpsertAgentPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            level = input.get("level")
            change = dealers.AgentChange(
                id=optional_id(input.get("id"), "Agent", "id"),
                code=input.get("code"),
                name=input.get("name"),
                level=e.AgentLevel(level) if level else None,
                parent_agent_id=optional_id(input.get("parent_agent_id"), "Agent", "parentAgentId"),
                branch_id=optional_id(input.get("branch_id"), "Branch", "branchId"),
                territory=input.get("territory"),
                territory_areas=_areas(input.get("territory_areas")),
                contract_number=input.get("contract_number"),
                contract_start=input.get("contract_start"),
                contract_end=input.get("contract_end"),
                deposit=input.get("deposit"),
                credit_limit=input.get("credit_limit"),
                contact_name=input.get("contact_name"),
                contact_phone=input.get("contact_phone"),
                contact_email=input.get("contact_email"),
                address=input.get("address"),
                is_active=input.get("is_active"),
            )
            return await dealers.upsert_agent(info.context.session, actor, change=change)

        return await payload(info, UpsertAgentPayload, "agent", run)


class AgentOrderLineInput(graphene.InputObjectType):
    item = graphene.Field(enums.AgentOrderItem, required=True)
    quantity = graphene.Int(required=True)
    device_model_id = graphene.ID(description="MACHINE lines: the device model.")
    part_id = graphene.ID(description="PART lines: the part.")


class PlaceAgentOrderInput(graphene.InputObjectType):
    """An agent orders for itself; HQ may order for an agent (`agentId`)."""

    lines = graphene.List(graphene.NonNull(AgentOrderLineInput), required=True)
    note = graphene.String()
    agent_id = graphene.ID(description="HQ only: the agent ordered for.")
    idempotency_key = key_field()


class PlaceAgentOrderPayload(graphene.ObjectType):
    order = graphene.Field(AgentOrder)
    errors = errors_field(DealerError)


class ConfirmAgentOrderPayload(graphene.ObjectType):
    order = graphene.Field(AgentOrder)
    errors = errors_field(DealerError)


class ShipAgentOrderPayload(graphene.ObjectType):
    order = graphene.Field(AgentOrder)
    errors = errors_field(DealerError)


class CancelAgentOrderPayload(graphene.ObjectType):
    order = graphene.Field(AgentOrder)
    errors = errors_field(DealerError)


class PlaceAgentOrder(graphene.Mutation):
    """An agent's purchase of machines, cards and parts from HQ, priced from the price
    standards (else list prices); over the credit limit it waits for HQ's approval."""

    class Arguments:
        input = PlaceAgentOrderInput(required=True)

    Output = PlaceAgentOrderPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            lines = [
                orders.OrderLineRequest(
                    item=e.AgentOrderItem(line.item),
                    quantity=line.quantity,
                    device_model_id=optional_id(
                        line.get("device_model_id"), "DeviceModel", f"lines.{i}.deviceModelId"
                    ),
                    part_id=optional_id(line.get("part_id"), "Part", f"lines.{i}.partId"),
                )
                for i, line in enumerate(input.lines[: MAX_LINES_IN + 1])
            ]
            agent_id = optional_id(input.get("agent_id"), "Agent", "agentId")

            request: dict[str, Any] = {
                "lines": lines,
                "note": input.get("note") or "",
                "agent_id": agent_id,
            }

            async def place() -> m.AgentOrder:
                return await orders.place_agent_order(info.context.session, actor, **request)

            return await once(
                info,
                "placeAgentOrder",
                key=input.get("idempotency_key"),
                request=request,
                permission="agent_order.place",
                model=m.AgentOrder,
                create=place,
            )

        return await payload(info, PlaceAgentOrderPayload, "order", run)


class ConfirmAgentOrderInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    approve_over_credit = graphene.Boolean(
        description="Required true for an order over the agent's credit limit."
    )


class ConfirmAgentOrder(graphene.Mutation):
    """HQ confirms an agent's order (approving it when over the credit limit)."""

    class Arguments:
        input = ConfirmAgentOrderInput(required=True)

    Output = ConfirmAgentOrderPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await orders.confirm_agent_order(
                info.context.session,
                actor,
                order_id=parse_global_id(input.id, "AgentOrder"),
                approve_over_credit=bool(input.get("approve_over_credit")),
            )

        return await payload(info, ConfirmAgentOrderPayload, "order", run)


class ShipAgentOrderInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    from_warehouse_id = graphene.ID(required=True, description="The HQ warehouse shipped from.")
    serial_numbers = graphene.List(
        graphene.NonNull(graphene.String), description="Machines to send (else taken in order)."
    )
    card_numbers = graphene.List(
        graphene.NonNull(graphene.String), description="Cards to send (else taken in order)."
    )


class ShipAgentOrder(graphene.Mutation):
    """HQ ships a confirmed order into the agent's warehouse (parts through the ledger,
    machines by serial, cards by number)."""

    class Arguments:
        input = ShipAgentOrderInput(required=True)

    Output = ShipAgentOrderPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await shipping.ship_agent_order(
                info.context.session,
                actor,
                order_id=parse_global_id(input.id, "AgentOrder"),
                from_warehouse_id=parse_global_id(
                    input.from_warehouse_id, "Warehouse", field="fromWarehouseId"
                ),
                serial_numbers=(input.get("serial_numbers") or [])[: MAX_NUMBERS_IN + 1],
                card_numbers=(input.get("card_numbers") or [])[: MAX_NUMBERS_IN + 1],
            )

        return await payload(info, ShipAgentOrderPayload, "order", run)


class CancelAgentOrderInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    reason = graphene.String(required=True)


class CancelAgentOrder(graphene.Mutation):
    """The agent withdraws an unconfirmed order; HQ cancels one not yet shipped."""

    class Arguments:
        input = CancelAgentOrderInput(required=True)

    Output = CancelAgentOrderPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await orders.cancel_agent_order(
                info.context.session,
                actor,
                order_id=parse_global_id(input.id, "AgentOrder"),
                reason=input.reason,
            )

        return await payload(info, CancelAgentOrderPayload, "order", run)


class UpsertPriceStandardInput(graphene.InputObjectType):
    """Without `id` a new standard (kind, price, effectiveFrom required); with it an edit."""

    id = graphene.ID()
    kind = graphene.Field(enums.PriceKind)
    item_id = graphene.ID(description="DEALER_MACHINE: a DeviceModel id; DEALER_PART: a Part id.")
    province = graphene.String(description="Empty: the whole country.")
    city = graphene.String(description="Empty: the whole province.")
    price = Decimal(description="CNY.")
    effective_from = Date()
    effective_to = Date(description="The first day it no longer holds.")
    open_ended = graphene.Boolean(description="true clears effectiveTo.")
    note = graphene.String()
    retire = graphene.Boolean(description="true withdraws the standard (kept, not deleted).")


class UpsertPriceStandardPayload(graphene.ObjectType):
    price_standard = graphene.Field(PriceStandard)
    errors = errors_field(DealerError)


def _item_id(value: str | None, kind: Any) -> str | None:
    if not value:
        return value
    type_name = "DeviceModel" if kind == e.PriceKind.DEALER_MACHINE else "Part"
    return parse_global_id(value, type_name, field="itemId")


class UpsertPriceStandard(graphene.Mutation):
    """Create, edit or retire a price standard (价格标准); periods of one key never overlap."""

    class Arguments:
        input = UpsertPriceStandardInput(required=True)

    Output = UpsertPriceStandardPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            kind = e.PriceKind(input.kind) if input.get("kind") else None
            change = prices.PriceChange(
                id=optional_id(input.get("id"), "PriceStandard", "id"),
                kind=kind,
                item_id=_item_id(input.get("item_id"), kind),
                province=input.get("province"),
                city=input.get("city"),
                price=input.get("price"),
                effective_from=input.get("effective_from"),
                effective_to=input.get("effective_to"),
                clear_effective_to=bool(input.get("open_ended")),
                note=input.get("note"),
                retire=bool(input.get("retire")),
            )
            return await prices.upsert_price_standard(info.context.session, actor, change=change)

        return await payload(info, UpsertPriceStandardPayload, "price_standard", run)
