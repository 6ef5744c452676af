"""What every master-data mutation shares: one call in a savepoint, one payload shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint


def optional_id(value: str | None, type_name: str, field: str) -> str | None:
    return parse_global_id(value, type_name, field=field) if value else None


async def payload(info: Any, output: type, key: str, call: Callable[[], Awaitable[Any]]) -> Any:
    """``output(key=result, errors=[])``, or ``output(errors=...)`` after a rollback."""
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return output(errors=result)
    return output(**{key: result, "errors": []})
