"""Editing a record's custom-field values after it was made (SetCustomFieldValues): the
dispatchers, within the records they may see; checked like a new record's, audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, policy
from ..actor import Actor
from ..errors import DomainError
from ..models import Customer, Device, Ticket
from ..models.enums import CustomFieldEntity
from . import values

MODELS: Mapping[CustomFieldEntity, tuple[type[Any], Callable[[Actor], Any]]] = {
    CustomFieldEntity.CUSTOMER: (Customer, policy.customers_scope),
    CustomFieldEntity.DEVICE: (Device, policy.devices_scope),
    CustomFieldEntity.TICKET: (Ticket, policy.tickets_scope),
}


async def set_values(
    session: AsyncSession,
    actor: Actor,
    *,
    entity: CustomFieldEntity,
    record_id: str,
    given: Mapping[str, str | None],
) -> Any:
    """The record with ``given`` over its values (None or "" clears one)."""
    permissions.check(actor, "custom_field.set_values")
    model, scope = MODELS[entity]
    # Held until commit and read as committed: the values are one JSON column, and two
    # edits at once each wrote their keys over the other's.
    row = await session.scalar(
        select(model)
        .where(model.id == record_id, model.deleted_at.is_(None), scope(actor))
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise DomainError("NOT_FOUND", field="id")
    if getattr(row, "branch_id", None) is not None:
        permissions.check(actor, "custom_field.set_values", branch_id=row.branch_id)
    before = dict(row.custom_fields or {})
    row.custom_fields = await values.apply(session, entity, before, given, creating=False)
    await session.flush()
    audit.record(
        session, actor, "custom_field.values_set", entity_type=model.__name__,
        entity_id=row.id, keys=sorted(given),
    )  # fmt: skip
    return row
