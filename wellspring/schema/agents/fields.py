"""The dealer lists: Agents, AgentOrders, TerritoryConflicts, PriceStandards (relay
connections with keyset cursors; each a domain call that scopes the rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.agents import dealers, orders, prices, territory
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from ..masterdata.common import optional_id
from ..org.types import Agent
from .types import AgentOrder, PriceStandard, TerritoryConflict

AGENT_RELATIONS: Relations = {
    "branch": (m.Branch, "branch_id", {}),
    "parentAgent": (m.Agent, "parent_agent_id", {}),
}
ORDER_RELATIONS: Relations = {"agent": (m.Agent, "agent_id", {})}


class DealerLists(graphene.ObjectType):
    agents = graphene.Field(
        graphene.NonNull(connection_for(Agent)),
        search=graphene.String(description="Name, code or contact phone."),
        description="Dealers with level, territory and credit: HQ all, a clerk its branch's, "
        "an agent itself and its sub-distributors.",
        **connection_args(),
    )
    agent_orders = graphene.Field(
        graphene.NonNull(connection_for(AgentOrder)),
        agent_id=graphene.ID(),
        status=graphene.Argument(enums.AgentOrderStatus),
        description="Agents' purchase orders from HQ, newest first: HQ all, an agent its own.",
        **connection_args(),
    )
    territory_conflicts = graphene.Field(
        graphene.NonNull(connection_for(TerritoryConflict)),
        agent_id=graphene.ID(),
        description="Agents' requests refused for reaching outside their territory, newest "
        "first (HQ).",
        **connection_args(),
    )
    price_standards = graphene.Field(
        graphene.NonNull(connection_for(PriceStandard)),
        kind=graphene.Argument(enums.PriceKind),
        province=graphene.String(),
        on=graphene.Date(description="Only those holding on this day."),
        description="Price standards (价格标准) in force or planned, newest period first.",
        **connection_args(),
    )

    @staticmethod
    async def resolve_agents(
        _root: Any,
        info: ResolveInfo,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await dealers.agents_page(
            info.context.session, actor, search=search, first=first, after=after
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, AGENT_RELATIONS)
        return page

    @staticmethod
    async def resolve_agent_orders(
        _root: Any,
        info: ResolveInfo,
        agent_id: str | None = None,
        status: Any = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await orders.orders_page(
            info.context.session,
            actor,
            agent_id=optional_id(agent_id, "Agent", "agentId"),
            status=e.AgentOrderStatus(status) if status else None,
            first=first,
            after=after,
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, ORDER_RELATIONS)
        return page

    @staticmethod
    async def resolve_territory_conflicts(
        _root: Any,
        info: ResolveInfo,
        agent_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        return await territory.conflicts_page(
            info.context.session,
            actor,
            agent_id=optional_id(agent_id, "Agent", "agentId"),
            first=first,
            after=after,
        )

    @staticmethod
    async def resolve_price_standards(
        _root: Any,
        info: ResolveInfo,
        kind: Any = None,
        province: str | None = None,
        on: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        return await prices.price_standards_page(
            info.context.session,
            actor,
            kind=e.PriceKind(kind) if kind else None,
            province=province,
            on=on,
            first=first,
            after=after,
        )
