"""Repair levels (维修等级) as data HQ edits, like fault codes: a repair report must name an
active one.

The migration seeds the closed list the code used to hold (``workflow/catalogue.REPAIR_LEVELS``);
``wellspring init`` adds any of those still missing. A level is never deleted or renamed
(reports store its code): a retired one is deactivated, so the reports that named it still read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import RepairLevelEntry
from ..workflow.catalogue import REPAIR_LEVELS
from . import fields

MAX_ORDER = 10_000


@dataclass(frozen=True)
class RepairLevelChange:
    """A level to add or edit, found by ``code``; ``None`` leaves a field as it is. A new
    level needs both names."""

    code: str
    name_zh: str | None = None
    name_en: str | None = None
    is_active: bool | None = None
    sort_order: int | None = None


def _order(value: int) -> int:
    if not 0 <= value <= MAX_ORDER:
        raise DomainError("QUANTITY_OUT_OF_RANGE", field="sort_order", maximum=MAX_ORDER)
    return value


async def upsert_repair_level(
    session: AsyncSession, actor: Actor, *, change: RepairLevelChange
) -> RepairLevelEntry:
    permissions.check(actor, "repair_level.upsert")
    code = fields.code(change.code, "code", maximum=16)
    row = await session.scalar(select(RepairLevelEntry).where(RepairLevelEntry.code == code))
    created = row is None
    if row is None:
        row = RepairLevelEntry(
            code=code,
            name_zh=fields.text(change.name_zh, "name_zh", maximum=50),
            name_en=fields.text(change.name_en, "name_en"),
            sort_order=_order(change.sort_order or 0),
        )
        session.add(row)
    else:
        if change.name_zh is not None:
            row.name_zh = fields.text(change.name_zh, "name_zh", maximum=50)
        if change.name_en is not None:
            row.name_en = fields.text(change.name_en, "name_en")
        if change.sort_order is not None:
            row.sort_order = _order(change.sort_order)
    if change.is_active is not None:
        row.is_active = change.is_active
    await session.flush()
    audit.record(
        session,
        actor,
        "repair_level.created" if created else "repair_level.updated",
        entity_type="RepairLevel",
        entity_id=row.id,
        code=row.code,
        is_active=row.is_active,
    )
    return row


async def repair_levels(
    session: AsyncSession, *, is_active: bool | None = None
) -> list[RepairLevelEntry]:
    """The list in HQ's order, then by code (``is_active``: only active or retired ones)."""
    stmt = select(RepairLevelEntry).where(RepairLevelEntry.deleted_at.is_(None))
    if is_active is not None:
        stmt = stmt.where(RepairLevelEntry.is_active.is_(is_active))
    order = (RepairLevelEntry.sort_order, RepairLevelEntry.code)
    return list((await session.execute(stmt.order_by(*order))).scalars())


async def seed_defaults(session: AsyncSession) -> int:
    """Add the shipped levels a database lacks (``wellspring init``); returns how many."""
    have = set((await session.execute(select(RepairLevelEntry.code))).scalars())
    missing = [(c, names) for c, names in REPAIR_LEVELS.items() if c not in have]
    for order, (code, (zh, en)) in enumerate(missing, start=1):
        session.add(RepairLevelEntry(code=code, name_zh=zh, name_en=en, sort_order=order))
    await session.flush()
    return len(missing)
