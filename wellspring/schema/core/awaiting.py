"""The awaitable fields of a selection, awaited (issue 19 §3).

graphql-core gathers a selection's awaitable fields with ``asyncio.gather``, which wraps each
in a task: for the one awaitable field most selections have (a query's list, a count not yet
read), that task costs two more turns of the event loop, about a tenth of a millisecond of a
request. One awaitable is awaited in place; several are still gathered, so they run together
as before.

Several are gathered with ``settled``: ``asyncio.gather`` raises at the first failure and
leaves the others running, and a non-null field's error does fail its siblings' gather (it
nulls their parent). graphql-core then answers while those siblings still read through the
request's session, which the endpoint commits and closes under them: a 500 and connections
left checked out. Every gather of an execution goes through ``settled`` (here and in
``list_values.py``; the execution context completes every list itself).
"""

from __future__ import annotations

from asyncio import gather
from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, GraphQLObjectType
from graphql.pyutils import Path, Undefined


async def settled(awaitables: Iterable[Any]) -> list[Any]:
    """Their values, once every one has ended; the first failure (in their order) raised."""
    done = await gather(*awaitables, return_exceptions=True)
    for value in done:
        if isinstance(value, BaseException):
            raise value
    return done


async def fields_awaited(results: dict[str, Any], awaitable: list[str]) -> dict[str, Any]:
    """``results`` with the values of its ``awaitable`` fields in place of their awaitables."""
    if len(awaitable) == 1:
        name = awaitable[0]
        results[name] = await results[name]
    else:
        done = await settled(results[name] for name in awaitable)
        results.update(zip(awaitable, done, strict=True))
    return results


def root_fields(
    context: Any, parent_type: GraphQLObjectType, source: Any, fields: dict[str, list[FieldNode]]
) -> Any:
    """graphql-core's ``execute_fields`` for an operation's root fields (``context`` is the
    execution context), its awaitable fields awaited by ``fields_awaited``."""
    results: dict[str, Any] = {}
    awaitable: list[str] = []
    for response_name, field_nodes in fields.items():
        path = Path(None, response_name, parent_type.name)
        result = context.execute_field(parent_type, source, field_nodes, path)
        if result is not Undefined:
            results[response_name] = result
            if context.is_awaitable(result):
                awaitable.append(response_name)
    return fields_awaited(results, awaitable) if awaitable else results
