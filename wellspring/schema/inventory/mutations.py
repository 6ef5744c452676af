"""Stock mutations: MoveStock and ConsumeParts; the documents' follow-ups are in
``follow_ups``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.inventory import (
    consumption,
    documents,
    movements,
)
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import StockError, errors_field
from ..core.idempotent import key_field, once
from ..core.ids import parse_global_id
from ..core.mutation import (
    OLD_NAME,
    Failed,
    renamed_id,
    run_in_savepoint,
)
from ..core.scalars import DateTime
from ..tickets.types import Job
from .types import StockEntry, StockMovement

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
    idempotency_key = key_field()


class PartsLineInput(graphene.InputObjectType):
    part_id = graphene.ID(required=True)
    quantity = graphene.Int(required=True)
    old_part_returned = graphene.Boolean(description="The swapped part goes to the defective bin.")


class PartsConsumeInput(graphene.InputObjectType):
    """Parts used on a job; give `id` (or, for one release, `jobId`)."""

    id = graphene.ID(description="The Job.")
    job_id = graphene.ID(deprecation_reason=OLD_NAME)
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


class MoveStockPayload(StockMovementPayload):
    """The movement as recorded."""


class ConsumePartsPayload(graphene.ObjectType):
    entries = graphene.List(graphene.NonNull(StockEntry))
    job = graphene.Field(Job)
    errors = errors_field(StockError)


def _lines(values: Any, *, consume: bool = False) -> list[documents.Line]:
    return [
        documents.Line(
            part_id=parse_global_id(v.part_id, "Part", field=f"lines.{i}.partId"),
            quantity=v.quantity,
            bin=e.StockBin(v.get("bin") or e.StockBin.GOOD) if not consume else e.StockBin.GOOD,
            old_part_returned=bool(v.get("old_part_returned")) if consume else False,
        )
        for i, v in enumerate(values[: MAX_LINES + 1])
    ]


def _optional(value: Any, type_name: str, field: str) -> Any:
    return parse_global_id(value, type_name, field=field) if value else None


async def _movement_payload(
    info: ResolveInfo,
    call: Callable[[], Awaitable[m.StockMovement]],
    payload: type[StockMovementPayload],
) -> StockMovementPayload:
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return payload(errors=result)
    return payload(movement=result, errors=[])


class MoveStock(graphene.Mutation):
    """A receipt, a transfer (shipped now, received with ReceiveTransfer), a breakage report
    (approved with DecideBreakage) or a stocktake (counted quantities become adjustments)."""

    class Arguments:
        input = StockMoveInput(required=True)

    Output = MoveStockPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: StockMoveInput) -> StockMovementPayload:
        actor = require_actor(info)

        async def run() -> m.StockMovement:
            kind = e.MovementKind(input.kind)
            request: dict[str, Any] = {
                "kind": kind,
                "lines": _lines(input.lines),
                "from_warehouse_id": _optional(
                    input.get("from_warehouse_id"), "Warehouse", "fromWarehouseId"
                ),
                "to_warehouse_id": _optional(
                    input.get("to_warehouse_id"), "Warehouse", "toWarehouseId"
                ),
                "note": input.get("note") or "",
            }

            async def move() -> m.StockMovement:
                return await movements.move_stock(info.context.session, actor, **request)

            return await once(
                info,
                "moveStock",
                key=input.get("idempotency_key"),
                request=request,
                permission=movements.permission(kind),
                model=m.StockMovement,
                create=move,
            )

        return await _movement_payload(info, run, MoveStockPayload)


class ConsumeParts(graphene.Mutation):
    """Parts used on a job from the engineer's van."""

    class Arguments:
        input = PartsConsumeInput(required=True)

    Output = ConsumePartsPayload

    @staticmethod
    async def mutate(
        _root: Any, info: ResolveInfo, input: PartsConsumeInput
    ) -> ConsumePartsPayload:
        actor = require_actor(info)

        async def run() -> list[m.StockEntry]:
            job_id = renamed_id(input, "job_id", "jobId")
            entries = await consumption.consume_parts(
                info.context.session,
                actor,
                job_id=parse_global_id(job_id, "Job", field="id"),
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
