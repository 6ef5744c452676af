"""A record's custom-field values: checked on write against the active definitions, shown
as text, and matched by the list filters."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import DomainError
from ..models import CustomField
from ..models.enums import CustomFieldEntity, CustomFieldType
from .definitions import definitions

MAX_TEXT = 500
MAX_GIVEN = 100
TRUE = {"true", "1", "yes", "是"}
FALSE = {"false", "0", "no", "否"}


def parse(field: CustomField, raw: str, *, path: str) -> Any:
    """The stored value of ``raw`` (text as typed, in an import or an input), or an error."""
    text = raw.strip()

    def bad() -> DomainError:
        return DomainError("CUSTOM_FIELD_INVALID_VALUE", field=path, key=field.key)

    match field.type:
        case CustomFieldType.TEXT:
            if len(text) > MAX_TEXT:
                raise DomainError("VALUE_TOO_LONG", field=path, maximum=MAX_TEXT)
            return text
        case CustomFieldType.NUMBER:
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise bad() from None
            if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
                raise bad()
            return int(number) if number == number.to_integral_value() else float(number)
        case CustomFieldType.DATE:
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise bad() from None
        case CustomFieldType.BOOLEAN:
            if text.lower() in TRUE:
                return True
            if text.lower() in FALSE:
                return False
            raise bad()
        case CustomFieldType.CHOICE:
            if text not in field.options:
                raise bad()
            return text


def shown(value: Any) -> str | None:
    """A stored value as the API and the exports write it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return str(value)


async def apply(
    session: AsyncSession,
    entity: CustomFieldEntity,
    current: Mapping[str, Any] | None,
    given: Mapping[str, str | None] | None,
    *,
    creating: bool,
    path: str = "custom_fields",
) -> dict[str, Any] | None:
    """The record's new values: ``given`` (key → text; None or "" clears) over ``current``.

    Errors name the input list (``path``; a key's camelCase form would not be the key) and
    the key or label in their message.

    Unknown or retired keys are refused; a new record must give every required field (an
    existing one keeps what it has, and may not clear a required one). A required field
    filled on site is required when the job is completed instead (on_site.py).
    """
    if given is not None and len(given) > MAX_GIVEN:
        raise DomainError("TOO_MANY_ITEMS", field=path, maximum=MAX_GIVEN)
    active = {f.key: f for f in await definitions(session, entity, is_active=True)}
    values = dict(current or {})
    for key, raw in (given or {}).items():
        field = active.get(key)
        if field is None:
            raise DomainError("CUSTOM_FIELD_UNKNOWN", field=path, key=key[:40])
        if raw is None or not raw.strip():
            values.pop(key, None)
        else:
            values[key] = parse(field, raw, path=path)
    if creating or given:
        for field in active.values():
            if field.required and not field.on_site and values.get(field.key) in (None, ""):
                raise DomainError(
                    "CUSTOM_FIELD_REQUIRED", field=path,
                    label_zh=field.label_zh, label_en=field.label_en,
                )  # fmt: skip
    return values or None


async def condition(
    session: AsyncSession, entity: CustomFieldEntity, column: Any, key: str, raw: str
) -> ColumnElement[bool]:
    """Records whose field ``key`` equals ``raw`` (read as the field's type)."""
    found = {f.key: f for f in await definitions(session, entity)}
    field = found.get(key)
    if field is None:
        raise DomainError("CUSTOM_FIELD_UNKNOWN", field="filter.custom_field", key=key[:40])
    value = parse(field, raw, path="filter.custom_field")
    element = column[key]
    if field.type is CustomFieldType.NUMBER:
        return element.as_float() == float(value)  # type: ignore[no-any-return]
    if field.type is CustomFieldType.BOOLEAN:
        return element.as_boolean() == value  # type: ignore[no-any-return]
    return element.as_string() == value  # type: ignore[no-any-return]
