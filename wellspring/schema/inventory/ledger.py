"""The stockLedger list: a warehouse's ledger entries, newest first (a thin door onto
``domain/inventory/queries.ledger``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.inventory import queries as inventory_queries

from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.ids import parse_global_id
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from ..masterdata.common import optional_id
from .types import StockEntry

RELATIONS: Relations = {
    "part": (m.Part, "part_id", {}),
    "warehouse": (m.Warehouse, "warehouse_id", {}),
}


class StockLedgerQueries(graphene.ObjectType):
    stock_ledger = graphene.Field(
        graphene.NonNull(connection_for(StockEntry)),
        warehouse_id=graphene.ID(required=True),
        part_id=graphene.ID(description="Only this part's entries."),
        description="A warehouse's ledger entries, newest first (quantities, never costs): "
        "HQ any, a clerk their branch's, an agent its own warehouse.",
        **connection_args(),
    )

    @staticmethod
    async def resolve_stock_ledger(
        _root: Any,
        info: ResolveInfo,
        warehouse_id: str,
        part_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await inventory_queries.ledger(
            info.context.session,
            actor,
            warehouse_id=parse_global_id(warehouse_id, "Warehouse", field="warehouseId"),
            part_id=optional_id(part_id, "Part", "partId"),
            first=first,
            after=after,
        )
        await prefetch(
            info.context.loaders, page.items, connection_nodes(selection_tree(info)), RELATIONS
        )
        return page
