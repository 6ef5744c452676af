"""Plain attribute fields answered without graphql-core's per-field machinery (issue 19 §3).

Most fields of a page are a model attribute served as a scalar or enum (``number``,
``status``, ``createdAt`` ...). graphql-core builds a ``GraphQLResolveInfo``, reads the
arguments and walks ``complete_value`` for each of them: on a page of 50 tickets that is most
of the execution time. For a field whose resolver is graphene's default attribute resolver,
which takes no arguments and returns a leaf type (and for a relay ``id`` around it), the
execution context below reads the attribute and serializes it directly, with graphql-core's
own null and error handling. Any
other field (a resolver of ours, a field guard of ``field_guard.py``, an object or a list)
takes the ordinary path.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from graphene.relay.node import GlobalID
from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined, inspect
from graphql.pyutils import is_awaitable as default_is_awaitable

# id(field definition) -> (attribute, leaf type, non-null, "Type.field", relay node or None)
Plain = dict[int, tuple[str, GraphQLLeafType, bool, str, Any]]


def _attribute(resolve: Any) -> str | None:
    """The attribute graphene's default resolver reads, or None for any other resolver."""
    if (
        isinstance(resolve, partial)
        and resolve.func is dict_or_attr_resolver
        and len(resolve.args) == 2
        and resolve.args[1] is None
        and not resolve.keywords
    ):
        return str(resolve.args[0])
    return None


def plain_fields(schema: GraphQLSchema) -> Plain:
    found: Plain = {}
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            resolve, node = field.resolve, None
            # A relay ``id``: graphene's GlobalID resolver around the default one.
            if (
                isinstance(resolve, partial)
                and resolve.func is GlobalID.id_resolver
                and len(resolve.args) == 2
                and resolve.keywords == {"parent_type_name": None}
            ):
                resolve, node = resolve.args
            attribute = _attribute(resolve)
            non_null = isinstance(field.type, GraphQLNonNull)
            leaf = field.type.of_type if non_null else field.type
            if attribute is None or field.args or not is_leaf_type(leaf):
                continue
            found[id(field)] = (attribute, leaf, non_null, f"{type_name}.{field_name}", node)
    return found


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple})


def is_awaitable(value: Any) -> bool:
    """graphql-core's check, skipped for the values most fields return."""
    return type(value) not in _PLAIN_TYPES and default_is_awaitable(value)


def execution_context(schema: GraphQLSchema) -> type[ExecutionContext]:
    """An execution context class for ``schema`` with the plain fields' short path."""
    plain = plain_fields(schema)

    class PlainFieldsContext(ExecutionContext):
        def execute_field(
            self,
            parent_type: GraphQLObjectType,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            known = plain.get(id(field_def)) if field_def is not None else None
            if known is None or self.middleware_manager:
                return super().execute_field(parent_type, source, field_nodes, path)
            attribute, leaf, non_null, name, node = known
            try:
                value = (
                    source.get(attribute)
                    if isinstance(source, dict)
                    else getattr(source, attribute, None)
                )
                if isinstance(value, Exception):
                    raise value
                if node is not None:
                    if value is None:  # as graphene would have it, without the short path
                        return super().execute_field(parent_type, source, field_nodes, path)
                    value = node.to_global_id(parent_type.name, value)
                if value is None or value is Undefined:
                    if non_null:
                        raise TypeError(f"Cannot return null for non-nullable field {name}.")
                    return None
                serialized = leaf.serialize(value)
                if serialized is Undefined or serialized is None:
                    raise TypeError(
                        f"Expected `{inspect(leaf)}.serialize({inspect(value)})`"
                        f" to return non-nullable value, returned: {inspect(serialized)}"
                    )
                return serialized
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, path.as_list())
                self.handle_field_error(error, field_def.type, path)
                return None

    return PlainFieldsContext
