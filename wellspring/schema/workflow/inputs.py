"""Inputs of the workflow mutations, and their translation into domain requests."""

from __future__ import annotations

from typing import Any

import graphene

from wellspring.domain.models import enums as e
from wellspring.domain.workflow import requests as r
from wellspring.geo.coords import CoordSystem as DomainCoordSystem

from ..core import enums
from ..core.idempotent import key_field
from ..core.ids import parse_global_id
from ..core.mutation import OLD_NAME
from ..core.scalars import DateTime, Decimal
from ..dispatch.types import CoordSystem
from ..masterdata.custom_fields import given_values, values_input


class AddressInput(graphene.InputObjectType):
    """省 / 市 / 区 / 街道 (from the list) and 小区 / 楼栋 / 房间 (typed)."""

    province = graphene.String(required=True)
    city = graphene.String(required=True)
    district = graphene.String(required=True)
    street = graphene.String()
    community = graphene.String()
    building = graphene.String()
    room = graphene.String()
    latitude = graphene.Float(description="In coordSystem (WGS-84 unless said otherwise).")
    longitude = graphene.Float(description="In coordSystem (WGS-84 unless said otherwise).")
    coord_system = graphene.Field(
        CoordSystem, description="The map the coordinates come from; stored as WGS-84."
    )


class NewCustomerInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    phone = graphene.String(required=True, description="Mobile (13812345678) or 010-12345678.")
    address = graphene.Field(AddressInput, required=True)
    kind = graphene.Field(enums.CustomerKind)
    tier = graphene.Field(enums.CustomerTier)
    contact_name = graphene.String()
    custom_fields = values_input("HQ's extra customer fields (customFieldDefinitions).")


class InstallRequestInput(graphene.InputObjectType):
    card_number = graphene.String(required=True)
    device_model_id = graphene.ID(required=True)
    serial_number = graphene.String(required=True)
    contract_number = graphene.String()
    price = Decimal(description="CNY; the model's list price when omitted.")


class RechargeRequestInput(graphene.InputObjectType):
    plan = graphene.Field(enums.SupplyMode, required=True)
    quantity = graphene.Int(required=True, description="Months or buckets.")
    unit_price = Decimal(
        description="CNY: the price staff took (required from them). A customer's own recharge "
        "is priced by the company's price standard: a unit price they send is ignored."
    )
    payment_method = graphene.Field(enums.PaymentMethod, required=True)


class ExpectedPartInput(graphene.InputObjectType):
    part_id = graphene.ID(required=True)
    quantity = graphene.Int(required=True)


class TicketOpenInput(graphene.InputObjectType):
    type = graphene.Field(enums.TicketType, required=True)
    customer_id = graphene.ID(description="An existing customer, or give newCustomer.")
    new_customer = graphene.Field(NewCustomerInput)
    branch_id = graphene.ID(description="The handling branch (default: the customer's).")
    device_id = graphene.ID(description="Needed by uninstall, relocate, recharge, repair, ...")
    card_id = graphene.ID(description="Needed by a card cancellation.")
    address_id = graphene.ID()
    description = graphene.String(description="Up to 2,000 characters (VALUE_TOO_LONG).")
    priority = graphene.Field(
        enums.Priority, description="NORMAL when omitted; a customer's own ticket is NORMAL."
    )
    channel = graphene.Field(enums.Channel)
    install = graphene.Field(InstallRequestInput)
    recharge = graphene.Field(RechargeRequestInput)
    relocate_to = graphene.Field(AddressInput, description="The new address of a move.")
    expected_parts = graphene.List(
        graphene.NonNull(ExpectedPartInput), description="Parts the visit will need."
    )
    custom_fields = values_input("HQ's extra ticket fields (customFieldDefinitions).")
    idempotency_key = key_field()
    allow_duplicate = graphene.Boolean(
        description=(
            "Open it even though the device already has an open ticket of this type "
            "(answered otherwise with DUPLICATE_OPEN_TICKET and the existing ticket), or create "
            "the new customer even though one of the same name and phone exists "
            "(CUSTOMER_EXISTS and the existing customer). Staff only: a customer's own "
            "request is answered with their open ticket."
        )
    )
    agent_id = graphene.ID(
        description="HQ, the hotline and clerks: open it through this agent, for one of its "
        "customers (a new customer becomes its); only its engineers may take the job. "
        "Another owner's customer is a territory conflict (TERRITORY_CONFLICT, kept for HQ)."
    )


class WaterTestInput(graphene.InputObjectType):
    """Readings of an on-site water test."""

    tds = graphene.Float(description="Total dissolved solids, mg/L.")
    ph = graphene.Float()
    residual_chlorine = graphene.Float(description="Free residual chlorine, mg/L.")
    turbidity = graphene.Float(description="NTU.")
    temperature = graphene.Float(description="°C.")


class JobReportInput(graphene.InputObjectType):
    """The completion report; which fields a type requires grows with the workflows issue."""

    notes = graphene.String()
    confirmation_number = graphene.String(description="Install: the signed form's number.")
    fault_symptom = graphene.String()
    fault_code = graphene.String(description="Repair: a code of the faultCodes catalogue.")
    repair_level_code = graphene.String(
        description="Repair: required (or the deprecated repairLevel): an active code of "
        "repairLevels."
    )
    repair_level = graphene.Field(
        enums.RepairLevel,
        deprecation_reason="Repair levels are data HQ edits: use repairLevelCode.",
    )
    travel_distance_km = graphene.Float()
    customer_comment = graphene.String()
    appearance = graphene.String()
    water_test_result = graphene.String(description="A free-text note on the water.")
    water_test = graphene.Field(
        WaterTestInput, description="Water test: required; a repair may add one too."
    )
    remaining_water_value = graphene.Int(description="Buckets or days of water left.")
    device_condition = graphene.Field(enums.DeviceCondition, description="Uninstall: required.")
    filters_changed = graphene.List(
        graphene.NonNull(graphene.ID), description="Filter change: the FilterType ids replaced."
    )
    custom_fields = values_input(
        "The ticket's custom fields filled on site (onSite definitions only); a required one "
        "must be set before completing (CUSTOM_FIELD_ON_SITE_MISSING)."
    )
    device_custom_fields = values_input(
        "The device's custom fields filled on site: the machine an install puts in (its "
        "required on-site fields must be set), else the ticket's device."
    )


class JobCompleteInput(graphene.InputObjectType):
    """The job and its report; give `id` (or, for one release, `jobId`)."""

    id = graphene.ID(description="The Job.")
    job_id = graphene.ID(deprecation_reason=OLD_NAME)
    report = graphene.Field(JobReportInput)
    completed_at = graphene.Field(
        DateTime,
        description=(
            "When the work was done, by the phone's clock (the server's time when omitted); "
            "checked and clamped like every recorded time."
        ),
    )


class FollowUpInput(graphene.InputObjectType):
    """The call on a ticket; give `id` (or, for one release, `ticketId`)."""

    id = graphene.ID(description="The Ticket called about.")
    ticket_id = graphene.ID(deprecation_reason=OLD_NAME)
    score = graphene.Int(required=True, description="1 (worst) to 5 (best).")
    dissatisfaction = graphene.Field(enums.Dissatisfaction)
    comment = graphene.String()


def _address(value: Any) -> r.AddressInput | None:
    if value is None:
        return None
    return r.AddressInput(
        province=value.province,
        city=value.city,
        district=value.district,
        street=value.get("street") or "",
        community=value.get("community") or "",
        building=value.get("building") or "",
        room=value.get("room") or "",
        latitude=value.get("latitude"),
        longitude=value.get("longitude"),
        coord_system=DomainCoordSystem(value.get("coord_system") or DomainCoordSystem.WGS84),
    )


def _id(value: str | None, type_name: str, field: str) -> str | None:
    return parse_global_id(value, type_name, field=field) if value else None


def open_request(value: Any) -> r.OpenTicketRequest:
    new = value.get("new_customer")
    install = value.get("install")
    recharge = value.get("recharge")
    return r.OpenTicketRequest(
        type=e.TicketType(value.type),
        customer_id=_id(value.get("customer_id"), "Customer", "customerId"),
        new_customer=r.NewCustomerInput(
            name=new.name,
            phone=new.phone,
            address=_address(new.address),  # type: ignore[arg-type]
            kind=e.CustomerKind(new.get("kind") or e.CustomerKind.PERSON),
            tier=e.CustomerTier(new.get("tier") or e.CustomerTier.IRON),
            contact_name=new.get("contact_name") or "",
            custom_fields=given_values(new.get("custom_fields")),
        )
        if new
        else None,
        branch_id=_id(value.get("branch_id"), "Branch", "branchId"),
        device_id=_id(value.get("device_id"), "Device", "deviceId"),
        card_id=_id(value.get("card_id"), "AccountCard", "cardId"),
        address_id=_id(value.get("address_id"), "Address", "addressId"),
        description=value.get("description") or "",
        priority=e.Priority(value.get("priority") or e.Priority.NORMAL),
        channel=e.Channel(value.get("channel") or e.Channel.HOTLINE),
        allow_duplicate=bool(value.get("allow_duplicate")),
        agent_id=_id(value.get("agent_id"), "Agent", "agentId"),
        custom_fields=given_values(value.get("custom_fields")),
        install=r.InstallRequest(
            card_number=install.card_number,
            device_model_id=parse_global_id(
                install.device_model_id, "DeviceModel", field="install.deviceModelId"
            ),
            serial_number=install.serial_number,
            contract_number=install.get("contract_number") or "",
            price=install.get("price"),
        )
        if install
        else None,
        recharge=r.RechargeRequest(
            plan=e.SupplyMode(recharge.plan),
            quantity=recharge.quantity,
            unit_price=recharge.get("unit_price"),
            payment_method=recharge.payment_method,
        )
        if recharge
        else None,
        relocate_to=_address(value.get("relocate_to")),
        expected_parts=[
            (
                parse_global_id(p.part_id, "Part", field=f"expectedParts.{i}.partId"),
                p.quantity,
            )
            for i, p in enumerate((value.get("expected_parts") or [])[:51])
        ],
    )


def report_values(value: Any) -> dict[str, object]:
    """The report's given fields, with snake_case keys and database ids, nothing else."""
    if value is None:
        return {}
    values = {key: item for key, item in dict(value).items() if item is not None}
    code = values.pop("repair_level_code", None)
    if code is not None:  # the field that replaces the enum wins when both are given
        values["repair_level"] = code
    if "water_test" in values:
        values["water_test"] = dict(values["water_test"])
    for name in ("custom_fields", "device_custom_fields"):
        if name in values:
            values[name] = {str(i.key): i.get("value") for i in values[name]}
    if "filters_changed" in values:
        values["filters_changed"] = [
            parse_global_id(gid, "FilterType", field="report.filtersChanged")
            for gid in values["filters_changed"]
        ]
    return values
