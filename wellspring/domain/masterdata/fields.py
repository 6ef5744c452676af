"""Checks on master-data input: trimmed text, codes, amounts, times and coordinates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..bounds import check_cents
from ..errors import DomainError
from ..models.base import code_key

M = TypeVar("M")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def text(value: str | None, field: str, *, maximum: int = 100, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError("REQUIRED", field=field)
    if len(cleaned) > maximum:
        raise DomainError("VALUE_TOO_LONG", field=field, maximum=maximum)
    return cleaned


def code(value: str | None, field: str, *, maximum: int = 32) -> str:
    """A short identifier people type and print: letters, digits, '.', '_' and '-', kept
    upper-case (``code_key``: "sh" names the branch SH, so it can never be a second one)."""
    cleaned = text(value, field, maximum=maximum)
    if not CODE.match(cleaned):
        raise DomainError("INVALID_CODE", field=field, value=cleaned)
    return code_key(cleaned)


def amount(value: Decimal | None, field: str) -> Decimal:
    """An amount of money: given, not negative, in whole fen."""
    if value is None:
        raise DomainError("REQUIRED", field=field)
    if value < 0:
        raise DomainError("AMOUNT_NEGATIVE", field=field)
    return check_cents(value, field)


def latitude_longitude(
    latitude: float | None, longitude: float | None, prefix: str = ""
) -> tuple[float | None, float | None]:
    """Both or neither, inside the valid ranges; a refusal names the coordinate at fault
    (``latitude``, or ``home_longitude`` with the prefix ``home``)."""
    lat_field, lon_field = (
        (f"{prefix}_latitude", f"{prefix}_longitude")
        if prefix
        else (
            "latitude",
            "longitude",
        )
    )
    if (latitude is None) != (longitude is None):
        raise DomainError(
            "INVALID_COORDINATES", field=lon_field if latitude is not None else lat_field
        )
    if latitude is not None and not -90 <= latitude <= 90:
        raise DomainError("INVALID_COORDINATES", field=lat_field)
    if longitude is not None and not -180 <= longitude <= 180:
        raise DomainError("INVALID_COORDINATES", field=lon_field)
    return latitude, longitude


def clock_time(value: str, field: str) -> dt.time:
    """A local time written HH:MM."""
    try:
        parsed = dt.datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError as exc:
        raise DomainError("INVALID_TIME", field=field, value=value[:16]) from exc
    return parsed


async def unique(
    session: AsyncSession, column: Any, value: str, *, field: str, own_id: str | None
) -> None:
    """Refuse ``value`` when another row already holds it in ``column``.

    Read without autoflush: a rename sets the new code on the loaded row before this check,
    and flushing it first would let the database's unique constraint refuse it (an
    IntegrityError, INTERNAL_ERROR) before this answers DUPLICATE_CODE. A rename racing
    another to the same code still meets the constraint at its flush; the mutation runs once
    more (schema/core/mutation.py) and this check then sees the winner."""
    stmt = select(column.class_.id).where(column == value)
    if own_id is not None:
        stmt = stmt.where(column.class_.id != own_id)
    with session.no_autoflush:
        found = (await session.execute(stmt.limit(1))).first()
    if found is not None:
        raise DomainError("DUPLICATE_CODE", field=field, value=value)


async def existing(
    session: AsyncSession, model: type[M], id_: str, field: str, *, lock: bool = False
) -> M:
    """The row ``id_`` of ``model`` (master data is visible to those who may edit it); with
    ``lock``, held until the transaction ends and read afresh under the lock."""
    row = await session.get(model, id_, with_for_update=lock or None, populate_existing=lock)
    if row is None or row.deleted_at is not None:  # type: ignore[attr-defined]
        raise DomainError("NOT_FOUND", field=field)
    return row
