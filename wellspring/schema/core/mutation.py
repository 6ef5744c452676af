"""Run a use case so that an expected failure changes nothing and becomes payload errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

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
        return Failed(user_errors(error, ctx.locale))
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result
