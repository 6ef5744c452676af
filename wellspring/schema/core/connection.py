"""Relay connections built from a domain ``Page``: edges, pageInfo and a lazy totalCount."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import graphene
from graphene import relay

from wellspring.domain.pagination import COUNT_LIMIT, MAX_PAGE_SIZE, Page, SortKey

from .related import Element

_made: dict[str, type[graphene.ObjectType]] = {}


def connection_args() -> dict[str, Any]:
    return {
        "first": graphene.Int(description=f"Page size, 1 to {MAX_PAGE_SIZE} (default 20)."),
        "after": graphene.String(description="The endCursor of the previous page."),
    }


def connection_for(node_type: type[graphene.ObjectType]) -> type[graphene.ObjectType]:
    """``<Type>Connection`` with ``edges {cursor node}``, ``pageInfo`` and ``totalCount``."""
    name = node_type._meta.name
    if name in _made:
        return _made[name]

    edge_type = type(
        f"{name}Edge",
        (graphene.ObjectType,),
        {
            "node": graphene.Field(node_type, required=True),
            "cursor": graphene.String(required=True),
            # an edge is (row, cursor)
            "resolve_node": Element(0),
            "resolve_cursor": Element(1),
        },
    )

    def resolve_edges(page: Page[Any], _info: Any) -> list[tuple[Any, str]]:
        return list(zip(page.items, page.cursors, strict=True))

    def resolve_nodes(page: Page[Any], _info: Any) -> list[Any]:
        return page.items

    def resolve_page_info(page: Page[Any], _info: Any) -> relay.PageInfo:
        return relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        )

    async def resolve_total_count(page: Page[Any], _info: Any) -> int:
        return await page.total_count()

    async def resolve_total_count_exact(page: Page[Any], _info: Any) -> bool:
        return await page.total_count_exact()

    connection = type(
        f"{name}Connection",
        (graphene.ObjectType,),
        {
            "edges": graphene.NonNull(graphene.List(graphene.NonNull(edge_type))),
            "nodes": graphene.NonNull(graphene.List(graphene.NonNull(node_type))),
            "page_info": graphene.Field(relay.PageInfo, required=True),
            "total_count": graphene.Int(
                required=True,
                description=f"How many items the list holds with its filters, counted up to "
                f"{COUNT_LIMIT:,}; beyond that it says {COUNT_LIMIT:,} and totalCountExact is "
                "false.",
            ),
            "total_count_exact": graphene.Boolean(
                required=True,
                description=f"False when the list holds more than {COUNT_LIMIT:,} items "
                "(totalCount then stops there).",
            ),
            "resolve_edges": staticmethod(resolve_edges),
            "resolve_nodes": staticmethod(resolve_nodes),
            "resolve_page_info": staticmethod(resolve_page_info),
            "resolve_total_count": staticmethod(resolve_total_count),
            "resolve_total_count_exact": staticmethod(resolve_total_count_exact),
        },
    )
    _made[name] = connection
    return connection


def nested_connection(node_type: str, description: str) -> graphene.Field:
    """A ``<Type>Connection`` field under an object, the node type named by import path.

    Nested types import each other (a device's tickets, a ticket's device), so the connection
    is built when the schema is, not when the module is imported.
    """

    def connection() -> type[graphene.ObjectType]:
        module, _, name = node_type.rpartition(".")
        return connection_for(getattr(importlib.import_module(module), name))

    return graphene.Field(
        graphene.NonNull(connection), description=description, **connection_args()
    )


async def load_child_page(
    info: Any,
    model: type[Any],
    parent_column: Any,
    parent_id: str,
    order: Sequence[SortKey],
    first: int | None,
    after: str | None,
) -> Page[Any]:
    """The parent's page, batched with its siblings' (see ``domain.child_pages``)."""

    def row_key(row: Any) -> list[Any]:
        return [getattr(row, key.column.key) for key in order]

    loader = info.context.loaders.child_page(model, parent_column, order, row_key, first, after)
    page: Page[Any] = await loader.load(parent_id)
    return page
