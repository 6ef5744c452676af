"""``idempotencyKey`` on the inputs of mutations that create (``domain/idempotency.py``):
the input field, and the run that answers a retry with what the first call made."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import graphene

from wellspring.domain import idempotency

from .context import require_actor

T = TypeVar("T")

KEY_DOC = (
    "Your own key for this one action (a UUID, at most 64 characters). Sent again by the same "
    "user with the same input (a retry after a timeout), nothing new is made and the payload "
    "is what the first call made, as the user may see it now (NOT_FOUND out of their reach, "
    "FORBIDDEN when their role may no longer do this); with another input, "
    "IDEMPOTENCY_KEY_REUSED. A field left out and the same field sent with its default are the "
    "same input. A key answers for 30 days (the server's setting) from its first call; after "
    "that it runs as new."
)


def key_field() -> graphene.String:
    return graphene.String(description=KEY_DOC)


async def once(
    info: Any,
    operation: str,
    *,
    key: str | None,
    request: Any,
    permission: str,
    model: type[T],
    create: Callable[[], Awaitable[T]],
) -> T:
    """``create()``, unless ``key`` was used before: then the row it made (to call inside
    ``run_in_savepoint``, so that a refusal keeps neither the work nor the key).

    ``request`` is what ``create`` hands its use case, defaults applied: two inputs that ask
    the same (one leaving out what the other sends as its default) are one action.
    ``permission`` is the operation the use case checks first: a replay passes it too.
    """
    if key is None:
        return await create()
    actor, session = require_actor(info), info.context.session
    sent = fingerprint(request)
    first = await idempotency.replay(
        session,
        actor,
        key=key,
        operation=operation,
        fingerprint=sent,
        permission=permission,
        model=model,
    )
    if first is not None:
        return first
    made = await create()
    idempotency.remember(
        session,
        actor,
        key=key,
        operation=operation,
        fingerprint=sent,
        result_id=made.id,  # type: ignore[attr-defined]
    )
    return made


def fingerprint(request: Any) -> str:
    """The request's meaning: the same whatever the order of its fields, the nulls left out
    or how a number or an instant is written."""
    text = json.dumps(_plain(request), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON of ``value``; a type not listed here is an error, never its ``repr`` (which
    may differ from one call to the next, and would refuse every retry)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 1.50 and 1.5 are one price
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no fingerprint for {type(value).__name__}")
