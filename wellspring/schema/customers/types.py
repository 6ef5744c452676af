"""Customers, contacts and structured addresses."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.customers import default_address
from wellspring.domain.dispatch.locate import CoordinateSource
from wellspring.domain.models import enums as e
from wellspring.domain.pagination import Page, SortKey

from ..core import enums
from ..core.connection import load_child_page, nested_connection
from ..core.node import ModelObjectType, Node
from ..core.prefetch import Relations
from ..core.related import Computed, Related, reads
from ..core.scalars import DateTime
from ..masterdata.custom_fields import values_field
from ..org.types import Agent, Branch, Technician, User

MAX_NESTED = 100
_TICKET_ORDER = (SortKey(m.Ticket.created_at), SortKey(m.Ticket.id))
# Oldest first, as the lists they replace.
_DEVICE_ORDER = (SortKey(m.Device.created_at, False), SortKey(m.Device.id, False))
_CARD_ORDER = (SortKey(m.AccountCard.created_at, False), SortKey(m.AccountCard.id, False))
# What a page of customers may reach in one step (see core/prefetch.py).
CUSTOMER_RELATIONS: Relations = {
    "branch": (m.Branch, "branch_id", {}),
    "agent": (m.Agent, "agent_id", {}),
    "salesperson": (m.User, "sales_user_id", {}),
    "serviceTechnician": (m.Technician, "service_technician_id", {}),
}


class Address(ModelObjectType):
    """省 / 市 / 区 / 街道 (from a list) and 小区 / 楼栋 / 房间 (typed), with WGS-84 coordinates."""

    model = m.Address

    class Meta:
        interfaces = (Node,)

    label = graphene.String(required=True)
    province = graphene.String(required=True)
    city = graphene.String(required=True)
    district = graphene.String(required=True)
    street = graphene.String(required=True)
    community = graphene.String(required=True)
    building = graphene.String(required=True)
    room = graphene.String(required=True)
    postal_code = graphene.String(required=True)
    full_text = graphene.String(required=True, description="The address as written in Chinese.")
    latitude = graphene.Float()
    longitude = graphene.Float()
    is_approximate = graphene.Boolean(required=True)
    coordinate_source = graphene.String(
        required=True,
        description="client, nominatim, baidu or centroid ('' = no coordinates).",
        deprecation_reason="Use coordinateOrigin, an enum; removed in the next release.",
    )
    coordinate_origin = graphene.Field(
        enums.CoordinateSource, description="Where the coordinates came from (null: none)."
    )

    resolve_full_text = Computed(
        lambda root, _context: root.full_text, columns=m.Address.FULL_TEXT_COLUMNS
    )

    @staticmethod
    @reads("coordinate_source")
    def resolve_coordinate_origin(root: m.Address, _info: ResolveInfo) -> Any:
        return CoordinateSource.of(root.coordinate_source)

    is_default = graphene.Boolean(required=True)


class Contact(ModelObjectType):
    model = m.Contact

    class Meta:
        interfaces = (Node,)

    name = graphene.String(required=True)
    phone = graphene.String(required=True)
    relation = graphene.String(required=True)
    is_primary = graphene.Boolean(required=True)


def _limit(items: list[object], first: int | None) -> list[object]:
    size = MAX_NESTED if first is None else max(0, min(first, MAX_NESTED))
    return items[:size]


class Customer(ModelObjectType):
    """A person or organisation; owned by a branch (direct) or an agent (代理商)."""

    model = m.Customer

    class Meta:
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    custom_fields = values_field(e.CustomFieldEntity.CUSTOMER)
    kind = graphene.Field(enums.CustomerKind, required=True)
    tier = graphene.Field(enums.CustomerTier, required=True)
    phone = graphene.String(required=True)
    owner_kind = graphene.Field(enums.OwnerKind, required=True)
    branch = graphene.Field(Branch)
    agent = graphene.Field(Agent)
    salesperson = graphene.Field(User)
    service_technician = graphene.Field(
        Technician, description="The engineer bound for water service, told of each recharge."
    )
    note = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)
    created_at = graphene.Field(DateTime, required=True)
    deleted_at = graphene.Field(DateTime, description="When it was soft-deleted (audit reads).")
    addresses = graphene.NonNull(graphene.List(graphene.NonNull(Address)))
    default_address = graphene.Field(Address)
    contacts = graphene.NonNull(graphene.List(graphene.NonNull(Contact)))
    devices = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.devices.types.Device")),
        deprecation_reason="Use devicesConnection, which pages; removed in the next release.",
    )
    devices_connection = nested_connection(
        "wellspring.schema.devices.types.Device", "The customer's devices, oldest first."
    )
    cards = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.devices.types.AccountCard")),
        deprecation_reason="Use cardsConnection, which pages; removed in the next release.",
    )
    cards_connection = nested_connection(
        "wellspring.schema.devices.types.AccountCard", "The customer's cards, oldest first."
    )
    tickets = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.tickets.types.Ticket")),
        first=graphene.Int(description=f"Newest first, at most {MAX_NESTED}."),
        description="The customer's tickets, newest first. Use Tickets(filter) to page further.",
        deprecation_reason="Use ticketsConnection, which pages; removed in the next release.",
    )
    tickets_connection = nested_connection(
        "wellspring.schema.tickets.types.Ticket", "The customer's tickets, newest first."
    )

    resolve_branch = Related(m.Branch, "branch_id")

    @staticmethod
    def resolve_agent(root: m.Customer, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.agent_id)

    @staticmethod
    def resolve_salesperson(root: m.Customer, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.sales_user_id)

    @staticmethod
    def resolve_service_technician(root: m.Customer, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Technician, root.service_technician_id)

    @staticmethod
    @reads("id")
    async def resolve_addresses(root: m.Customer, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.Address, m.Address.customer_id, (m.Address.is_default.desc(), m.Address.created_at)
        )
        return await loader.load(root.id)

    @staticmethod
    @reads("id")
    async def resolve_default_address(root: m.Customer, info: ResolveInfo) -> Any:
        return default_address(await Customer.resolve_addresses(root, info))

    @staticmethod
    async def resolve_contacts(root: m.Customer, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.Contact, m.Contact.customer_id, (m.Contact.is_primary.desc(), m.Contact.created_at)
        )
        return await loader.load(root.id)

    @staticmethod
    async def resolve_devices(root: m.Customer, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.Device, m.Device.customer_id, (m.Device.created_at, m.Device.id)
        )
        return await loader.load(root.id)

    @staticmethod
    async def resolve_cards(root: m.Customer, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.AccountCard, m.AccountCard.customer_id, (m.AccountCard.created_at,)
        )
        return await loader.load(root.id)

    @staticmethod
    async def resolve_devices_connection(
        root: m.Customer, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Page[m.Device]:
        return await load_child_page(
            info, m.Device, m.Device.customer_id, root.id, _DEVICE_ORDER, first, after
        )

    @staticmethod
    async def resolve_cards_connection(
        root: m.Customer, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Page[m.AccountCard]:
        return await load_child_page(
            info, m.AccountCard, m.AccountCard.customer_id, root.id, _CARD_ORDER, first, after
        )

    @staticmethod
    async def resolve_tickets(root: m.Customer, info: ResolveInfo, first: int | None = None) -> Any:
        loader = info.context.loaders.children(
            m.Ticket, m.Ticket.customer_id, (m.Ticket.created_at.desc(), m.Ticket.id.desc())
        )
        return _limit(await loader.load(root.id), first)

    @staticmethod
    async def resolve_tickets_connection(
        root: m.Customer, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Any:
        return await load_child_page(
            info, m.Ticket, m.Ticket.customer_id, root.id, _TICKET_ORDER, first, after
        )
