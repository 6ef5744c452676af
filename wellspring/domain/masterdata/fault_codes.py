"""Fault codes (故障代码) as data HQ edits: a repair report must name an active one.

The migration seeds the catalogue the code used to hold (``workflow/catalogue.FAULT_CODES``);
``wellspring init`` adds any of those still missing. A code is never deleted: a retired one
is deactivated, so the reports that named it still read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..models import FaultCode
from ..workflow.catalogue import FAULT_CODES
from . import fields


@dataclass(frozen=True)
class FaultCodeChange:
    """A code to add or edit, found by ``code``; ``None`` leaves a field as it is. A new code
    needs both names. Codes are never renamed (reports store them)."""

    code: str
    name_zh: str | None = None
    name_en: str | None = None
    is_active: bool | None = None


async def upsert_fault_code(
    session: AsyncSession, actor: Actor, *, change: FaultCodeChange
) -> FaultCode:
    permissions.check(actor, "fault_code.upsert")
    code = fields.code(change.code, "code", maximum=16)
    row = await session.scalar(select(FaultCode).where(FaultCode.code == code))
    created = row is None
    if row is None:
        row = FaultCode(
            code=code,
            name_zh=fields.text(change.name_zh, "name_zh", maximum=50),
            name_en=fields.text(change.name_en, "name_en"),
        )
        session.add(row)
    else:
        if change.name_zh is not None:
            row.name_zh = fields.text(change.name_zh, "name_zh", maximum=50)
        if change.name_en is not None:
            row.name_en = fields.text(change.name_en, "name_en")
    if change.is_active is not None:
        row.is_active = change.is_active
    await session.flush()
    action = "fault_code.created" if created else "fault_code.updated"
    audit.record(session, actor, action, entity_type="FaultCode", entity_id=row.id, code=row.code)
    return row


async def fault_codes(session: AsyncSession, *, is_active: bool | None = None) -> list[FaultCode]:
    """The list by code (``is_active``: only active or only retired ones, if given)."""
    stmt = select(FaultCode).where(FaultCode.deleted_at.is_(None))
    if is_active is not None:
        stmt = stmt.where(FaultCode.is_active.is_(is_active))
    return list((await session.execute(stmt.order_by(FaultCode.code))).scalars())


async def seed_defaults(session: AsyncSession) -> int:
    """Add the shipped codes a database lacks (``wellspring init``); returns how many."""
    have = set((await session.execute(select(FaultCode.code))).scalars())
    missing = [(c, names) for c, names in FAULT_CODES.items() if c not in have]
    for code, (zh, en) in missing:
        session.add(FaultCode(code=code, name_zh=zh, name_en=en))
    await session.flush()
    return len(missing)
