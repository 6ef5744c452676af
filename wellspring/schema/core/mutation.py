"""Run a use case so that an expected failure changes nothing and becomes payload errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from wellspring.domain import events
from wellspring.domain.db import declare_writes, lost_race
from wellspring.domain.errors import DomainError

from .context import RequestContext
from .errors import PayloadError, user_errors

T = TypeVar("T")
log = logging.getLogger("wellspring.graphql")


class Failed(list[PayloadError]):
    """The payload errors of a call that changed nothing (a type of its own, so that a use
    case returning a list is never mistaken for errors)."""


async def payload(info: Any, output: type, key: str, call: Callable[[], Awaitable[Any]]) -> Any:
    """``output(key=result, errors=[])``, or ``output(errors=...)`` after a rollback."""
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return output(errors=result)
    return output(**{key: result, "errors": []})


async def run_in_savepoint(ctx: RequestContext, call: Callable[[], Awaitable[T]]) -> T | Failed:
    """The call's result, or its errors after rolling back everything it wrote.

    The first call of a mutation request made of one field (``ctx.sole_field``) needs no
    savepoint: the endpoint writes nothing before a resolver, so the transaction holds only
    that field's work, and its own rollback undoes it. A SAVEPOINT and its RELEASE are two
    round trips and about 0.4 ms of the app's CPU, on every mutation a phone sends (issue 19
    §4).

    A call that loses a race the database settles (``db.lost_race``) runs once more: it then
    meets the winner's work and gets the answer it would have got sent after it (the code is
    taken, the retry is recognised, the revision is newer). Only a second loss answers
    CONCURRENT_CHANGE."""
    attempt = _run_in_savepoint
    if ctx.sole_field:
        ctx.sole_field = False  # a later call of the same field has work before it to keep
        if _untouched(ctx.session):
            attempt = _run_as_transaction
    held = list(ctx.session.identity_map.values())  # rows the call may hold from before it
    outcome = await attempt(ctx, call)
    if not isinstance(outcome, _Lost):
        return outcome
    _log(ctx, outcome.error, "a write lost a race and runs again")
    if await _reload(ctx.session, held):
        outcome = await attempt(ctx, call)
        if not isinstance(outcome, _Lost):
            return outcome
        _log(ctx, outcome.error, "a write lost a race twice")
    return Failed(user_errors(DomainError("CONCURRENT_CHANGE"), ctx.locale))


class _Lost:
    """A unit that lost a race and was rolled back."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _log(ctx: RequestContext, error: Exception, what: str) -> None:
    """Logged, so that a race met often can be designed away."""
    cause = getattr(error, "orig", None) or error  # the database's own words, not the ORM's
    text = (str(cause).splitlines() or [type(cause).__name__])[0][:300]
    log.warning("%s: %s", what, text, extra={"request_id": ctx.request_id})


async def _reload(session: AsyncSession, held: list[Any]) -> bool:
    """Read again the rows the rollback expired that the call may hold from before it (an
    expired row cannot load itself under asyncio); False when one of them is gone."""

    def reload(sync: Session) -> bool:
        for row in held:
            state = inspect(row)
            if state.expired_attributes and not state.detached:
                try:
                    sync.refresh(row)
                except InvalidRequestError:  # deleted by the winner
                    return False
        return True

    return await session.run_sync(reload)


async def _run_in_savepoint(
    ctx: RequestContext, call: Callable[[], Awaitable[T]]
) -> T | Failed | _Lost:
    hooks = len(ctx.after_commit)
    savepoint = await ctx.session.begin_nested()
    try:
        result = await call()
        await savepoint.commit()  # its flush may still meet another transaction's write
    except DomainError as error:
        await savepoint.rollback()
        del ctx.after_commit[hooks:]  # what the call meant to start after its commit
        ctx.session.add_all(error.keep)  # a refusal's trace outlives the work it refused
        return Failed(user_errors(error, ctx.locale, ctx.arguments))
    except Exception as error:
        await savepoint.rollback()
        del ctx.after_commit[hooks:]
        if not lost_race(error):
            raise
        return _Lost(error)
    except BaseException:
        await savepoint.rollback()
        del ctx.after_commit[hooks:]
        raise
    return result


def _untouched(session: AsyncSession) -> bool:
    """Nothing waits to be written or said in the session's transaction."""
    sync = session.sync_session
    return not (sync.new or sync.dirty or sync.deleted or sync.info.get(events.PENDING_KEY))


async def _run_as_transaction(
    ctx: RequestContext, call: Callable[[], Awaitable[T]]
) -> T | Failed | _Lost:
    """``_run_in_savepoint`` where the call is all the transaction holds: a failure rolls the
    transaction back, and the request goes on in a new one (with SQLite's write lock taken
    again, as every mutation holds it)."""
    hooks = len(ctx.after_commit)
    try:
        result = await call()
        await ctx.session.flush()  # a lost race surfaces here, not at the endpoint's commit
    except DomainError as error:
        await ctx.session.rollback()
        del ctx.after_commit[hooks:]  # what the call meant to start after its commit
        await declare_writes(ctx.session)
        ctx.session.add_all(error.keep)  # a refusal's trace outlives the work it refused
        return Failed(user_errors(error, ctx.locale, ctx.arguments))
    except Exception as error:
        await ctx.session.rollback()
        del ctx.after_commit[hooks:]
        if not lost_race(error):
            raise
        await declare_writes(ctx.session)
        return _Lost(error)
    except BaseException:
        # Not only for the endpoint's sake: an expected error (PermissionDenied) is
        # answered with a commit, which must not keep what the call wrote before it.
        await ctx.session.rollback()
        del ctx.after_commit[hooks:]
        raise
    return result


# Root mutation fields whose resolver does slow work outside any transaction (``run_outside``):
# a request made only of them starts without the write lock (api/graphql_endpoint.py).
SPLIT_FIELDS = frozenset({"confirmUpload"})


async def run_outside(ctx: RequestContext, work: Callable[[], Awaitable[T]]) -> T | Failed:
    """``work`` (which must not use the session) with no transaction open, then the write
    lock taken again; its errors as payload errors. What the request did before is committed
    first (each root field of such a request is its own unit of work). Without ``ctx.split``
    (a mutation mixing other fields) it runs inside the request's transaction."""
    if ctx.split:
        await ctx.session.commit()
    try:
        return await work()
    except DomainError as error:
        return Failed(user_errors(error, ctx.locale, ctx.arguments))
    finally:
        if ctx.split:
            await declare_writes(ctx.session)


OLD_SHAPE = "Use input; this argument goes in the next release."
OLD_NAME = "Use id; this field goes in the next release."


def one_shape(input: Any, **old: Any) -> dict[str, Any] | None:
    """The values given, from ``input`` or from a mutation's deprecated arguments; None when a
    call mixes both shapes (``required`` then answers INVALID_ARGUMENT)."""
    given_old = {k: v for k, v in old.items() if v is not None}
    if input is None:
        return given_old
    if given_old:
        return None
    return {k: v for k, v in dict(input).items() if v is not None}


def required(given: dict[str, Any] | None, key: str, field: str | None = None) -> Any:
    """A value the call must give, or INVALID_ARGUMENT on its API name."""
    if given is None or given.get(key) is None:
        raise DomainError("INVALID_ARGUMENT", field=field or key)
    return given[key]


def renamed_id(input: Any, old_key: str, old_field: str) -> Any:
    """An input's ``id``, or the deprecated name it had before (``jobId``); giving both or
    neither is INVALID_ARGUMENT."""
    new, old = input.get("id"), input.get(old_key)
    if (new is None) == (old is None):
        raise DomainError("INVALID_ARGUMENT", field="id" if old is None else old_field)
    return new if new is not None else old
