"""A request context for executing the schema in a test without the app: an actor of a
role and the rows the request already knows (``Loaders.known``), as the short path of
``schema/core/plain_fields.py`` reads them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from graphql import DocumentNode, ExecutionContext, GraphQLSchema, execute

from wellspring.domain.models.enums import Role
from wellspring.schema.core.related import LATER

NOW = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)


class _Actor:
    def __init__(self, role: Role) -> None:
        self.role = role


class Loaders:
    """Rows this request already knows (None: not visible); an unknown id is not loaded.
    Display names likewise: ``names`` were read already, ``later`` are read on demand (as
    the DataLoader would, but at once), and any other is missing."""

    def __init__(
        self,
        rows: dict[type[Any], dict[str, Any]],
        names: dict[str, Any] | None = None,
        later: dict[str, Any] | None = None,
    ) -> None:
        self.rows: defaultdict[type[Any], dict[str, Any]] = defaultdict(dict, rows)
        self.partial_rows: defaultdict[type[Any], dict[str, Any]] = defaultdict(dict)
        self.names, self.later = names or {}, later or {}

    def display_name_known(self, user_id: str | None) -> Any:
        if user_id is None:
            return None
        return self.names.get(user_id, LATER)

    def display_name(self, user_id: str | None) -> Any:
        if user_id is None:
            return None
        if user_id not in self.later:
            raise LookupError(f"user {user_id} has no name")
        return self.later[user_id]

    def known(self, model: type[Any]) -> dict[str, Any]:
        return self.rows.setdefault(model, {})

    def partial_row(self, _model: type[Any], _id: str, _columns: Any) -> Any:
        return None  # no row read as some columns only (``Loaders.partial_row``)

    def load(self, model: type[Any], id_: str | None) -> Any:
        if id_ is None:
            return None
        if id_ not in self.known(model):
            raise LookupError(f"{model.__name__} {id_} was not loaded")
        return self.known(model)[id_]


class Context:
    def __init__(
        self, role: Role, rows: dict[type[Any], dict[str, Any]], **names: dict[str, Any]
    ) -> None:
        self.actor, self.loaders, self.now = _Actor(role), Loaders(rows, **names), NOW


def execute_with(
    schema: GraphQLSchema,
    document: DocumentNode,
    field: str,
    resolve: Any,
    context: Context,
    context_class: type[ExecutionContext],
) -> tuple[Any, list[tuple[str, tuple[Any, ...]]]]:
    """``document`` executed with the root query ``field`` resolved by ``resolve``: its data
    and its errors as sorted (message, path) pairs, to compare two execution contexts."""
    from wellspring.schema.core.plain_fields import is_awaitable

    assert schema.query_type is not None
    definition = schema.query_type.fields[field]
    kept, definition.resolve = definition.resolve, resolve
    try:
        result = execute(
            schema,
            document,
            context_value=context,
            execution_context_class=context_class,
            is_awaitable=is_awaitable,
        )
    finally:
        definition.resolve = kept
    assert not is_awaitable(result)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or ())  # type: ignore[union-attr]
    return result.data, errors  # type: ignore[union-attr]
