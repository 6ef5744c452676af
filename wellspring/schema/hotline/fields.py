"""CallbacksDue and Articles: the hotline's lists."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.hotline import articles, missed_calls

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from ..masterdata.common import optional_id
from .types import Article, MissedCall

CALL_RELATIONS: Relations = {"customer": (m.Customer, "customer_id", {})}


class HotlineQueries(graphene.ObjectType):
    callbacks_due = graphene.Field(
        graphene.NonNull(connection_for(MissedCall)),
        order=graphene.Argument(
            enums.CallbackOrder, default_value=missed_calls.CallbackOrder.NEWEST.value
        ),
        description="Missed calls waiting for a call back (呼损回拨), with the matched customer.",
        **connection_args(),
    )
    articles = graphene.Field(
        graphene.NonNull(connection_for(Article)),
        search=graphene.String(
            description="Words or Chinese text (two characters or more), in either language."
        ),
        model_id=graphene.ID(description="Articles for this device model."),
        fault_code=graphene.String(description="Articles for this fault code."),
        description="Knowledge-base articles (知识库), newest first.",
        **connection_args(),
    )

    @staticmethod
    async def resolve_callbacks_due(
        _root: Any,
        info: ResolveInfo,
        first: int | None = None,
        after: str | None = None,
        order: Any = None,
    ) -> Any:
        actor = require_actor(info)
        page = await missed_calls.callbacks_due(
            info.context.session,
            actor,
            order=missed_calls.CallbackOrder(order or missed_calls.CallbackOrder.NEWEST),
            first=first,
            after=after,
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, CALL_RELATIONS)
        return page

    @staticmethod
    async def resolve_articles(
        _root: Any,
        info: ResolveInfo,
        search: str | None = None,
        model_id: str | None = None,
        fault_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        return await articles.articles_page(
            info.context.session,
            actor,
            search_text=search,
            model_id=optional_id(model_id, "DeviceModel", "modelId"),
            fault_code=(fault_code or "")[:16] or None,
            first=first,
            after=after,
        )
