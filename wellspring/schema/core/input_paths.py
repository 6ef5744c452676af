"""Naming the input that held an id the domain refused.

A use case looks a row up by the id it was handed and, when the row is missing or hidden,
says ``NOT_FOUND`` on ``id``: it knows the value, not the name the client gave it
(``customerId``, ``ticketId``, ``lines.0.partId``, a deprecated ``jobId``). A form highlights
the error's ``field``, so the payload error names the path of the mutation's input that
held that value, as the client wrote it. Every root mutation field keeps its arguments on
the request context while it runs (``remember_arguments``, wrapped once at schema build);
``sent_path`` searches them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import GraphQLSchema, default_field_resolver
from graphql_relay import from_global_id

from wellspring.domain.errors import DomainError


def remember_arguments(schema: GraphQLSchema) -> None:
    """Wrap every root mutation field so that its arguments are ``ctx.arguments`` while it
    runs (the fields of a mutation run one after the other, so one slot is enough)."""
    if schema.mutation_type is None:
        return
    for field in schema.mutation_type.fields.values():
        field.resolve = _Remembering(field.resolve or default_field_resolver)


class _Remembering:
    __slots__ = ("resolve",)

    def __init__(self, resolve: Callable[..., Any]) -> None:
        self.resolve = resolve

    def __call__(self, root: Any, info: Any, **args: Any) -> Any:
        info.context.arguments = args
        return self.resolve(root, info, **args)


def sent_path(
    error: DomainError, arguments: Mapping[str, Any] | None, field: str | None
) -> str | None:
    """The input path the error is about, when the domain's ``field`` (as an API path) is
    not one the client sent: the path that held ``error.id_value``, ``field`` itself when
    it is one of them; else, for ``<thing>Id`` naming the object the mutation acts on, its
    ``id`` (the domain keeps the names inputs had before ``id``: ``jobId``, ``planId``).
    None: leave ``field`` as it is."""
    if not arguments:
        return None
    sent = dict(_leaves(arguments, ""))
    if error.id_value is not None:
        found = [path for path, value in sent.items() if _same_id(value, error.id_value)]
        if found:
            return field if field in found else found[0]
    if field and field not in sent and field.endswith("Id") and isinstance(sent.get("id"), str):
        subject = _type_name(sent["id"]).lower()
        if subject and subject.endswith(field[:-2].lower()):
            return "id"
    return None


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            # The one ``input`` argument is the root of the paths clients see (``lines.0``).
            name = "" if not path and key == "input" else camel(str(key))
            yield from _leaves(item, f"{path}.{name}" if path and name else path or name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}.{index}" if path else str(index))
    elif isinstance(value, str):
        yield path, value


def _type_name(sent: str) -> str:
    try:
        return str(from_global_id(sent)[0])
    except (ValueError, TypeError, UnicodeDecodeError):
        return ""


def _same_id(sent: str, wanted: str) -> bool:
    """The value sent is the id wanted, as it was sent (a global id) or inside it."""
    if sent == wanted:
        return True
    try:
        return str(from_global_id(sent)[1]) == wanted
    except (ValueError, TypeError, UnicodeDecodeError):
        return False


def camel(name: str) -> str:
    """``part_id`` → ``partId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
