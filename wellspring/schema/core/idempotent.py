"""``idempotencyKey`` on the inputs of mutations that create (``domain/idempotency.py``):
the input field, and the run that answers a retry with what the first call made."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import graphene

from wellspring.domain import idempotency
from wellspring.domain.errors import present

from .context import require_actor

T = TypeVar("T")

KEY_DOC = (
    "Your own key for this one action (a UUID, at most 64 characters). Sent again by the same "
    "user with the same input (a retry after a timeout), nothing new is made and the payload "
    "is what the first call made; with another input, IDEMPOTENCY_KEY_REUSED. A key answers "
    "for 30 days (the server's setting) from its first call; after that it runs as new."
)


def key_field() -> graphene.String:
    return graphene.String(description=KEY_DOC)


async def once(
    info: Any,
    operation: str,
    input: Mapping[str, Any],
    model: type[T],
    create: Callable[[], Awaitable[T]],
) -> T:
    """``create()``, unless the input's key was used before: then the row it made (to call
    inside ``run_in_savepoint``, so that a refusal keeps neither the work nor the key)."""
    key = input.get("idempotency_key")
    if key is None:
        return await create()
    actor, session = require_actor(info), info.context.session
    sent = fingerprint(input)
    first = await idempotency.earlier(
        session, actor, key=key, operation=operation, fingerprint=sent
    )
    if first is not None:
        row: T | None = await session.get(model, first)
        return present(row, f"{model.__name__} {first}")
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


def fingerprint(input: Mapping[str, Any]) -> str:
    """The input as sent, key aside: the same whatever the order or the nulls left out."""
    text = json.dumps(_plain(input), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): _plain(v) for k, v in value.items() if k != "idempotency_key" and v is not None
        }
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    return value
