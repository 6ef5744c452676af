"""Plain fields answered without graphql-core's per-field machinery (issue 19 §3).

Most fields of a page are a model attribute served as a scalar or enum (``number``,
``status``, ``createdAt`` ...). graphql-core builds a ``GraphQLResolveInfo``, reads the
arguments and walks ``complete_value`` for each of them: on a page of 50 tickets that is most
of the execution time. The execution context below answers three kinds of field directly, with
graphql-core's own null and error handling:

- a leaf read by graphene's default attribute resolver or ``related.Element`` (a
  connection edge's cursor), taking no arguments (and a relay ``id`` around it): the value
  is read and serialized;
- an object read the same way (an edge's node), when the type would accept it: its
  sub-selection is executed on it at once;
- a nullable to-one relation resolved by ``related.Related`` whose row this request already
  knows (a connection's prefetch): its sub-selection is executed on that row at once.

A field guard (``field_guard.FieldGuard``) around either is checked first, exactly as its
``__call__`` would. Any other field (a resolver of ours, a list, a row not yet loaded, or a
middleware in use) takes the ordinary path.
"""

from __future__ import annotations

from asyncio import gather
from functools import partial
from typing import Any

from graphene.relay.node import GlobalID
from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLField,
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

from .field_guard import FieldGuard
from .node import ModelObjectType
from .related import Element, Related

# id(field definition) -> (attribute, leaf type, non-null, "Type.field", relay node or None,
# field guard or None)
# (an attribute name, or a tuple index for ``Element``)
Plain = dict[int, tuple[str | int, GraphQLLeafType, bool, str, Any, FieldGuard | None]]
# id(field definition) -> (relation, object type, field guard or None)
Linked = dict[int, tuple[Related, GraphQLObjectType, FieldGuard | None]]
# id(field definition) -> (attribute or index, object type, non-null, model to check rows
# against or None, field guard or None)
Direct = dict[int, tuple[str | int, GraphQLObjectType, bool, Any, FieldGuard | None]]

_SKIP: Any = object()  # not answerable on the short path: take the ordinary one


def _attribute(resolve: Any) -> str | int | None:
    """The attribute graphene's default resolver reads (the index ``Element`` reads), or None
    for any other resolver."""
    if isinstance(resolve, Element):
        return resolve.index
    if (
        isinstance(resolve, partial)
        and resolve.func is dict_or_attr_resolver
        and len(resolve.args) == 2
        and resolve.args[1] is None
        and not resolve.keywords
    ):
        return str(resolve.args[0])
    return None


def _unguarded(resolve: Any) -> tuple[Any, FieldGuard | None]:
    if isinstance(resolve, FieldGuard):
        return resolve.resolve, resolve
    return resolve, None


def _fields(schema: GraphQLSchema) -> Any:
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            yield f"{type_name}.{field_name}", field


def plain_fields(schema: GraphQLSchema) -> Plain:
    found: Plain = {}
    for name, field in _fields(schema):
        resolve, guard = _unguarded(field.resolve)
        node = None
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
        found[id(field)] = (attribute, leaf, non_null, name, node, guard)
    return found


def _row_model(target: GraphQLObjectType) -> tuple[bool, Any]:
    """Whether rows can be checked for ``target`` here, and the model they must be (None:
    the type checks nothing)."""
    if target.is_type_of is None:
        return True, None
    graphene_type = getattr(target, "graphene_type", None)
    is_type_of = getattr(getattr(graphene_type, "is_type_of", None), "__func__", None)
    if is_type_of is not ModelObjectType.is_type_of.__func__:  # type: ignore[attr-defined]
        return False, None
    return True, graphene_type.model  # type: ignore[union-attr]


def direct_fields(schema: GraphQLSchema) -> Direct:
    """Objects read as plain fields read leaves, whose type checks rows as ``ModelObjectType``
    does (or not at all)."""
    found: Direct = {}
    for _name, field in _fields(schema):
        resolve, guard = _unguarded(field.resolve)
        attribute = _attribute(resolve)
        non_null = isinstance(field.type, GraphQLNonNull)
        target = field.type.of_type if non_null else field.type
        if attribute is None or field.args or not isinstance(target, GraphQLObjectType):
            continue
        checkable, model = _row_model(target)
        if checkable:
            found[id(field)] = (attribute, target, non_null, model, guard)
    return found


def linked_fields(schema: GraphQLSchema) -> Linked:
    """Nullable ``Related`` fields whose type checks rows as ``ModelObjectType`` does."""
    found: Linked = {}
    for _name, field in _fields(schema):
        resolve, guard = _unguarded(field.resolve)
        target = field.type
        if not isinstance(resolve, Related) or field.args:
            continue
        if not isinstance(target, GraphQLObjectType):  # a list, or non-null: ordinary path
            continue
        checkable, model = _row_model(target)
        if checkable and model is resolve.model:
            found[id(field)] = (resolve, target, guard)
    return found


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple})


def is_awaitable(value: Any) -> bool:
    """graphql-core's check, skipped for the values most fields return."""
    return type(value) not in _PLAIN_TYPES and default_is_awaitable(value)


def execution_context(schema: GraphQLSchema) -> type[ExecutionContext]:
    """An execution context class for ``schema`` with the short path."""
    plain = plain_fields(schema)
    linked = linked_fields(schema)
    direct = direct_fields(schema)

    def read(source: Any, attribute: str | int) -> Any:
        if isinstance(attribute, int):
            return source[attribute]
        return (
            source.get(attribute) if isinstance(source, dict) else getattr(source, attribute, None)
        )

    class ShortPathContext(ExecutionContext):
        def _failed(
            self,
            raw_error: Exception,
            field_def: GraphQLField,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> None:
            """graphql-core's handling: null, or up to the parent for a non-null field."""
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, field_def.type, path)

        def _plain(
            self,
            field_def: GraphQLField,
            parent_type: GraphQLObjectType,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            attribute, leaf, non_null, name, node, guard = plain[id(field_def)]
            try:
                if guard is not None:
                    guard.check(self.context_value.actor)
                value = read(source, attribute)
                if isinstance(value, Exception):
                    raise value
                if node is not None:
                    if value is None:  # as graphene would have it, without the short path
                        return _SKIP
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
                self._failed(raw_error, field_def, field_nodes, path)
                return None

        def _linked(
            self,
            field_def: GraphQLField,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            related, object_type, guard = linked[id(field_def)]
            loaders = getattr(self.context_value, "loaders", None)
            if loaders is None:
                return _SKIP
            try:
                if guard is not None:
                    guard.check(self.context_value.actor)
                id_ = getattr(source, related.attribute)
                if id_ is None:
                    return None
                known = loaders.known(related.model)
                if id_ not in known:
                    return _SKIP  # not loaded yet: the DataLoader, on the ordinary path
                row = known[id_]
                if row is None:  # not visible to this actor: as if missing
                    return None
                if not isinstance(row, related.model):
                    return _SKIP  # graphql-core's own error
            except Exception as raw_error:
                self._failed(raw_error, field_def, field_nodes, path)
                return None
            return self._complete(field_def, object_type, row, field_nodes, path)

        def _direct(
            self,
            field_def: GraphQLField,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            attribute, object_type, non_null, model, guard = direct[id(field_def)]
            try:
                if guard is not None:
                    guard.check(self.context_value.actor)
                value = read(source, attribute)
            except Exception as raw_error:
                self._failed(raw_error, field_def, field_nodes, path)
                return None
            if value is None:
                return _SKIP if non_null else None  # graphql-core's error for a non-null
            if model is None:
                if isinstance(value, Exception) or self.is_awaitable(value):
                    return _SKIP
            elif not isinstance(value, model):
                return _SKIP
            return self._complete(field_def, object_type, value, field_nodes, path)

        def _complete(
            self,
            field_def: GraphQLField,
            object_type: GraphQLObjectType,
            row: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            """``row``'s sub-selection, with graphql-core's error handling for the field."""
            try:
                fields = self.collect_subfields(object_type, field_nodes)
                completed = self.execute_fields(object_type, row, path, fields)
            except Exception as raw_error:
                self._failed(raw_error, field_def, field_nodes, path)
                return None
            if not self.is_awaitable(completed):
                return completed

            async def await_completed() -> Any:
                try:
                    return await completed
                except Exception as raw_error:
                    self._failed(raw_error, field_def, field_nodes, path)
                    return None

            return await_completed()

        def _short(
            self,
            field_def: GraphQLField,
            parent_type: GraphQLObjectType,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            if self.middleware_manager:
                return _SKIP
            key = id(field_def)
            if key in plain:
                return self._plain(field_def, parent_type, source, field_nodes, path)
            if key in direct:
                return self._direct(field_def, source, field_nodes, path)
            if key in linked:
                return self._linked(field_def, source, field_nodes, path)
            return _SKIP

        def execute_field(
            self,
            parent_type: GraphQLObjectType,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            if field_def is not None:
                value = self._short(field_def, parent_type, source, field_nodes, path)
                if value is not _SKIP:
                    return value
            return super().execute_field(parent_type, source, field_nodes, path)

        def execute_fields(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Path | None,
            fields: dict[str, list[FieldNode]],
        ) -> Any:
            """graphql-core's own, with the short path tried first and no awaitable check
            for its leaves. The root fields keep graphql-core's (path is None there)."""
            if path is None:
                return super().execute_fields(parent_type, source_value, path, fields)
            results: dict[str, Any] = {}
            awaitable_fields: list[str] = []
            check = self.is_awaitable
            ordinary = super().execute_field
            for response_name, field_nodes in fields.items():
                field_path = Path(path, response_name, parent_type.name)
                field_def = get_field_def(self.schema, parent_type, field_nodes[0])
                if field_def is None:
                    continue  # graphql-core leaves out an unknown field too
                result = self._short(field_def, parent_type, source_value, field_nodes, field_path)
                if result is _SKIP:
                    result = ordinary(parent_type, source_value, field_nodes, field_path)
                    if result is Undefined:
                        continue
                results[response_name] = result
                if type(result) not in _PLAIN_TYPES and check(result):
                    awaitable_fields.append(response_name)
            if not awaitable_fields:
                return results

            async def get_results() -> dict[str, Any]:
                awaited = await gather(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
                return results

            return get_results()

    return ShortPathContext
