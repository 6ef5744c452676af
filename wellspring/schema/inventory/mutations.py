"""Stock mutations: MoveStock, ReceiveTransfer, DecideBreakage, ConsumeParts."""

from __future__ import annotations

import graphene

from wellspring.domain import models as m
from wellspring.domain.inventory import (
    consumption,
    documents,
    machines,
    movements,
    old_parts,
    stock_settings,
)
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import StockError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.scalars import DateTime
from ..tickets.types import Job
from .types import StockBalance, StockEntry, StockMovement

MAX_LINES = documents.MAX_LINES


class StockLineInput(graphene.InputObjectType):
    part_id = graphene.ID(required=True)
    quantity = graphene.Int(required=True, description="A stocktake gives the counted quantity.")
    bin = graphene.Field(enums.StockBin, description="GOOD unless said otherwise.")


class StockMoveInput(graphene.InputObjectType):
    kind = graphene.Field(enums.MovementKind, required=True)
    from_warehouse_id = graphene.ID(description="Transfers and breakages.")
    to_warehouse_id = graphene.ID(description="Receipts, transfers and stocktakes.")
    lines = graphene.NonNull(graphene.List(graphene.NonNull(StockLineInput)))
    note = graphene.String()


class PartsLineInput(graphene.InputObjectType):
    part_id = graphene.ID(required=True)
    quantity = graphene.Int(required=True)
    old_part_returned = graphene.Boolean(description="The swapped part goes to the defective bin.")


class PartsConsumeInput(graphene.InputObjectType):
    job_id = graphene.ID(required=True)
    lines = graphene.NonNull(graphene.List(graphene.NonNull(PartsLineInput)))
    client_id = graphene.String(
        required=True, description="The phone's id for this batch: a retry with it applies once."
    )
    recorded_offline = graphene.Boolean(
        description="Recorded on a phone without a connection: the parts are already used, so "
        "what the van's book cannot cover opens a stock discrepancy instead of an error."
    )
    recorded_at = graphene.Field(DateTime, description="When the phone recorded it.")


class StockMovementPayload(graphene.ObjectType):
    movement = graphene.Field(StockMovement)
    errors = errors_field(StockError)


class ConsumePartsPayload(graphene.ObjectType):
    entries = graphene.List(graphene.NonNull(StockEntry))
    job = graphene.Field(Job)
    errors = errors_field(StockError)


def _lines(values, *, consume: bool = False) -> list[documents.Line]:
    return [
        documents.Line(
            part_id=parse_global_id(v.part_id, "Part", field=f"lines.{i}.partId"),
            quantity=v.quantity,
            bin=e.StockBin(v.get("bin") or e.StockBin.GOOD) if not consume else e.StockBin.GOOD,
            old_part_returned=bool(v.get("old_part_returned")) if consume else False,
        )
        for i, v in enumerate(values[: MAX_LINES + 1])
    ]


def _optional(value, type_name: str, field: str):
    return parse_global_id(value, type_name, field=field) if value else None


async def _movement_payload(info, call) -> StockMovementPayload:
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return StockMovementPayload(errors=result)
    return StockMovementPayload(movement=result, errors=[])


class MoveStock(graphene.Mutation):
    """A receipt, a transfer (shipped now, received with ReceiveTransfer), a breakage report
    (approved with DecideBreakage) or a stocktake (counted quantities become adjustments)."""

    class Arguments:
        input = StockMoveInput(required=True)

    Output = StockMovementPayload

    @staticmethod
    async def mutate(_root, info, input):
        actor = require_actor(info)

        async def run():
            return await movements.move_stock(
                info.context.session,
                actor,
                kind=e.MovementKind(input.kind),
                lines=_lines(input.lines),
                from_warehouse_id=_optional(
                    input.get("from_warehouse_id"), "Warehouse", "fromWarehouseId"
                ),
                to_warehouse_id=_optional(
                    input.get("to_warehouse_id"), "Warehouse", "toWarehouseId"
                ),
                note=input.get("note") or "",
            )

        return await _movement_payload(info, run)


class ReceiveTransfer(graphene.Mutation):
    """The destination confirms a shipped transfer."""

    class Arguments:
        id = graphene.ID(required=True)

    Output = StockMovementPayload

    @staticmethod
    async def mutate(_root, info, id):
        actor = require_actor(info)

        async def run():
            return await movements.receive_transfer(
                info.context.session, actor, movement_id=parse_global_id(id, "StockMovement")
            )

        return await _movement_payload(info, run)


class DecideBreakage(graphene.Mutation):
    """HQ approves (the stock is written off) or rejects a reported breakage."""

    class Arguments:
        id = graphene.ID(required=True)
        approve = graphene.Boolean(required=True)
        note = graphene.String()

    Output = StockMovementPayload

    @staticmethod
    async def mutate(_root, info, id, approve, note=None):
        actor = require_actor(info)

        async def run():
            return await movements.decide_breakage(
                info.context.session,
                actor,
                movement_id=parse_global_id(id, "StockMovement"),
                approve=approve,
                note=note or "",
            )

        return await _movement_payload(info, run)


class ConsumeParts(graphene.Mutation):
    """Parts used on a job from the engineer's van."""

    class Arguments:
        input = PartsConsumeInput(required=True)

    Output = ConsumePartsPayload

    @staticmethod
    async def mutate(_root, info, input):
        actor = require_actor(info)

        async def run():
            entries = await consumption.consume_parts(
                info.context.session,
                actor,
                job_id=parse_global_id(input.job_id, "Job", field="jobId"),
                lines=_lines(input.lines, consume=True),
                client_id=input.client_id,
                recorded_at=input.get("recorded_at"),
                recorded_offline=bool(input.get("recorded_offline")),
            )
            return entries

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return ConsumePartsPayload(errors=result)
        job = info.context.loaders.load(m.Job, result[0].job_id) if result else None
        return ConsumePartsPayload(entries=result, job=job, errors=[])


class SetSafetyStockPayload(graphene.ObjectType):
    balance = graphene.Field(StockBalance)
    errors = errors_field(StockError)


class SetSafetyStock(graphene.Mutation):
    """A part's settings in a warehouse: the refill level of its good stock and, optionally,
    its bin location (货位)."""

    class Arguments:
        warehouse_id = graphene.ID(required=True)
        part_id = graphene.ID(required=True)
        safety_stock = graphene.Int(required=True)
        location = graphene.String(description="Shelf or bin location, e.g. A-03-2.")

    Output = SetSafetyStockPayload

    @staticmethod
    async def mutate(_root, info, warehouse_id, part_id, safety_stock, location=None):
        actor = require_actor(info)

        async def run():
            return await stock_settings.set_safety_stock(
                info.context.session,
                actor,
                warehouse_id=parse_global_id(warehouse_id, "Warehouse", field="warehouseId"),
                part_id=parse_global_id(part_id, "Part", field="partId"),
                safety_stock=safety_stock,
                location=location,
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return SetSafetyStockPayload(errors=result)
        return SetSafetyStockPayload(balance=result, errors=[])


class ReceiveMachinePayload(graphene.ObjectType):
    device = graphene.Field("wellspring.schema.devices.types.Device")
    errors = errors_field(StockError)


class ReceiveMachine(graphene.Mutation):
    """A new machine arrives in a warehouse (by serial number)."""

    class Arguments:
        warehouse_id = graphene.ID(required=True)
        device_model_id = graphene.ID(required=True)
        serial_number = graphene.String(required=True)

    Output = ReceiveMachinePayload

    @staticmethod
    async def mutate(_root, info, warehouse_id, device_model_id, serial_number):
        actor = require_actor(info)

        async def run():
            return await machines.receive_machine(
                info.context.session,
                actor,
                warehouse_id=parse_global_id(warehouse_id, "Warehouse", field="warehouseId"),
                device_model_id=parse_global_id(
                    device_model_id, "DeviceModel", field="deviceModelId"
                ),
                serial_number=serial_number,
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return ReceiveMachinePayload(errors=result)
        return ReceiveMachinePayload(device=result, errors=[])


class OldPartCountInput(graphene.InputObjectType):
    part_id = graphene.ID(required=True)
    valid = graphene.Int(required=True)
    rejected = graphene.Int(required=True)


class CheckOldParts(graphene.Mutation):
    """The repair center counts returned old parts (valid, rejected) and ships replacements."""

    class Arguments:
        id = graphene.ID(required=True)
        counts = graphene.NonNull(graphene.List(graphene.NonNull(OldPartCountInput)))

    Output = StockMovementPayload

    @staticmethod
    async def mutate(_root, info, id, counts):
        actor = require_actor(info)

        async def run():
            return await old_parts.check_old_parts(
                info.context.session,
                actor,
                movement_id=parse_global_id(id, "StockMovement"),
                counts=[
                    old_parts.Checked(
                        part_id=parse_global_id(c.part_id, "Part", field=f"counts.{i}.partId"),
                        valid=c.valid,
                        rejected=c.rejected,
                    )
                    for i, c in enumerate(counts[:MAX_LINES])
                ],
            )

        return await _movement_payload(info, run)


class ConfirmReplacement(graphene.Mutation):
    """The station confirms the replacement parts arrived."""

    class Arguments:
        id = graphene.ID(required=True)

    Output = StockMovementPayload

    @staticmethod
    async def mutate(_root, info, id):
        actor = require_actor(info)

        async def run():
            return await old_parts.confirm_replacement(
                info.context.session, actor, movement_id=parse_global_id(id, "StockMovement")
            )

        return await _movement_payload(info, run)
