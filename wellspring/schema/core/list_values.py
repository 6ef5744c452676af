"""Lists completed without graphql-core's per-item walk (issue 19 §3), for the short path of
``plain_fields.py``.

graphql-core completes each item of a list through ``complete_value`` twice (the non-null
wrapper, then the type), ``complete_object_value`` and a sub-selection lookup, or, for a
leaf, through the same walk to ``serialize``. A page of 50 tickets has 50 edges; a
SuggestTechnicians answer has ten suggestions with a list of skills each. Here:

- a list of leaves (an enum's or a scalar's values) is serialized item by item;
- a list of objects gets its sub-selection once and each item executed on it, with
  graphql-core's error handling at the item's path.

Only lists whose items are all present, plain values or rows the type accepts are taken:
anything else (a null item, an error, an awaitable item, a row of another type) goes to
graphql-core before any item is touched, so nothing is completed twice.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    located_error,
)
from graphql.pyutils import Path, Undefined

from .awaiting import settled

SKIP: Any = object()  # not answerable here: graphql-core's own path
# What a leaf list's items may be to be serialized here (bool and datetime are subclasses).
_LEAF_VALUES = (str, int, float, Enum, dt.date)


def complete_list(
    context: Any,
    return_type: GraphQLList[GraphQLOutputType],
    field_nodes: list[FieldNode],
    path: Path,
    result: Any,
    row_models: dict[int, Any],
) -> Any:
    """The completed list, an awaitable of it, or ``SKIP``. ``context`` is the execution
    context; ``row_models`` maps id(object type) to the model its rows must be (None: any),
    for the types whose check is known (``short_fields.row_models``)."""
    if type(result) not in (list, tuple):
        return SKIP
    item_type = return_type.of_type
    inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return leaves(inner, result)
    if isinstance(inner, GraphQLObjectType) and id(inner) in row_models:
        model = row_models[id(inner)]
        check = context.is_awaitable
        for item in result:
            if item is None or isinstance(item, Exception) or check(item):
                return SKIP
            if model is not None and not isinstance(item, model):
                return SKIP
        return _objects(context, inner, item_type, field_nodes, path, result)
    return SKIP


def leaves(leaf: GraphQLScalarType | GraphQLEnumType, items: Any) -> Any:
    """Each item serialized, or ``SKIP`` at the first that is not a plain value or does not
    serialize."""
    serialize = leaf.serialize
    completed = []
    for item in items:
        if not isinstance(item, _LEAF_VALUES):
            return SKIP
        try:
            serialized = serialize(item)
        except Exception:
            return SKIP  # graphql-core raises it again, at the item's path
        if serialized is None or serialized is Undefined:
            return SKIP
        completed.append(serialized)
    return completed


def _objects(
    context: Any,
    object_type: GraphQLObjectType,
    item_type: GraphQLOutputType,
    field_nodes: list[FieldNode],
    path: Path,
    items: Any,
) -> Any:
    sub = context.collect_subfields(object_type, field_nodes)
    execute, check = context.execute_fields, context.is_awaitable
    completed: list[Any] = []
    pending: list[int] = []
    for index, item in enumerate(items):
        item_path = path.add_key(index, None)
        try:
            value = execute(object_type, item, item_path, sub)
        except Exception as raw_error:
            # A non-null item's error goes on up to the list's field, as in graphql-core.
            error = located_error(raw_error, field_nodes, item_path.as_list())
            context.handle_field_error(error, item_type, item_path)
            value = None
        else:
            if check(value):
                value = _awaited(context, value, item_type, field_nodes, item_path)
                pending.append(index)
        completed.append(value)
    return _filled(completed, pending) if pending else completed


def any_items(
    context: Any,
    return_type: GraphQLList[GraphQLOutputType],
    field_nodes: list[FieldNode],
    info: GraphQLResolveInfo,
    path: Path,
    items: list[Any] | tuple[Any, ...],
) -> Any:
    """A list ``complete_list`` does not take, each item completed by graphql-core's
    ``complete_value`` with its error handling, and its awaitable items gathered by
    ``awaiting.settled`` (graphql-core's own gather would leave the others running when one
    fails a non-null item)."""
    item_type = return_type.of_type
    check = context.is_awaitable
    completed: list[Any] = []
    pending: list[int] = []
    for index, item in enumerate(items):
        item_path = path.add_key(index, None)
        try:
            if check(item):
                value = _completed_later(context, item_type, field_nodes, info, item_path, item)
            else:
                value = context.complete_value(item_type, field_nodes, info, item_path, item)
                if check(value):
                    value = _awaited(context, value, item_type, field_nodes, item_path)
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, item_path.as_list())
            context.handle_field_error(error, item_type, item_path)
            value = None
        if check(value):
            pending.append(index)
        completed.append(value)
    return _filled(completed, pending) if pending else completed


async def _filled(completed: list[Any], pending: list[int]) -> list[Any]:
    done = await settled(completed[index] for index in pending)
    for index, value in zip(pending, done, strict=True):
        completed[index] = value
    return completed


async def _completed_later(
    context: Any,
    item_type: GraphQLOutputType,
    field_nodes: list[FieldNode],
    info: GraphQLResolveInfo,
    item_path: Path,
    item: Any,
) -> Any:
    try:
        value = context.complete_value(item_type, field_nodes, info, item_path, await item)
        return await value if context.is_awaitable(value) else value
    except Exception as raw_error:
        error = located_error(raw_error, field_nodes, item_path.as_list())
        context.handle_field_error(error, item_type, item_path)
        return None


async def _awaited(
    context: Any,
    value: Any,
    item_type: GraphQLOutputType,
    field_nodes: list[FieldNode],
    item_path: Path,
) -> Any:
    try:
        return await value
    except Exception as raw_error:
        error = located_error(raw_error, field_nodes, item_path.as_list())
        context.handle_field_error(error, item_type, item_path)
        return None
