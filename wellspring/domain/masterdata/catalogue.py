"""The catalogue HQ keeps: parts (prices, compatible models) and device models (filter stages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import DeviceModel, FilterType, Part
from ..models.enums import SupplyMode
from . import fields

MAX_FILTER_STAGES = 10
MAX_COMPATIBLE_MODELS = 100


@dataclass(frozen=True)
class PartChange:
    """What to set; ``None`` leaves a field as it is."""

    id: str | None = None
    sku: str | None = None
    name: str | None = None
    unit: str | None = None
    cost: Decimal | None = None
    list_price: Decimal | None = None
    serial_tracked: bool | None = None
    compatible_model_ids: Sequence[str] | None = None
    is_active: bool | None = None


@dataclass(frozen=True)
class FilterStage:
    stage: int
    name: str
    lifetime_days: int
    capacity_buckets: int | None = None  # buckets it filters before it is spent (issue 18)


@dataclass(frozen=True)
class DeviceModelChange:
    """What to set; ``None`` leaves a field as it is. ``filters`` replaces the stages."""

    id: str | None = None
    code: str | None = None
    name: str | None = None
    supply_mode: SupplyMode | None = None
    list_price: Decimal | None = None
    filters: Sequence[FilterStage] | None = None
    is_active: bool | None = None


async def _model_codes(session: AsyncSession, ids: Sequence[str]) -> list[str]:
    if len(ids) > MAX_COMPATIBLE_MODELS:
        raise DomainError(
            "TOO_MANY_ITEMS", field="compatible_model_ids", maximum=MAX_COMPATIBLE_MODELS
        )
    unique = list(dict.fromkeys(ids))
    rows = (
        await session.execute(
            select(DeviceModel.id, DeviceModel.code).where(
                DeviceModel.id.in_(unique), DeviceModel.deleted_at.is_(None)
            )
        )
    ).all()
    codes = {id_: code for id_, code in rows}
    for index, id_ in enumerate(unique):
        if id_ not in codes:
            raise DomainError("NOT_FOUND", field=f"compatible_model_ids.{index}")
    return sorted(codes[id_] for id_ in unique)


async def upsert_part(session: AsyncSession, actor: Actor, *, change: PartChange) -> Part:
    permissions.check(actor, "part.upsert")
    if change.id is None:
        part = Part(
            sku=fields.code(change.sku, "sku"),
            name=fields.text(change.name, "name"),
            cost=fields.amount(change.cost, "cost"),
            list_price=fields.amount(change.list_price, "list_price"),
        )
    else:
        part = await fields.existing(session, Part, change.id, "id")
        if change.sku is not None:
            part.sku = fields.code(change.sku, "sku")
        if change.name is not None:
            part.name = fields.text(change.name, "name")
        if change.cost is not None:
            part.cost = fields.amount(change.cost, "cost")
        if change.list_price is not None:
            part.list_price = fields.amount(change.list_price, "list_price")
    await fields.unique(session, Part.sku, part.sku, field="sku", own_id=change.id)
    if change.unit is not None:
        part.unit = fields.text(change.unit, "unit", maximum=16)
    if change.serial_tracked is not None:
        part.serial_tracked = change.serial_tracked
    if change.compatible_model_ids is not None:
        part.compatible_models = await _model_codes(session, change.compatible_model_ids)
    if change.is_active is not None:
        part.is_active = change.is_active
    if change.id is None:
        session.add(part)
    await session.flush()
    action = "part.created" if change.id is None else "part.updated"
    audit.record(session, actor, action, entity_type="Part", entity_id=part.id, sku=part.sku)
    return part


def _checked_stages(stages: Sequence[FilterStage]) -> list[FilterStage]:
    if len(stages) > MAX_FILTER_STAGES:
        raise DomainError("TOO_MANY_ITEMS", field="filters", maximum=MAX_FILTER_STAGES)
    seen: set[int] = set()
    for index, stage in enumerate(stages):
        if stage.stage < 1 or stage.stage in seen:
            raise DomainError("INVALID_FILTER_STAGE", field=f"filters.{index}.stage")
        if stage.lifetime_days < 1:
            raise DomainError("INVALID_FILTER_STAGE", field=f"filters.{index}.lifetime_days")
        if stage.capacity_buckets is not None and not 1 <= stage.capacity_buckets <= 100_000:
            raise DomainError("INVALID_FILTER_STAGE", field=f"filters.{index}.capacity_buckets")
        fields.text(stage.name, f"filters.{index}.name", maximum=50)
        seen.add(stage.stage)
    return sorted(stages, key=lambda s: s.stage)


async def _replace_filters(
    session: AsyncSession, model: DeviceModel, stages: Sequence[FilterStage]
) -> None:
    """Stages keep their rows (filter changes refer to them); a dropped stage is retired."""
    current = {
        f.stage: f
        for f in (
            await session.execute(
                select(FilterType).where(
                    FilterType.device_model_id == model.id, FilterType.deleted_at.is_(None)
                )
            )
        ).scalars()
    }
    wanted = {s.stage for s in stages}
    for stage in stages:
        row = current.get(stage.stage)
        if row is None:
            session.add(
                FilterType(
                    device_model_id=model.id,
                    stage=stage.stage,
                    name=stage.name.strip(),
                    lifetime_days=stage.lifetime_days,
                    capacity_buckets=stage.capacity_buckets,
                )
            )
        else:
            values = (stage.name.strip(), stage.lifetime_days, stage.capacity_buckets)
            # Only a changed stage is written: a write stamps a new version, and phones
            # holding the stage (sync's filter_types) would be sent it again for nothing.
            if (row.name, row.lifetime_days, row.capacity_buckets) != values:
                row.name, row.lifetime_days, row.capacity_buckets = values
    for number, row in current.items():
        if number not in wanted:
            row.deleted_at = clock_of(session).now()


async def upsert_device_model(
    session: AsyncSession, actor: Actor, *, change: DeviceModelChange
) -> DeviceModel:
    permissions.check(actor, "device_model.upsert")
    stages = _checked_stages(change.filters) if change.filters is not None else None
    if change.id is None:
        model = DeviceModel(
            code=fields.code(change.code, "code"),
            name=fields.text(change.name, "name"),
            supply_mode=change.supply_mode or SupplyMode.MONTHLY,
            list_price=fields.amount(change.list_price, "list_price"),
        )
    else:
        # Held and read afresh: two edits of its filter stages at once each found a new
        # stage missing and both added it, and one of the two never came due again.
        model = await fields.existing(session, DeviceModel, change.id, "id", lock=True)
        if change.code is not None:
            model.code = fields.code(change.code, "code")
        if change.name is not None:
            model.name = fields.text(change.name, "name")
        if change.supply_mode is not None:
            model.supply_mode = change.supply_mode
        if change.list_price is not None:
            model.list_price = fields.amount(change.list_price, "list_price")
    await fields.unique(session, DeviceModel.code, model.code, field="code", own_id=change.id)
    if change.is_active is not None:
        model.is_active = change.is_active
    if change.id is None:
        session.add(model)
    await session.flush()
    if stages is not None:
        await _replace_filters(session, model, stages)
        await session.flush()
    audit.record(
        session,
        actor,
        "device_model.created" if change.id is None else "device_model.updated",
        entity_type="DeviceModel",
        entity_id=model.id,
        code=model.code,
    )
    return model
