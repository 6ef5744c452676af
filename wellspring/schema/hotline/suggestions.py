"""``suggestedArticles`` on Ticket and Job (declared lazily: tickets and articles refer to
each other's modules)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.hotline import suggestions

from ..core.context import require_actor


def suggested_articles_field() -> graphene.NonNull:
    return graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.hotline.types.Article")),
        description="Knowledge-base articles for the device's model and the fault (at most 5).",
    )


async def for_ticket(root: m.Ticket, info: ResolveInfo) -> Any:
    actor = require_actor(info)
    return await suggestions.suggested_for_ticket(info.context.session, actor, root)


async def for_job(root: m.Job, info: ResolveInfo) -> Any:
    actor = require_actor(info)
    return await suggestions.suggested_for_job(info.context.session, actor, root)
