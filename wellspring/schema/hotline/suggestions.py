"""``suggestedArticles`` on Ticket and Job (declared lazily: tickets and articles refer to
each other's modules). A page of tickets or jobs asks for its suggestions in one batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.hotline import suggestions

from ..core.context import require_actor
from ..core.dataloaders import RequestLoader

Batch = Callable[[Sequence[Any]], Awaitable[dict[str, list[m.Article]]]]


class _SuggestionLoader(RequestLoader[str, list[m.Article]]):
    """Rows by id; the domain's batch function answers for all of a page's rows at once."""

    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.rows: dict[str, Any] = {}
        self._batch = batch

    async def batch_load_fn(self, keys: Sequence[str]) -> list[list[m.Article]]:
        found = await self._batch([self.rows[k] for k in keys])
        return [found.get(k, []) for k in keys]


def suggested_articles_field() -> graphene.NonNull:
    return graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.hotline.types.Article")),
        description="Knowledge-base articles for the device's model and the fault (at most 5).",
    )


def _load(info: ResolveInfo, kind: str, row: Any) -> Any:
    actor = require_actor(info)
    session = info.context.session
    loaders = info.context.loaders
    loader = loaders.keyed(("suggestions", kind), lambda: _SuggestionLoader(
        (lambda rows: suggestions.suggested_for_tickets(session, actor, rows))
        if kind == "ticket"
        else (lambda rows: suggestions.suggested_for_jobs(session, actor, rows))
    ))  # fmt: skip
    loader.rows[row.id] = row
    return loader.load(row.id)


def for_ticket(root: m.Ticket, info: ResolveInfo) -> Any:
    return _load(info, "ticket", root)


def for_job(root: m.Job, info: ResolveInfo) -> Any:
    return _load(info, "job", root)
