"""The short path for plain attribute fields covers exactly graphene's default resolvers."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FieldNode, GraphQLError, GraphQLObjectType, NameNode, parse
from graphql.pyutils import Path

from wellspring.schema import build_schema
from wellspring.schema.core.plain_fields import execution_context, is_awaitable, plain_fields


def _schema() -> Any:
    built = build_schema()
    return getattr(built, "graphql_schema", built)


def test_plain_fields_are_default_attribute_reads_of_leaves_and_nothing_else() -> None:
    schema = _schema()
    ticket = schema.type_map["Ticket"]
    plain = plain_fields(schema)
    names = {v[3] for v in plain.values()}
    assert {"Ticket.number", "Ticket.status", "Ticket.createdAt", "Ticket.id"} <= names
    # A field guard (field_guard.py), a resolver of ours, an object: the ordinary path.
    assert not {"Ticket.revision", "Ticket.overdue", "Ticket.customer"} & names
    assert plain[id(ticket.fields["id"])][4] is not None  # a relay id: encoded on the way
    assert all(isinstance(schema.type_map[n.split(".")[0]], GraphQLObjectType) for n in names)


def test_a_null_in_a_non_null_plain_field_is_graphql_cores_error() -> None:
    schema = _schema()

    class Row:
        number = None

    ctx = execution_context(schema).build(schema, parse("{ __typename }"))
    assert not isinstance(ctx, list)
    node = FieldNode(name=NameNode(value="number"))
    # A non-null field's error goes up to its parent, as graphql-core's own path does it.
    with pytest.raises(GraphQLError, match=r"non-nullable field Ticket\.number"):
        ctx.execute_field(schema.type_map["Ticket"], Row(), [node], Path(None, "n", "Ticket"))
    assert not is_awaitable("text")
    assert not is_awaitable(None)
