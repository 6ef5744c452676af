"""Run a use case so that an expected failure changes nothing and becomes payload errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from wellspring.domain.db import declare_writes
from wellspring.domain.errors import DomainError

from .context import RequestContext
from .errors import PayloadError, user_errors

T = TypeVar("T")


class Failed(list[PayloadError]):
    """The payload errors of a call that changed nothing (a type of its own, so that a use
    case returning a list is never mistaken for errors)."""


async def run_in_savepoint(ctx: RequestContext, call: Callable[[], Awaitable[T]]) -> T | Failed:
    """The call's result, or its errors after rolling back everything it wrote."""
    savepoint = await ctx.session.begin_nested()
    try:
        result = await call()
    except DomainError as error:
        await savepoint.rollback()
        ctx.session.add_all(error.keep)  # a refusal's trace outlives the work it refused
        return Failed(user_errors(error, ctx.locale))
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
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
        return Failed(user_errors(error, ctx.locale))
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
