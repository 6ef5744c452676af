"""Idempotency keys: a create retried after a lost answer returns what the first call made.

A phone or a console that times out cannot tell whether its OpenTicket or MoveStock was
kept; sent again, it made a second complaint or transfer. A create mutation's input takes an
optional ``idempotencyKey`` (any text the client chose for that one action, a UUID say).
The first call with a key keeps it, once per user (a unique index), with the mutation and a
fingerprint of its input; a later call of that user with that key changes nothing and
answers what the first made. The same key with another mutation or input is a client bug
(two actions under one key), refused with ``IDEMPOTENCY_KEY_REUSED`` rather than guessed at.

A replay is answered as a fresh call would be allowed to be, by who the caller is now (a
role changed, a branch moved since the first call): it must pass the operation's role
check first (``FORBIDDEN`` otherwise, whatever the key and input, so a refused role learns
nothing of its keys), and what it answers with is read through the caller's current scope
(``policy.by_id_scope``). Out of it, the answer is ``NOT_FOUND`` on the key: the API's
answer for any row the caller may not see (a forbidden row looks like a missing one), and
what a fresh call meets at the customer or warehouse it names. The key stays: back in scope,
it answers again. A signed-out or deactivated user never gets here (the token check).

A call that failed kept nothing, its key included: sent again it runs afresh. Two calls with
one key at the same moment meet at the unique index: the loser runs again
(``db.lost_race``) and finds the winner's answer.

A key answers for ``DomainConfig.idempotency_key_lifetime`` (30 days by default) from its
first call, then counts as never used: a call with it runs as new, and the worker's periodic
step deletes it (``purge``). Not minutes, as for a browser's double click: an engineer's
phone queues its sends while offline for days, and a console retries after a weekend. 30
days is as long as the outbox keeps the changes a sync cursor replays (``notify_retention``;
a phone away longer starts its sync afresh anyway), and well past the 24 hours Stripe
promises; a key row is about 200 bytes, so a month of keyed creates is a small table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import clock, permissions, policy
from .actor import Actor
from .bounds import check_length
from .config import config_of
from .errors import DomainError
from .models import IdempotencyKey

MAX_KEY = 64
FIELD = "idempotency_key"

M = TypeVar("M")


async def replay(
    session: AsyncSession,
    actor: Actor,
    *,
    key: str,
    operation: str,
    fingerprint: str,
    permission: str,
    model: type[M],
) -> M | None:
    """What the first call with ``key`` made, as the actor may see it now; None when the key
    is new (the call runs). ``permission`` is the one the use case checks first."""
    permissions.check(actor, permission)
    first = await earlier(session, actor, key=key, operation=operation, fingerprint=fingerprint)
    if first is None:
        return None
    model_: Any = model
    row = (
        await session.execute(
            select(model_).where(policy.by_id_scope(model_, actor), model_.id == first)
        )
    ).scalar_one_or_none()
    if row is None:
        raise DomainError("NOT_FOUND", field=FIELD)
    return row  # type: ignore[no-any-return]


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
    if first.created_at <= _oldest_kept(session, clock.now(session)):
        # Expired (the purge has not come by yet): gone now, so the call runs as new. A
        # refusal of that call rolls this back too; the purge takes it then.
        await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.id == first.id),
            execution_options={"synchronize_session": False},
        )
        session.expunge(first)
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
            created_at=clock.now(session),  # the session's clock: the lifetime runs on it
        )
    )


async def purge(session: AsyncSession, *, now: dt.datetime) -> int:
    """Delete the keys past their lifetime at ``now`` (the worker's periodic step); returns
    how many."""
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at <= _oldest_kept(session, now)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _oldest_kept(session: AsyncSession, now: dt.datetime) -> dt.datetime:
    """A key made at or before this instant has expired."""
    return now - config_of(session).idempotency_key_lifetime
