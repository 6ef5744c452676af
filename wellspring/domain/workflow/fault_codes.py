"""A repair report's fault code, checked against HQ's list (masterdata/fault_codes.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import DomainError
from ..models import FaultCode


async def check_fault_code(session: AsyncSession, code: str) -> None:
    """The code must be on the list and active (``catalogue.FAULT_CODES`` only seeds it)."""
    found = await session.scalar(
        select(FaultCode.id).where(
            FaultCode.code == code, FaultCode.is_active.is_(True), FaultCode.deleted_at.is_(None)
        )
    )
    if found is None:
        raise DomainError("UNKNOWN_FAULT_CODE", field="report.fault_code")
