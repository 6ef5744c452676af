"""Root query fields of the stock: a warehouse's balances, an engineer's van, warehouses,
parts, safety-stock suggestions and the stock reports."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain import queries
from wellspring.domain.inventory import queries as inventory_queries
from wellspring.domain.inventory import reports as inventory_reports

from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.ids import parse_global_id
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from .types import ConsumptionRow, Part, StockBalance, StockSuggestion, Warehouse, WarehouseValue

STOCK_RELATIONS: Relations = {
    "part": (m.Part, "part_id", {}),
    "warehouse": (m.Warehouse, "warehouse_id", {}),
}


class StockQueries(graphene.ObjectType):
    stock = graphene.Field(
        graphene.NonNull(connection_for(StockBalance)),
        warehouse_id=graphene.ID(required=True),
        description="A warehouse's stock by part and bin, with safety stock.",
        **connection_args(),
    )
    my_van_stock = graphene.NonNull(
        graphene.List(graphene.NonNull(StockBalance)), description="Engineers: their van."
    )
    warehouses = graphene.NonNull(graphene.List(graphene.NonNull(Warehouse)))
    stock_suggestions = graphene.NonNull(
        graphene.List(graphene.NonNull(StockSuggestion)),
        description="Balances under their safety stock, with a transfer or purchase to make.",
    )
    consumption_report = graphene.NonNull(
        graphene.List(graphene.NonNull(ConsumptionRow)),
        month=graphene.String(required=True, description="YYYY-MM, Asia/Shanghai."),
        description="Parts consumed on jobs by part, branch and device model (net of reversals).",
    )
    stock_value = graphene.NonNull(
        graphene.List(graphene.NonNull(WarehouseValue)), description="Good stock at cost."
    )
    parts = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(Part))),
        is_active=graphene.Boolean(
            description="Only active (true) or deactivated (false) ones; every one when omitted."
        ),
    )

    @staticmethod
    async def resolve_stock(
        _root: Any,
        info: ResolveInfo,
        warehouse_id: str,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await inventory_queries.stock(
            info.context.session,
            actor,
            warehouse_id=parse_global_id(warehouse_id, "Warehouse", field="warehouseId"),
            first=first,
            after=after,
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, STOCK_RELATIONS)
        return page

    @staticmethod
    async def resolve_my_van_stock(_root: Any, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        rows = await inventory_queries.my_van(info.context.session, actor)
        await prefetch(info.context.loaders, rows, selection_tree(info), STOCK_RELATIONS)
        return rows

    @staticmethod
    async def resolve_stock_suggestions(_root: Any, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        return await inventory_queries.suggestions(info.context.session, actor)

    @staticmethod
    async def resolve_consumption_report(_root: Any, info: ResolveInfo, month: Any) -> Any:
        actor = require_actor(info)
        return await inventory_reports.consumption(info.context.session, actor, month=month)

    @staticmethod
    async def resolve_stock_value(_root: Any, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        return await inventory_reports.stock_value(info.context.session, actor)

    @staticmethod
    async def resolve_warehouses(_root: Any, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        return await queries.listed(info.context.session, actor, m.Warehouse, m.Warehouse.code)

    @staticmethod
    async def resolve_parts(_root: Any, info: ResolveInfo, is_active: bool | None = None) -> Any:
        actor = require_actor(info)
        return await queries.listed(
            info.context.session, actor, m.Part, m.Part.sku, is_active=is_active
        )
