"""Reading an export's filters from text (``name=value`` pairs of a URL or the command line)
into the lists' own filter objects. Codes stand for ids: ``branch=SH``, ``warehouse=WH-SH``."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import bounds
from ..errors import DomainError
from ..models import Branch, Technician, User, Warehouse

E = TypeVar("E", bound=enum.Enum)
MAX_VALUE = 200


class Filters:
    """The filters given, read on demand; a name the list does not know is an error."""

    def __init__(self, values: Mapping[str, str], known: frozenset[str]) -> None:
        for name, value in values.items():
            if name not in known:
                raise DomainError("EXPORT_INVALID_FILTER", field=name[:64], value=name[:64])
            # A NUL is refused, not stripped (PostgreSQL cannot even compare with it).
            if len(value) > MAX_VALUE or "\x00" in value:
                raise DomainError("EXPORT_INVALID_FILTER", field=name, value_field=name)
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name, "").strip()
        return value or None

    def flag(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() in {"true", "1", "yes"}:
            return True
        if value.lower() in {"false", "0", "no"}:
            return False
        raise DomainError("EXPORT_INVALID_FILTER", field=name, value_field=name)

    def date(self, name: str) -> dt.date | None:
        """A day within ``bounds`` (the lists' day arithmetic overflows at 0001 and 9999)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise DomainError("EXPORT_INVALID_FILTER", field=name, value_field=name) from None
        return bounds.check_day(day, name)

    def enums(self, name: str, enum_cls: type[E]) -> list[E]:
        value = self.text(name)
        if value is None:
            return []
        try:
            return [enum_cls(v.strip().upper()) for v in value.split(",") if v.strip()]
        except ValueError:
            raise DomainError("EXPORT_INVALID_FILTER", field=name, value_field=name) from None

    async def branch_id(self, session: AsyncSession) -> str | None:
        code = self.text("branch")
        if code is None:
            return None
        # The column compares codes upper-cased (``CodeString``): "sh" is SH, and only SH.
        found = await session.scalar(select(Branch.id).where(Branch.code == code))
        return found or "-"  # an unknown code matches nothing, like an id from elsewhere

    async def warehouse_id(self, session: AsyncSession) -> str | None:
        code = self.text("warehouse")
        if code is None:
            return None
        found = await session.scalar(select(Warehouse.id).where(Warehouse.code == code))
        return found or "-"

    async def technician_id(self, session: AsyncSession) -> str | None:
        username = self.text("technician")
        if username is None:
            return None
        found = await session.scalar(
            select(Technician.id)
            .join(User, User.id == Technician.user_id)
            .where(User.username == username)
        )
        return found or "-"
