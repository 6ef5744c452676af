"""What every master-data mutation shares: an optional id, and ``core.mutation.payload``."""

from __future__ import annotations

from ..core.ids import parse_global_id
from ..core.mutation import payload


def optional_id(value: str | None, type_name: str, field: str) -> str | None:
    return parse_global_id(value, type_name, field=field) if value else None


__all__ = ["optional_id", "payload"]
