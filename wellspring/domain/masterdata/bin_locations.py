"""A warehouse's bin locations (货位) as HQ's master data: added and renamed by code,
deactivated (never deleted: balances and old documents name them).

A part's location in a warehouse (``setSafetyStock(location:)``, the opening-stock import)
must be an active bin of that warehouse (``inventory/bin_locations.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..inventory.scopes import warehouses_scope
from ..models import BinLocation, Warehouse
from ..pagination import Page, SortKey, paginate
from . import fields


@dataclass(frozen=True)
class BinLocationChange:
    """A bin to add or edit, found by warehouse and ``code`` (as typed on the shelf label,
    kept upper-case); ``None`` leaves a field as it is."""

    warehouse_id: str
    code: str
    name: str | None = None
    is_active: bool | None = None


async def upsert_bin_location(
    session: AsyncSession, actor: Actor, *, change: BinLocationChange
) -> BinLocation:
    permissions.check(actor, "bin_location.upsert")
    code = fields.code(change.code, "code", maximum=32)
    warehouse = await fields.existing(session, Warehouse, change.warehouse_id, "warehouse_id")
    row = await session.scalar(
        select(BinLocation).where(
            BinLocation.warehouse_id == warehouse.id, BinLocation.code == code
        )
    )
    created = row is None
    if row is None:
        if change.is_active is False:
            raise DomainError("NOT_FOUND", field="code")  # nothing to deactivate
        row = BinLocation(warehouse_id=warehouse.id, code=code, name="")
        session.add(row)
    if change.name is not None:
        row.name = fields.text(change.name, "name", required=False)
    if change.is_active is not None:
        row.is_active = change.is_active
    await session.flush()
    audit.record(
        session,
        actor,
        "bin_location.created" if created else "bin_location.updated",
        entity_type="Warehouse",
        entity_id=warehouse.id,
        code=row.code,
        is_active=row.is_active,
    )
    return row


async def bin_locations(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    is_active: bool | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[BinLocation]:
    """A warehouse's bins by code (those who keep stock, within the warehouses they see)."""
    permissions.check(actor, "bin_location.list")
    seen = await session.scalar(
        select(Warehouse.id).where(Warehouse.id == warehouse_id, warehouses_scope(actor))
    )
    if seen is None:
        raise DomainError("NOT_FOUND", field="warehouse_id")
    stmt = select(BinLocation).where(
        BinLocation.warehouse_id == warehouse_id, BinLocation.deleted_at.is_(None)
    )
    if is_active is not None:
        stmt = stmt.where(BinLocation.is_active.is_(is_active))
    order = (SortKey(BinLocation.code, descending=False),)
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda b: (b.code,)
    )
