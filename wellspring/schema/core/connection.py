"""Relay connections built from a domain ``Page``: edges, pageInfo and a lazy totalCount."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import graphene
from graphene import relay

from wellspring.domain.pagination import COUNT_LIMIT, MAX_PAGE_SIZE, Page, SortKey

from .related import LATER, Computed, Element

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

    # Each field worked out from the page alone (``Computed``, or the page's own attributes),
    # so that the short path answers a whole connection in one go (``fused_rows.py``).
    def edges(page: Page[Any], _request: Any) -> list[tuple[Any, str]]:
        return list(zip(page.items, page.cursors, strict=True))

    def nodes(page: Page[Any], _request: Any) -> list[Any]:
        return page.items

    # The count at once when the page read it with its rows (the common case), else LATER:
    # the ordinary path then awaits it.
    def total_count(page: Page[Any], _request: Any) -> Any:
        known = page.counted_total()
        return LATER if known is None else known[0]

    def total_count_exact(page: Page[Any], _request: Any) -> Any:
        known = page.counted_total()
        return LATER if known is None else known[1]

    async def count_later(page: Page[Any], _info: Any) -> int:
        return await page.total_count()

    async def exact_later(page: Page[Any], _info: Any) -> bool:
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
            "resolve_edges": Computed(edges),
            "resolve_nodes": Computed(nodes),
            # pageInfo: graphene's default resolver reads the page's ``page_info``, the page
            "resolve_total_count": Computed(total_count, later=count_later),
            "resolve_total_count_exact": Computed(total_count_exact, later=exact_later),
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
