"""What every resolver gets as ``info.context``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from graphql import GraphQLResolveInfo as ResolveInfo
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.actor import Actor
from wellspring.domain.auth import AuthConfig
from wellspring.i18n import message

if TYPE_CHECKING:
    from .dataloaders import Loaders


@dataclass
class RequestContext:
    session: AsyncSession
    actor: Actor | None
    locale: str
    auth: AuthConfig
    loaders: Loaders
    now: dt.datetime  # read once per request from the session's clock (domain/clock.py)
    client_ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    # Work to start once the request has committed (a large import's batches), each given
    # the session factory: ``async def hook(factory) -> None``.
    after_commit: list[Any] = field(default_factory=list)
    # The endpoint started this mutation without the write lock: a resolver of SPLIT_FIELDS
    # may end the transaction for its slow part (core/mutation.py ``run_outside``).
    split: bool = False
    # A mutation request of one field: its first unit of work runs without a savepoint
    # (core/mutation.py ``run_in_savepoint``).
    sole_field: bool = False
    # The arguments of the root mutation field running now (core/input_paths.py).
    arguments: dict[str, Any] | None = None
    # Subscriptions only (the WebSocket handler): ``live(watch, after) -> AsyncIterator``.
    live: Any = None


def gql_error(code: str, locale: str, **params: object) -> GraphQLError:
    return GraphQLError(message(code, locale, **params), extensions={"code": code})


def require_actor(info: ResolveInfo) -> Actor:
    """The signed-in actor, or an ``UNAUTHENTICATED`` GraphQL error."""
    ctx: RequestContext = info.context
    if ctx.actor is None:
        raise gql_error("UNAUTHENTICATED", ctx.locale)
    return ctx.actor
