"""Typed views of what a ticket asked for (``Ticket.typeDetails``), what a visit filed
(``Job.completionReport``) and what an audit entry recorded (``AuditEntry.detailEntries``).

They read the same stored JSON as the deprecated ``JSONString`` fields. A stored value that no
longer fits its type (a code retired from a vocabulary) reads as null instead of failing the
whole response.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from decimal import Decimal as PyDecimal
from decimal import InvalidOperation
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.workflow.catalogue import DeviceCondition, RepairLevel
from wellspring.domain.workflow.requests import PaymentMethod

from ..core import enums
from ..core.awaiting import settled
from ..core.node import as_value
from ..core.scalars import DateTime, Money, money

CURRENCY = "CNY"


def _member(vocabulary: type[enum.Enum], value: object) -> enum.Enum | None:
    try:
        return vocabulary(value)
    except ValueError:
        return None


def _money(value: object) -> Money | None:
    try:
        return money(PyDecimal(str(value)), CURRENCY) if value is not None else None
    except InvalidOperation:
        return None


def _get(root: Mapping[str, Any], key: str) -> Any:
    return root.get(key) if isinstance(root, Mapping) else None


class InstallRequest(graphene.ObjectType):
    """An install: the card to activate, the machine by model and serial, its price."""

    card_number = graphene.String()
    device_model = graphene.Field("wellspring.schema.devices.types.DeviceModel")
    serial_number = graphene.String()
    contract_number = graphene.String()
    price = graphene.Field(Money)

    @staticmethod
    def resolve_device_model(root: Mapping[str, Any], info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.DeviceModel, _get(root, "device_model_id"))

    @staticmethod
    def resolve_price(root: Mapping[str, Any], _info: ResolveInfo) -> Money | None:
        return _money(_get(root, "price"))


class RechargeRequest(graphene.ObjectType):
    """A recharge: the plan, how many months or buckets, the unit price and how it is paid."""

    plan = graphene.Field(enums.SupplyMode)
    quantity = graphene.Int()
    unit_price = graphene.Field(Money)
    payment_method = graphene.Field(enums.PaymentMethod)

    @staticmethod
    def resolve_plan(root: Mapping[str, Any], _info: ResolveInfo) -> enum.Enum | None:
        return _member(m.enums.SupplyMode, _get(root, "plan"))

    @staticmethod
    def resolve_unit_price(root: Mapping[str, Any], _info: ResolveInfo) -> Money | None:
        return _money(_get(root, "unit_price"))

    @staticmethod
    def resolve_payment_method(root: Mapping[str, Any], _info: ResolveInfo) -> enum.Enum | None:
        return _member(PaymentMethod, _get(root, "payment_method"))


class RequestedAddress(graphene.ObjectType):
    """The new address of a move, with its WGS-84 coordinates."""

    province = graphene.String()
    city = graphene.String()
    district = graphene.String()
    street = graphene.String()
    community = graphene.String()
    building = graphene.String()
    room = graphene.String()
    latitude = graphene.Float()
    longitude = graphene.Float()
    is_approximate = graphene.Boolean(description="A district centroid, not a located point.")


class RequestedPart(graphene.ObjectType):
    """A part the visit will need."""

    part = graphene.Field("wellspring.schema.inventory.types.Part")
    quantity = graphene.Int()

    @staticmethod
    def resolve_part(root: Mapping[str, Any], info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, _get(root, "part_id"))


class RoutingStep(graphene.ObjectType):
    """One hand-over of a desk ticket between departments."""

    from_department = graphene.String(description="Empty: the desk itself.")
    to_department = graphene.String(description="Empty: handed back to the desk.")
    by_name = graphene.String(description="Who handed it over.")
    at = graphene.Field(DateTime)
    note = graphene.String()

    @staticmethod
    def resolve_from_department(root: Mapping[str, Any], _info: ResolveInfo) -> Any:
        return _get(root, "from")

    @staticmethod
    def resolve_to_department(root: Mapping[str, Any], _info: ResolveInfo) -> Any:
        return _get(root, "to")

    @staticmethod
    async def resolve_by_name(root: Mapping[str, Any], info: ResolveInfo) -> str | None:
        by = _get(root, "by")
        return await info.context.loaders.display_name(by) if by else None

    @staticmethod
    def resolve_at(root: Mapping[str, Any], _info: ResolveInfo) -> Any:
        at = _get(root, "at")
        return DateTime.parse_value(at) if isinstance(at, str) else None


class TicketTypeDetails(graphene.ObjectType):
    """What the ticket's type carries: each field is set for the types that have it (install
    for INSTALL, recharge for RECHARGE, relocateTo for RELOCATE, routing and resolution for
    the desk's complaints, inquiries and praise), null or empty otherwise."""

    install = graphene.Field(InstallRequest)
    recharge = graphene.Field(RechargeRequest)
    relocate_to = graphene.Field(RequestedAddress)
    expected_parts = graphene.NonNull(graphene.List(graphene.NonNull(RequestedPart)))
    routing = graphene.NonNull(graphene.List(graphene.NonNull(RoutingStep)))
    resolution = graphene.String(description="The desk's answer.")

    @staticmethod
    def resolve_expected_parts(root: Mapping[str, Any], _info: ResolveInfo) -> list[Any]:
        return [p for p in _get(root, "expected_parts") or [] if isinstance(p, Mapping)]

    @staticmethod
    def resolve_routing(root: Mapping[str, Any], _info: ResolveInfo) -> list[Any]:
        return [s for s in _get(root, "routing") or [] if isinstance(s, Mapping)]


class WaterReadings(graphene.ObjectType):
    """The water test's readings as the engineer entered them."""

    tds = graphene.Float(description="Total dissolved solids, mg/L.")
    ph = graphene.Float()
    residual_chlorine = graphene.Float(description="Free residual chlorine, mg/L.")
    turbidity = graphene.Float(description="NTU.")
    temperature = graphene.Float(description="°C.")


class JobReport(graphene.ObjectType):
    """The completion report as filed; which fields are set depends on the job's ticket type
    (the same fields as JobReportInput)."""

    notes = graphene.String()
    confirmation_number = graphene.String(description="Install: the signed form's number.")
    fault_symptom = graphene.String()
    fault_code = graphene.String(description="Repair: a code of the faultCodes catalogue.")
    repair_level_code = graphene.String(description="Repair: a code of repairLevels.")
    repair_level = graphene.Field(
        enums.RepairLevel,
        deprecation_reason="Repair levels are data HQ edits: use repairLevelCode (this is "
        "null for a level outside the first three).",
    )
    travel_distance_km = graphene.Float()
    customer_comment = graphene.String()
    appearance = graphene.String()
    water_test_result = graphene.String(description="A free-text note on the water.")
    water_test = graphene.Field(WaterReadings)
    remaining_water_value = graphene.Int(description="Buckets or days of water left.")
    device_condition = graphene.Field(enums.DeviceCondition)
    filters_changed = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.devices.types.FilterType"))
    )

    @staticmethod
    def resolve_repair_level_code(root: Mapping[str, Any], _info: ResolveInfo) -> str | None:
        level = _get(root, "repair_level")
        return level if isinstance(level, str) else None

    @staticmethod
    def resolve_repair_level(root: Mapping[str, Any], _info: ResolveInfo) -> enum.Enum | None:
        return _member(RepairLevel, _get(root, "repair_level"))

    @staticmethod
    def resolve_device_condition(root: Mapping[str, Any], _info: ResolveInfo) -> enum.Enum | None:
        return _member(DeviceCondition, _get(root, "device_condition"))

    @staticmethod
    def resolve_water_test(root: Mapping[str, Any], _info: ResolveInfo) -> Any:
        tested = _get(root, "water_test")
        return tested if isinstance(tested, Mapping) else None

    @staticmethod
    async def resolve_filters_changed(root: Mapping[str, Any], info: ResolveInfo) -> list[Any]:
        ids = [i for i in _get(root, "filters_changed") or [] if isinstance(i, str)]
        found = await settled(as_value(info.context.loaders.load(m.FilterType, i)) for i in ids)
        return [f for f in found if f is not None]


class AuditDetailEntry(graphene.ObjectType):
    """One key of what an audit entry recorded; nested values are given as JSON text."""

    key = graphene.String(required=True)
    value = graphene.String(description="Text as recorded; lists and objects as JSON.")


def detail_entries(detail: Mapping[str, Any] | None) -> list[AuditDetailEntry]:
    """An audit entry's detail as key/value pairs, in key order."""
    return [
        AuditDetailEntry(key=str(key), value=_text(value))
        for key, value in sorted((detail or {}).items())
    ]


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
