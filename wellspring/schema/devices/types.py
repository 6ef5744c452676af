"""Device models, leased devices (水机) and account cards (开户卡)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.devices import FilterStatus, active_card, filter_statuses
from wellspring.domain.models import enums as e
from wellspring.domain.pagination import SortKey

from ..core import enums
from ..core.connection import load_child_page, nested_connection
from ..core.errors import api_field
from ..core.node import ModelObjectType, Node
from ..core.prefetch import Relations
from ..core.related import Related
from ..core.scalars import Date, DateTime, Money, money
from ..masterdata.custom_fields import values_field
from ..org.types import Agent, Branch

# The deprecated plain lists stop here; their connections page further.
MAX_NESTED = 100
TICKET_ORDER = (SortKey(m.Ticket.created_at), SortKey(m.Ticket.id))
_WATER_TEST_ORDER = (SortKey(m.WaterTest.tested_at), SortKey(m.WaterTest.id))
# What a page of devices may reach (see core/prefetch.py).
DEVICE_RELATIONS: Relations = {
    "customer": (m.Customer, "customer_id", {}),
    "address": (m.Address, "address_id", {}),
    "model": (m.DeviceModel, "device_model_id", {}),
    "branch": (m.Branch, "branch_id", {}),
}


class FilterType(ModelObjectType):
    """A filter stage of a model and its lifetime."""

    model = m.FilterType

    class Meta:
        interfaces = (Node,)

    stage = graphene.Int(required=True)
    name = graphene.String(required=True)
    lifetime_days = graphene.Int(required=True)
    capacity_buckets = graphene.Int(
        description="Buckets it filters before it is due; null: by the calendar only."
    )


class DeviceModel(ModelObjectType):
    model = m.DeviceModel

    class Meta:
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    supply_mode = graphene.Field(enums.SupplyMode, required=True)
    list_price = graphene.Field(Money, required=True)
    filters = graphene.NonNull(graphene.List(graphene.NonNull(FilterType)))
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_list_price(root: m.DeviceModel, _info: ResolveInfo) -> Any:
        return money(root.list_price, root.currency)

    @staticmethod
    async def resolve_filters(root: m.DeviceModel, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.FilterType, m.FilterType.device_model_id, (m.FilterType.stage,)
        )
        return await loader.load(root.id)


class DeviceFilter(graphene.ObjectType):
    """One filter stage of a device: when it was last changed and when the next change is due."""

    filter_type = graphene.Field(FilterType, required=True)
    last_changed_on = Date()
    due_on = Date()
    due = graphene.Boolean(required=True, description="Due today or earlier (Asia/Shanghai).")

    @staticmethod
    def resolve_due(root: FilterStatus, info: ResolveInfo) -> Any:
        return root.is_due(info.context.now.astimezone(TIME_ZONE).date())


class WaterTest(ModelObjectType):
    """Water tested on site and whether it met the thresholds (GB 5749-2022 defaults)."""

    model = m.WaterTest

    class Meta:
        interfaces = (Node,)

    tested_at = graphene.Field(DateTime, required=True)
    tds = graphene.Float(description="mg/L")
    ph = graphene.Float()
    residual_chlorine = graphene.Float(description="mg/L")
    turbidity = graphene.Float(description="NTU")
    temperature = graphene.Float(description="°C")
    passed = graphene.Boolean(required=True)
    failures = graphene.NonNull(
        graphene.List(graphene.NonNull(graphene.String)),
        description="The readings outside their limits, by field name (tds, ph, "
        "residualChlorine, turbidity).",
    )

    @staticmethod
    def resolve_failures(root: m.WaterTest, _info: ResolveInfo) -> list[str]:
        return [api_field(name) or name for name in root.failures or []]

    @staticmethod
    def resolve_tds(root: m.WaterTest, _info: ResolveInfo) -> Any:
        return root.tds_mg_l

    @staticmethod
    def resolve_residual_chlorine(root: m.WaterTest, _info: ResolveInfo) -> Any:
        return root.residual_chlorine_mg_l

    @staticmethod
    def resolve_turbidity(root: m.WaterTest, _info: ResolveInfo) -> Any:
        return root.turbidity_ntu

    @staticmethod
    def resolve_temperature(root: m.WaterTest, _info: ResolveInfo) -> Any:
        return root.temperature_c


class AccountCard(ModelObjectType):
    """Card number and state; the secret is never shown."""

    model = m.AccountCard

    class Meta:
        interfaces = (Node,)

    card_number = graphene.String(required=True)
    status = graphene.Field(enums.CardStatus, required=True)
    branch = graphene.Field(Branch)
    customer = graphene.Field("wellspring.schema.customers.types.Customer")
    device = graphene.Field(lambda: Device)
    activated_at = graphene.Field(DateTime)
    cancelled_at = graphene.Field(DateTime)
    warehouse = graphene.Field(
        "wellspring.schema.inventory.types.Warehouse",
        description="Where a spare card sits (null once bound, or if the viewer cannot see it).",
    )

    @staticmethod
    def resolve_warehouse(root: m.AccountCard, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.warehouse_id)

    @staticmethod
    def resolve_branch(root: m.AccountCard, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)

    @staticmethod
    def resolve_customer(root: m.AccountCard, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Customer, root.customer_id)

    @staticmethod
    def resolve_device(root: m.AccountCard, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Device, root.device_id)


class Device(ModelObjectType):
    """A leased water station: model, contract, site, supply expiry or bucket balance."""

    model = m.Device

    class Meta:
        interfaces = (Node,)

    serial_number = graphene.String(required=True)
    custom_fields = values_field(e.CustomFieldEntity.DEVICE)
    device_model = graphene.Field(DeviceModel, name="model")
    contract_number = graphene.String(required=True)
    status = graphene.Field(enums.DeviceStatus, required=True)
    opened_on = Date()
    price = graphene.Field(Money, required=True)
    branch = graphene.Field(Branch)
    agent = graphene.Field(Agent)
    customer = graphene.Field("wellspring.schema.customers.types.Customer")
    address = graphene.Field("wellspring.schema.customers.types.Address")
    supply_mode = graphene.Field(enums.SupplyMode, required=True)
    supply_expires_on = Date(description="供水期限, for monthly plans.")
    bucket_balance = graphene.Int(required=True, description="Buckets left, for bucket plans.")
    first_recharged_at = graphene.Field(DateTime)
    installed_at = graphene.Field(DateTime)
    deleted_at = graphene.Field(DateTime, description="When it was soft-deleted (audit reads).")
    card = graphene.Field(AccountCard, description="The active card bound to this device.")
    warehouse = graphene.Field(
        "wellspring.schema.inventory.types.Warehouse",
        description="Where the machine waits when it is not at a site.",
    )
    stock_bin = graphene.Field(enums.StockBin)
    water_tests = graphene.NonNull(
        graphene.List(graphene.NonNull(WaterTest)),
        description=f"Newest first, at most {MAX_NESTED}.",
        deprecation_reason="Use waterTestsConnection, which pages; removed in the next release.",
    )
    water_tests_connection = nested_connection(
        "wellspring.schema.devices.types.WaterTest", "Water tests on this device, newest first."
    )
    filters = graphene.NonNull(
        graphene.List(graphene.NonNull(DeviceFilter)),
        description="Each filter stage with its last change and next due date.",
    )
    cards = graphene.NonNull(graphene.List(graphene.NonNull(AccountCard)))
    tickets = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.tickets.types.Ticket")),
        description=f"Installs, moves, repairs, tests on this device, newest {MAX_NESTED}.",
        deprecation_reason="Use ticketsConnection, which pages; removed in the next release.",
    )
    tickets_connection = nested_connection(
        "wellspring.schema.tickets.types.Ticket",
        "Installs, moves, repairs, tests: the tickets on this device, newest first.",
    )

    resolve_device_model = Related(m.DeviceModel, "device_model_id")

    @staticmethod
    def resolve_price(root: m.Device, _info: ResolveInfo) -> Any:
        return money(root.price, root.currency)

    @staticmethod
    def resolve_branch(root: m.Device, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)

    @staticmethod
    def resolve_agent(root: m.Device, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.agent_id)

    @staticmethod
    def resolve_customer(root: m.Device, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Customer, root.customer_id)

    @staticmethod
    def resolve_address(root: m.Device, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Address, root.address_id)

    @staticmethod
    async def resolve_cards(root: m.Device, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.AccountCard, m.AccountCard.device_id, (m.AccountCard.created_at,)
        )
        return await loader.load(root.id)

    @staticmethod
    async def resolve_card(root: m.Device, info: ResolveInfo) -> Any:
        return active_card(await Device.resolve_cards(root, info))

    @staticmethod
    def resolve_warehouse(root: m.Device, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.warehouse_id)

    @staticmethod
    async def resolve_water_tests(root: m.Device, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.WaterTest, m.WaterTest.device_id, (m.WaterTest.tested_at.desc(), m.WaterTest.id)
        )
        return (await loader.load(root.id))[:MAX_NESTED]

    @staticmethod
    async def resolve_water_tests_connection(
        root: m.Device, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Any:
        return await load_child_page(
            info, m.WaterTest, m.WaterTest.device_id, root.id, _WATER_TEST_ORDER, first, after
        )

    @staticmethod
    async def resolve_filters(root: m.Device, info: ResolveInfo) -> Any:
        types = info.context.loaders.children(
            m.FilterType, m.FilterType.device_model_id, (m.FilterType.stage,)
        )
        changes = info.context.loaders.children(
            m.FilterChange, m.FilterChange.device_id, (m.FilterChange.changed_on,)
        )
        return filter_statuses(
            root, await types.load(root.device_model_id), await changes.load(root.id)
        )

    @staticmethod
    async def resolve_tickets(root: m.Device, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.Ticket, m.Ticket.device_id, (m.Ticket.created_at.desc(), m.Ticket.id.desc())
        )
        return (await loader.load(root.id))[:MAX_NESTED]

    @staticmethod
    async def resolve_tickets_connection(
        root: m.Device, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Any:
        return await load_child_page(
            info, m.Ticket, m.Ticket.device_id, root.id, TICKET_ORDER, first, after
        )
