"""The stock documents' follow-ups and settings: ReceiveTransfer, DecideBreakage,
CheckOldParts, ConfirmReplacement, SetSafetyStock, ReceiveMachine.

Each takes ``input: <Name>Input`` and returns ``<Name>Payload``; the bare arguments they took
before stay one release, deprecated.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.inventory import machines, movements, old_parts, stock_settings

from ..core.context import require_actor
from ..core.errors import StockError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import OLD_SHAPE, Failed, one_shape, required, run_in_savepoint
from ..masterdata.custom_fields import given_values, values_input
from .mutations import MAX_LINES, StockMovementPayload, _movement_payload
from .types import StockBalance


def _movement_id(given: dict[str, Any] | None) -> str:
    return parse_global_id(required(given, "id"), "StockMovement")


class ReceiveTransferInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The shipped transfer (a StockMovement).")


class ReceiveTransferPayload(StockMovementPayload):
    """The transfer as received."""


class ReceiveTransfer(graphene.Mutation):
    """The destination confirms a shipped transfer."""

    class Arguments:
        input = ReceiveTransferInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)

    Output = ReceiveTransferPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: ReceiveTransferInput | None = None,
        id: str | None = None,
    ) -> StockMovementPayload:
        actor = require_actor(info)
        given = one_shape(input, id=id)

        async def run() -> m.StockMovement:
            return await movements.receive_transfer(
                info.context.session, actor, movement_id=_movement_id(given)
            )

        return await _movement_payload(info, run, ReceiveTransferPayload)


class DecideBreakageInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The reported breakage (a StockMovement).")
    approve = graphene.Boolean(required=True, description="True writes the stock off.")
    note = graphene.String()


class DecideBreakagePayload(StockMovementPayload):
    """The breakage as decided."""


class DecideBreakage(graphene.Mutation):
    """HQ approves (the stock is written off) or rejects a reported breakage."""

    class Arguments:
        input = DecideBreakageInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)
        approve = graphene.Boolean(deprecation_reason=OLD_SHAPE)
        note = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = DecideBreakagePayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: DecideBreakageInput | None = None,
        id: str | None = None,
        approve: bool | None = None,
        note: str | None = None,
    ) -> StockMovementPayload:
        actor = require_actor(info)
        given = one_shape(input, id=id, approve=approve, note=note)

        async def run() -> m.StockMovement:
            return await movements.decide_breakage(
                info.context.session,
                actor,
                movement_id=_movement_id(given),
                approve=bool(required(given, "approve")),
                note=(given or {}).get("note") or "",
            )

        return await _movement_payload(info, run, DecideBreakagePayload)


class OldPartCountInput(graphene.InputObjectType):
    part_id = graphene.ID(required=True)
    valid = graphene.Int(required=True)
    rejected = graphene.Int(required=True)


class CheckOldPartsInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The old-part return (a StockMovement).")
    counts = graphene.NonNull(graphene.List(graphene.NonNull(OldPartCountInput)))


class CheckOldPartsPayload(StockMovementPayload):
    """The return as checked."""


class CheckOldParts(graphene.Mutation):
    """The repair center counts returned old parts (valid, rejected) and ships replacements."""

    class Arguments:
        input = CheckOldPartsInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)
        counts = graphene.List(graphene.NonNull(OldPartCountInput), deprecation_reason=OLD_SHAPE)

    Output = CheckOldPartsPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: CheckOldPartsInput | None = None,
        id: str | None = None,
        counts: list[OldPartCountInput] | None = None,
    ) -> StockMovementPayload:
        actor = require_actor(info)
        given = one_shape(input, id=id, counts=counts)

        async def run() -> m.StockMovement:
            return await old_parts.check_old_parts(
                info.context.session,
                actor,
                movement_id=_movement_id(given),
                counts=[
                    old_parts.Checked(
                        part_id=parse_global_id(c.part_id, "Part", field=f"counts.{i}.partId"),
                        valid=c.valid,
                        rejected=c.rejected,
                    )
                    for i, c in enumerate(required(given, "counts")[:MAX_LINES])
                ],
            )

        return await _movement_payload(info, run, CheckOldPartsPayload)


class ConfirmReplacementInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The replacement shipment (a StockMovement).")


class ConfirmReplacementPayload(StockMovementPayload):
    """The replacement as confirmed."""


class ConfirmReplacement(graphene.Mutation):
    """The station confirms the replacement parts arrived."""

    class Arguments:
        input = ConfirmReplacementInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)

    Output = ConfirmReplacementPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: ConfirmReplacementInput | None = None,
        id: str | None = None,
    ) -> StockMovementPayload:
        actor = require_actor(info)
        given = one_shape(input, id=id)

        async def run() -> m.StockMovement:
            return await old_parts.confirm_replacement(
                info.context.session, actor, movement_id=_movement_id(given)
            )

        return await _movement_payload(info, run, ConfirmReplacementPayload)


class SetSafetyStockInput(graphene.InputObjectType):
    warehouse_id = graphene.ID(required=True)
    part_id = graphene.ID(required=True)
    safety_stock = graphene.Int(required=True, description="The refill level of good stock.")
    location = graphene.String(
        description="Shelf or bin location, e.g. A-03-2: an active one of the warehouse's "
        "binLocations (UNKNOWN_BIN_LOCATION otherwise); an empty string clears it."
    )


class SetSafetyStockPayload(graphene.ObjectType):
    balance = graphene.Field(StockBalance)
    errors = errors_field(StockError)


class SetSafetyStock(graphene.Mutation):
    """A part's settings in a warehouse: the refill level of its good stock and, optionally,
    its bin location (货位)."""

    class Arguments:
        input = SetSafetyStockInput()
        warehouse_id = graphene.ID(deprecation_reason=OLD_SHAPE)
        part_id = graphene.ID(deprecation_reason=OLD_SHAPE)
        safety_stock = graphene.Int(deprecation_reason=OLD_SHAPE)
        location = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = SetSafetyStockPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: SetSafetyStockInput | None = None,
        warehouse_id: str | None = None,
        part_id: str | None = None,
        safety_stock: int | None = None,
        location: str | None = None,
    ) -> SetSafetyStockPayload:
        actor = require_actor(info)
        given = one_shape(
            input,
            warehouse_id=warehouse_id,
            part_id=part_id,
            safety_stock=safety_stock,
            location=location,
        )

        async def run() -> m.StockBalance:
            return await stock_settings.set_safety_stock(
                info.context.session,
                actor,
                warehouse_id=parse_global_id(
                    required(given, "warehouse_id", "warehouseId"), "Warehouse", field="warehouseId"
                ),
                part_id=parse_global_id(
                    required(given, "part_id", "partId"), "Part", field="partId"
                ),
                safety_stock=required(given, "safety_stock", "safetyStock"),
                location=(given or {}).get("location"),
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return SetSafetyStockPayload(errors=result)
        return SetSafetyStockPayload(balance=result, errors=[])


class ReceiveMachineInput(graphene.InputObjectType):
    warehouse_id = graphene.ID(required=True)
    device_model_id = graphene.ID(required=True)
    serial_number = graphene.String(required=True)
    custom_fields = values_input("HQ's extra device fields (customFieldDefinitions).")


class ReceiveMachinePayload(graphene.ObjectType):
    device = graphene.Field("wellspring.schema.devices.types.Device")
    errors = errors_field(StockError)


class ReceiveMachine(graphene.Mutation):
    """A new machine arrives in a warehouse (by serial number)."""

    class Arguments:
        input = ReceiveMachineInput()
        warehouse_id = graphene.ID(deprecation_reason=OLD_SHAPE)
        device_model_id = graphene.ID(deprecation_reason=OLD_SHAPE)
        serial_number = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = ReceiveMachinePayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: ReceiveMachineInput | None = None,
        warehouse_id: str | None = None,
        device_model_id: str | None = None,
        serial_number: str | None = None,
    ) -> ReceiveMachinePayload:
        actor = require_actor(info)
        given = one_shape(
            input,
            warehouse_id=warehouse_id,
            device_model_id=device_model_id,
            serial_number=serial_number,
        )

        async def run() -> m.Device:
            return await machines.receive_machine(
                info.context.session,
                actor,
                warehouse_id=parse_global_id(
                    required(given, "warehouse_id", "warehouseId"), "Warehouse", field="warehouseId"
                ),
                device_model_id=parse_global_id(
                    required(given, "device_model_id", "deviceModelId"),
                    "DeviceModel",
                    field="deviceModelId",
                ),
                serial_number=required(given, "serial_number", "serialNumber"),
                custom_fields=given_values((given or {}).get("custom_fields")),
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return ReceiveMachinePayload(errors=result)
        return ReceiveMachinePayload(device=result, errors=[])
