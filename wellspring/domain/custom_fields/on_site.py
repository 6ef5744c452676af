"""Custom fields the engineer fills on site (``CustomField.on_site``): a ticket's, and the
device's, set through a completion report (CompleteJob, or the phone's COMPLETE event).

Values are checked by the same rules as SetCustomFieldValues (values.apply); only on-site
fields may be given this way, and a required on-site field must hold a value when the job is
completed (the ticket's always; the device's when the job installs it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import DomainError
from ..models import CustomField
from ..models.enums import CustomFieldEntity
from . import values
from .definitions import definitions


def given_values(raw: object, path: str) -> dict[str, str | None] | None:
    """A report's values (key → text, or a list of {key, value}) as key → text."""
    if raw is None:
        return None
    items: list[tuple[object, object]]
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(i, Mapping) for i in raw):
        items = [(i.get("key"), i.get("value")) for i in raw]
    else:
        raise DomainError("INVALID_ARGUMENT", field=path)
    found: dict[str, str | None] = {}
    for key, value in items:
        if not isinstance(key, str) or not (value is None or isinstance(value, str | int | float)):
            raise DomainError("INVALID_ARGUMENT", field=path)
        found[key] = None if value is None else str(value)
    return found


async def fill(
    session: AsyncSession,
    entity: CustomFieldEntity,
    current: Mapping[str, Any] | None,
    given: Mapping[str, str | None] | None,
    *,
    path: str,
    complete: bool,
) -> dict[str, Any] | None:
    """The record's values with ``given`` (on-site fields only) over ``current``; with
    ``complete``, every required on-site field must then hold a value."""
    active = {f.key: f for f in await definitions(session, entity, is_active=True)}
    for key in given or {}:
        field = active.get(key)
        if field is not None and not field.on_site:
            raise DomainError("CUSTOM_FIELD_NOT_ON_SITE", field=path, key=key[:40])
    found = (
        await values.apply(session, entity, current, given, creating=False, path=path)
        if given
        else dict(current or {}) or None
    )
    if complete:
        missing = missing_on_site(active.values(), found)
        if missing:
            raise DomainError(
                "CUSTOM_FIELD_ON_SITE_MISSING", field=path, key=missing[0].key,
                label_zh=missing[0].label_zh, label_en=missing[0].label_en, count=len(missing),
            )  # fmt: skip
    return found


def missing_on_site(fields: Any, stored: Mapping[str, Any] | None) -> list[CustomField]:
    """The required on-site fields with no value in ``stored``, in HQ's order."""
    held = stored or {}
    return [
        f
        for f in fields
        if isinstance(f, CustomField) and f.on_site and f.required
        and held.get(f.key) in (None, "")
    ]  # fmt: skip
