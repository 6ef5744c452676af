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
- a to-one relation resolved by ``related.Related`` whose row this request already
  knows (a connection's prefetch): its sub-selection is executed on that row at once.

A field guard (``field_guard.FieldGuard``) around either is checked first, exactly as its
``__call__`` would (for a leaf, once per plan: its answer depends on the actor's role alone).
A list, whoever resolved it, is completed by ``list_values.py`` when its items allow. Any
other field (a resolver of ours, a row not yet loaded, or a middleware in use) takes the
ordinary path. Which fields these are is found once per schema
(``short_fields.py``); how each field of a selection is answered, once per document, role
and selection (``shared_plans.py``; a page repeats one selection on every row).
"""

from __future__ import annotations

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

from .awaiting import fields_awaited, root_fields
from .field_guard import FieldGuard
from .fused_rows import ABANDONED, answer_row
from .list_values import SKIP as LIST_SKIP
from .list_values import any_items, complete_list
from .related import LATER, Computed
from .selection_plans import ATTRIBUTE, DIRECT, INDEX, LINKED, LIST, PLAIN, Fields, Plan, make_plan
from .shared_plans import SharedPlans
from .short_fields import direct_fields, linked_fields, list_fields, plain_fields, row_models

_SKIP: Any = object()  # not answerable on the short path: take the ordinary one


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple})


def is_awaitable(value: Any) -> bool:
    """graphql-core's check, skipped for the values most fields return."""
    return type(value) not in _PLAIN_TYPES and default_is_awaitable(value)


def execution_context(schema: GraphQLSchema) -> type[ExecutionContext]:
    """An execution context class for ``schema`` with the short path."""
    plain = plain_fields(schema)
    linked = linked_fields(schema)
    direct = direct_fields(schema)
    lists = list_fields(schema)
    models = row_models(schema)
    shared = SharedPlans()

    def read(source: Any, attribute: str | int) -> Any:
        if isinstance(attribute, int):
            return source[attribute]
        return (
            source.get(attribute) if isinstance(source, dict) else getattr(source, attribute, None)
        )

    class ShortPathContext(ExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # (id(parent type), id(selection)) -> the selection and its plan: see ``plan_of``.
            self._plans: dict[tuple[int, int], tuple[Fields, Plan]] = {}

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

        def _read(self, guard: FieldGuard | None, attribute: Any, source: Any) -> Any:
            """A leaf's or a list's value, after its guard: read, or worked out."""
            if guard is not None:
                guard.check(self.context_value.actor)
            if isinstance(attribute, Computed):
                return attribute.compute(source, self.context_value)
            return read(source, attribute)

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
                value = self._read(guard, attribute, source)
                if isinstance(value, Exception):
                    if value is LATER:  # not known yet: the ordinary path resolves it
                        return _SKIP
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
            related, object_type, guard, non_null = linked[id(field_def)]
            loaders = getattr(self.context_value, "loaders", None)
            if loaders is None:
                return _SKIP
            try:
                if guard is not None:
                    guard.check(self.context_value.actor)
                id_ = getattr(source, related.attribute)
                if id_ is None:
                    return _SKIP if non_null else None
                known = loaders.known(related.model)
                if id_ in known:
                    row = known[id_]
                else:
                    # A row read with the page as the columns this selection reads
                    # (``read_columns.py``), or not loaded yet: the DataLoader, on the
                    # ordinary path.
                    if sub is None:
                        sub = self.collect_subfields(object_type, field_nodes)
                    columns = self.plan_of(object_type, sub).columns
                    row = loaders.partial_row(related.model, id_, columns)
                    if row is None:
                        return _SKIP
                if row is None:  # not visible to this actor: as if missing
                    return _SKIP if non_null else None  # graphql-core's error for a non-null
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

        def _list(
            self,
            field_def: GraphQLField,
            source: Any,
            field_nodes: list[FieldNode],
            path: Path,
        ) -> Any:
            """A list read as a leaf is, its items completed by ``list_values.py``; anything
            it does not take (a null, an error, an awaitable) takes the ordinary path."""
            attribute, list_type, _non_null, guard = lists[id(field_def)]
            try:
                value = self._read(guard, attribute, source)
                completed = complete_list(self, list_type, field_nodes, path, value, models)
            except Exception as raw_error:
                self._failed(raw_error, field_def, field_nodes, path)
                return None
            if completed is LIST_SKIP or not self.is_awaitable(completed):
                return _SKIP if completed is LIST_SKIP else completed
            return self._awaited(completed, field_def, field_nodes, path)

        def _awaited(
            self, completed: Any, field_def: GraphQLField, field_nodes: list[FieldNode], path: Path
        ) -> Any:
            async def await_completed() -> Any:
                try:
                    return await completed
                except Exception as raw_error:
                    self._failed(raw_error, field_def, field_nodes, path)
                    return None

            return await_completed()

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
            return self._awaited(completed, field_def, field_nodes, path)

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
            if completed is not LIST_SKIP:
                return completed
            if type(result) in (list, tuple):
                return any_items(self, return_type, field_nodes, info, path, result)
            return super().complete_list_value(return_type, field_nodes, info, path, result)

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

        def plan_of(self, parent_type: GraphQLObjectType, fields: Fields) -> Plan:
            """The plan of a selection (``selection_plans.py``): found once per request, made
            once per document, role and selection (``shared_plans.py``)."""
            key = (id(parent_type), id(fields))
            known = self._plans.get(key)
            if known is not None and known[0] is fields:
                return known[1]
            kept = shared.key(self, parent_type, fields)
            plan = None if kept is None else shared.get(kept)
            if plan is None:
                plan = make_plan(self, parent_type, fields, plain, direct, linked, lists, models)
                if kept is not None:
                    shared.put(kept, plan)
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
            for its leaves. The root fields (path is None there) keep graphql-core's ordinary
            path; both await one awaitable field in place (``awaiting.py``)."""
            if path is None:
                return root_fields(self, parent_type, source_value, fields)
            plan = self.plan_of(parent_type, fields)
            if plan.program is not None:
                answer = answer_row(self, plan, source_value)
                if answer is not ABANDONED:
                    return answer
            results: dict[str, Any] = {}
            by_key = isinstance(source_value, dict)
            awaitable_fields: list[str] = []
            check = self.is_awaitable
            ordinary = super().execute_field
            type_name = parent_type.name
            for response_name, field_nodes, field_def, kind, quick, sub in plan.entries:
                if quick is not None and not by_key:
                    # The common leaf: a value read and serialized. Anything else (a null, an
                    # error, a failed read or serialization) takes ``_plain``, which reads it
                    # again for graphql's handling.
                    attribute, serialize, node, read_by = quick
                    try:
                        if read_by == ATTRIBUTE:
                            value = getattr(source_value, attribute, None)
                        elif read_by == INDEX:
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
                if kind == PLAIN:
                    result = self._plain(
                        field_def, parent_type, source_value, field_nodes, field_path
                    )
                elif kind == DIRECT:
                    result = self._direct(field_def, source_value, field_nodes, field_path, sub)
                elif kind == LINKED:
                    result = self._linked(field_def, source_value, field_nodes, field_path, sub)
                elif kind == LIST:
                    result = self._list(field_def, source_value, field_nodes, field_path)
                else:
                    result = _SKIP
                if result is _SKIP:
                    result = ordinary(parent_type, source_value, field_nodes, field_path)
                    if result is Undefined:
                        continue
                results[response_name] = result
                if type(result) not in _PLAIN_TYPES and check(result):
                    awaitable_fields.append(response_name)
            return fields_awaited(results, awaitable_fields) if awaitable_fields else results

    ShortPathContext.shared_plans = shared  # type: ignore[attr-defined]  # seen by tests
    return ShortPathContext
