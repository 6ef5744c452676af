"""Custom fields in imports (issue 18 §4): a column headed by a field's key or one of its
labels fills that field of the customer or device; values are checked like the API's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..custom_fields import definitions
from ..custom_fields.values import parse
from ..errors import DomainError
from ..models import CustomField
from ..models.enums import CustomFieldEntity, ImportKind
from .values import Cells

PREFIX = "cf:"
ENTITY: Mapping[ImportKind, CustomFieldEntity] = {
    ImportKind.CUSTOMERS: CustomFieldEntity.CUSTOMER,
    ImportKind.DEVICES: CustomFieldEntity.DEVICE,
}


def header_key(text: str) -> str:
    """A header as ``columns.map_headers`` compares it."""
    return text.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


async def active_fields(session: AsyncSession, kind: ImportKind) -> list[CustomField]:
    entity = ENTITY.get(kind)
    return [] if entity is None else await definitions.definitions(session, entity, is_active=True)


def headers(fields: list[CustomField]) -> dict[str, str]:
    """Header (key, Chinese or English label) → the row field the column fills."""
    found: dict[str, str] = {}
    for f in fields:
        for text in (f.label_en, f.label_zh, f.key):
            found[header_key(text)] = PREFIX + f.key
    return found


def read(cells: Cells, fields: list[CustomField]) -> dict[str, Any] | None:
    """The row's custom values (errors go to ``cells`` under the field's key)."""
    values: dict[str, Any] = {}
    for f in fields:
        raw = cells.values.get(PREFIX + f.key, "")
        if raw:
            try:
                values[f.key] = parse(f, raw, path=f.key)
            except DomainError as error:
                cells.fail(f.key, str(error.code), **error.params)
        elif f.required:
            cells.fail(f.key, "CUSTOM_FIELD_REQUIRED", label_zh=f.label_zh, label_en=f.label_en)
    return values or None
