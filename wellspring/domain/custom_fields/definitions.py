"""HQ defines the extra fields (DefineCustomField): by entity and key, never deleted or
retyped (a record's stored values keep their meaning); a retired field is deactivated."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..db import one_at_a_time
from ..errors import DomainError
from ..models import CustomField
from ..models.enums import CustomFieldEntity, CustomFieldType

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_OPTIONS = 50
MAX_OPTION = 50
MAX_FIELDS = 50  # active ones per entity: every form, list and export carries them
CACHE_KEY = "wellspring.custom_fields"


@dataclass(frozen=True)
class FieldDefinition:
    """What to set; ``None`` leaves a field as it is (a new field needs type and labels)."""

    entity: CustomFieldEntity
    key: str
    type: CustomFieldType | None = None
    label_zh: str | None = None
    label_en: str | None = None
    required: bool | None = None
    options: Sequence[str] | None = None
    is_active: bool | None = None
    sort_order: int | None = None
    on_site: bool | None = None  # filled by the engineer on site (on_site.py)


def _label(value: str | None, field: str, maximum: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise DomainError("REQUIRED", field=field)
    if len(cleaned) > maximum:
        raise DomainError("VALUE_TOO_LONG", field=field, maximum=maximum)
    return cleaned


def _options(values: Sequence[str]) -> list[str]:
    cleaned = [v.strip() for v in values]
    if (
        not 1 <= len(cleaned) <= MAX_OPTIONS
        or any(not v or len(v) > MAX_OPTION for v in cleaned)
        or len(set(cleaned)) != len(cleaned)
    ):
        raise DomainError("CUSTOM_FIELD_OPTIONS_INVALID", field="options", maximum=MAX_OPTIONS)
    return cleaned


async def define(session: AsyncSession, actor: Actor, *, change: FieldDefinition) -> CustomField:
    permissions.check(actor, "custom_field.define")
    key = (change.key or "").strip()
    if not KEY.match(key):
        raise DomainError("CUSTOM_FIELD_INVALID_KEY", field="key")
    row = await session.scalar(
        select(CustomField).where(CustomField.entity == change.entity, CustomField.key == key)
    )
    created = row is None
    if row is None:
        if change.type is None:
            raise DomainError("REQUIRED", field="type")
        await _room_for_one(session, change.entity, "key")
        row = CustomField(
            entity=change.entity,
            key=key,
            type=change.type,
            label_zh=_label(change.label_zh, "label_zh", 50),
            label_en=_label(change.label_en, "label_en", 100),
            options=[],
        )
        session.add(row)
    else:
        if change.type is not None and change.type is not row.type:
            raise DomainError("CUSTOM_FIELD_TYPE_LOCKED", field="type")
        if change.label_zh is not None:
            row.label_zh = _label(change.label_zh, "label_zh", 50)
        if change.label_en is not None:
            row.label_en = _label(change.label_en, "label_en", 100)
    if change.options is not None:
        row.options = _options(change.options) if row.type is CustomFieldType.CHOICE else []
    if row.type is CustomFieldType.CHOICE and not row.options:
        raise DomainError("CUSTOM_FIELD_OPTIONS_INVALID", field="options", maximum=MAX_OPTIONS)
    if change.required is not None:
        row.required = change.required
    if change.is_active is not None:
        if change.is_active and not row.is_active:  # back in use: it counts again
            await _room_for_one(session, row.entity, "is_active")
        row.is_active = change.is_active
    if change.on_site is not None:
        if change.on_site and row.entity is CustomFieldEntity.CUSTOMER:
            raise DomainError("CUSTOM_FIELD_NOT_ON_SITE", field="on_site", key=key)
        row.on_site = change.on_site
    if change.sort_order is not None:
        if not 0 <= change.sort_order <= 10_000:
            raise DomainError("QUANTITY_OUT_OF_RANGE", field="sort_order", maximum=10_000)
        row.sort_order = change.sort_order
    await session.flush()
    session.sync_session.info.pop(CACHE_KEY, None)
    audit.record(
        session, actor, "custom_field.defined" if created else "custom_field.changed",
        entity_type="CustomField", entity_id=row.id, entity=row.entity.value, key=row.key,
        type=row.type.value, required=row.required, is_active=row.is_active,
        on_site=row.on_site,
    )  # fmt: skip
    return row


async def _room_for_one(session: AsyncSession, entity: CustomFieldEntity, field: str) -> None:
    """Another active field fits under the limit. One entity's fields come into use one at a
    time: two new keys at once both counted 49 and made 51."""
    await one_at_a_time(session, f"custom_field.active:{entity.value}")
    active = await session.scalar(
        select(func.count()).where(
            CustomField.entity == entity,
            CustomField.is_active.is_(True),
            CustomField.deleted_at.is_(None),
        )
    )
    if (active or 0) >= MAX_FIELDS:
        raise DomainError("TOO_MANY_ITEMS", field=field, maximum=MAX_FIELDS)


async def definitions(
    session: AsyncSession, entity: CustomFieldEntity, *, is_active: bool | None = None
) -> list[CustomField]:
    """An entity's fields in HQ's order, then by key (cached for the unit of work)."""
    cache: dict[CustomFieldEntity, list[CustomField]] = session.sync_session.info.setdefault(
        CACHE_KEY, {}
    )
    if entity not in cache:
        stmt = select(CustomField).where(
            CustomField.entity == entity, CustomField.deleted_at.is_(None)
        )
        rows = await session.execute(stmt.order_by(CustomField.sort_order, CustomField.key))
        cache[entity] = list(rows.scalars())
    found = cache[entity]
    return found if is_active is None else [f for f in found if f.is_active is is_active]
