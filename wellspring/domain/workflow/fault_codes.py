"""A repair report's fault code and repair level, checked against HQ's lists
(masterdata/fault_codes.py, masterdata/repair_levels.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import DomainError
from ..models import FaultCode, RepairLevelEntry


async def check_fault_code(session: AsyncSession, code: str) -> None:
    """The code must be on the list and active (``catalogue.FAULT_CODES`` only seeds it)."""
    found = await session.scalar(
        select(FaultCode.id).where(
            FaultCode.code == code, FaultCode.is_active.is_(True), FaultCode.deleted_at.is_(None)
        )
    )
    if found is None:
        raise DomainError("UNKNOWN_FAULT_CODE", field="report.fault_code")


async def check_repair_level(session: AsyncSession, code: str) -> None:
    """The level must be on the list and active (``catalogue.REPAIR_LEVELS`` only seeds it)."""
    found = await session.scalar(
        select(RepairLevelEntry.id).where(
            RepairLevelEntry.code == code,
            RepairLevelEntry.is_active.is_(True),
            RepairLevelEntry.deleted_at.is_(None),
        )
    )
    if found is None:
        raise DomainError("UNKNOWN_REPAIR_LEVEL", field="report.repair_level_code")
