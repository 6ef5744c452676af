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
``__call__`` would (for a leaf, once per request: its answer depends on the actor alone).
A list, whoever resolved it, is completed by ``list_values.py`` when its items allow. Any
other field (a resolver of ours, a row not yet loaded, or a middleware in use) takes the
ordinary path. Which fields these are is found once per schema
(``short_fields.py``); how each field of a selection is answered, once per request and
selection (a page repeats one selection on every row).
"""

from __future__ import annotations

from asyncio import gather
from typing import Any

from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined, inspect
from graphql.pyutils import is_awaitable as default_is_awaitable

from .list_values import SKIP as LIST_SKIP
from .list_values import complete_list
from .related import Computed
from .short_fields import direct_fields, linked_fields, plain_fields, row_models

_SKIP: Any = object()  # not answerable on the short path: take the ordinary one
_ORDINARY, _PLAIN, _DIRECT, _LINKED = range(4)  # how a field of a selection is answered
_ATTRIBUTE, _INDEX, _COMPUTED = range(3)  # how a quick leaf reads its value


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple})
Fields = dict[str, list[FieldNode]]  # a sub-selection, as graphql-core collects it


def is_awaitable(value: Any) -> bool:
    """graphql-core's check, skipped for the values most fields return."""
    return type(value) not in _PLAIN_TYPES and default_is_awaitable(value)


def execution_context(schema: GraphQLSchema) -> type[ExecutionContext]:
    """An execution context class for ``schema`` with the short path."""
    plain = plain_fields(schema)
    linked = linked_fields(schema)
    direct = direct_fields(schema)
    models = row_models(schema)

    def read(source: Any, attribute: str | int) -> Any:
        if isinstance(attribute, int):
            return source[attribute]
        return (
            source.get(attribute) if isinstance(source, dict) else getattr(source, attribute, None)
        )

    class ShortPathContext(ExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # (id(parent type), id(selection)) -> (selection, its plan): see ``_plan``.
            self._plans: dict[tuple[int, int], tuple[Any, list[Any]]] = {}

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
                if isinstance(attribute, Computed):
                    value = attribute.compute(source, self.context_value)
                else:
                    value = read(source, attribute)
                if isinstance(value, Exception):
                    raise value
                if node is not None:
                    if value is None:  # as graphene would have it, without the short path
                        return _SKIP
                    value = node(parent_type.name, value)
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
            sub: Fields | None = None,
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
            return self._complete(field_def, object_type, row, field_nodes, path, sub)

        def _direct(
            self,
            field_def: GraphQLField,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
            sub: Fields | None = None,
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
            return self._complete(field_def, object_type, value, field_nodes, path, sub)

        def _complete(
            self,
            field_def: GraphQLField,
            object_type: GraphQLObjectType,
            row: Any,
            field_nodes: list[FieldNode],
            path: Path,
            sub: Fields | None = None,
        ) -> Any:
            """``row``'s sub-selection (``sub`` when the plan found it already), with
            graphql-core's error handling for the field."""
            try:
                if sub is None:
                    sub = self.collect_subfields(object_type, field_nodes)
                completed = self.execute_fields(object_type, row, path, sub)
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

        def complete_list_value(
            self,
            return_type: GraphQLList[GraphQLOutputType],
            field_nodes: list[FieldNode],
            info: GraphQLResolveInfo,
            path: Path,
            result: Any,
        ) -> Any:
            completed = complete_list(self, return_type, field_nodes, path, result, models)
            if completed is LIST_SKIP:
                return super().complete_list_value(return_type, field_nodes, info, path, result)
            return completed

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

        def _plan(
            self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
        ) -> list[tuple[str, list[FieldNode], GraphQLField, int, Any, Fields | None]]:
            """Each field's definition and how it is answered, found once per selection: a
            page repeats the same selection on every row. ``fields`` is graphql-core's
            memoized sub-selection, held by the plan, so its id cannot be reused while the
            plan lives (a plan lives for one request, so for one actor). A leaf this actor
            may read also gets what its quick read needs, and a field of an object type its
            sub-selection (the same for every row)."""
            key = (id(parent_type), id(fields))
            known = self._plans.get(key)
            if known is not None and known[0] is fields:
                return known[1]
            plan = []
            for response_name, field_nodes in fields.items():
                field_def = get_field_def(self.schema, parent_type, field_nodes[0])
                if field_def is None:
                    continue  # graphql-core leaves out an unknown field too
                kind, quick, sub = _ORDINARY, None, None
                if not self.middleware_manager:
                    if id(field_def) in plain:
                        kind = _PLAIN
                        attribute, leaf, _non_null, _name, node, guard = plain[id(field_def)]
                        # A guard's answer depends on the actor alone, fixed for the request:
                        # a field it allows is read as an unguarded one.
                        if guard is None or guard.allows(self.context_value.actor):
                            if isinstance(attribute, Computed):
                                read_by = _COMPUTED
                            else:
                                read_by = _ATTRIBUTE if isinstance(attribute, str) else _INDEX
                            quick = (attribute, leaf.serialize, node, read_by)
                    elif id(field_def) in direct:
                        kind = _DIRECT
                        sub = self.collect_subfields(direct[id(field_def)][1], field_nodes)
                    elif id(field_def) in linked:
                        kind = _LINKED
                        sub = self.collect_subfields(linked[id(field_def)][1], field_nodes)
                plan.append((response_name, field_nodes, field_def, kind, quick, sub))
            self._plans[key] = (fields, plan)
            return plan

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
            type_name = parent_type.name
            by_key = isinstance(source_value, dict)
            plan = self._plan(parent_type, fields)
            for response_name, field_nodes, field_def, kind, quick, sub in plan:
                if quick is not None and not by_key:
                    # The common leaf: a value read and serialized. Anything else (a null, an
                    # error, a failed read or serialization) takes ``_plain``, which reads it
                    # again for graphql's handling.
                    attribute, serialize, node, read_by = quick
                    try:
                        if read_by == _ATTRIBUTE:
                            value = getattr(source_value, attribute, None)
                        elif read_by == _INDEX:
                            value = source_value[attribute]
                        else:
                            value = attribute.compute(source_value, self.context_value)
                        if (
                            value is not None
                            and value is not Undefined
                            and not isinstance(value, Exception)
                        ):
                            if node is not None:
                                value = node(type_name, value)
                            serialized = serialize(value)
                            if serialized is not None and serialized is not Undefined:
                                results[response_name] = serialized
                                continue
                    except Exception:  # noqa: S110 - answered again by _plain
                        pass
                field_path = Path(path, response_name, type_name)
                if kind == _PLAIN:
                    result = self._plain(
                        field_def, parent_type, source_value, field_nodes, field_path
                    )
                elif kind == _DIRECT:
                    result = self._direct(field_def, source_value, field_nodes, field_path, sub)
                elif kind == _LINKED:
                    result = self._linked(field_def, source_value, field_nodes, field_path, sub)
                else:
                    result = _SKIP
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
