"""Idempotency keys: a create retried after a lost answer returns what the first call made.

A phone or a console that times out cannot tell whether its OpenTicket or MoveStock was
kept; sent again, it made a second complaint or transfer. A create mutation's input takes an
optional ``idempotencyKey`` (any text the client chose for that one action, a UUID say).
The first call with a key keeps it, once per user (a unique index), with the mutation and a
fingerprint of its input; a later call of that user with that key changes nothing and
answers what the first made. The same key with another mutation or input is a client bug
(two actions under one key), refused with ``IDEMPOTENCY_KEY_REUSED`` rather than guessed at.

A call that failed kept nothing, its key included: sent again it runs afresh. Two calls with
one key at the same moment meet at the unique index: the loser runs again
(``db.lost_race``) and finds the winner's answer.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .actor import Actor
from .bounds import check_length
from .errors import DomainError
from .models import IdempotencyKey

MAX_KEY = 64
FIELD = "idempotency_key"


async def earlier(
    session: AsyncSession, actor: Actor, *, key: str, operation: str, fingerprint: str
) -> str | None:
    """The id of what the first call with ``key`` made, or None when the key is new."""
    if not key.strip():
        raise DomainError("REQUIRED", field=FIELD)
    check_length(key, FIELD, MAX_KEY)
    first = (
        await session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == actor.user_id, IdempotencyKey.key == key
            )
        )
    ).scalar_one_or_none()
    if first is None:
        return None
    if first.operation != operation or first.fingerprint != fingerprint:
        raise DomainError("IDEMPOTENCY_KEY_REUSED", field=FIELD)
    return first.result_id


def remember(
    session: AsyncSession,
    actor: Actor,
    *,
    key: str,
    operation: str,
    fingerprint: str,
    result_id: str,
) -> None:
    """Keep the key with what the call made (written with the call's own work)."""
    session.add(
        IdempotencyKey(
            user_id=actor.user_id,
            key=key,
            operation=operation,
            fingerprint=fingerprint,
            result_id=result_id,
        )
    )
