"""The short path for plain attribute fields covers exactly graphene's default resolvers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from graphql import FieldNode, GraphQLError, GraphQLObjectType, NameNode, parse
from graphql.execution.collect_fields import collect_fields
from graphql.pyutils import Path
from graphql_relay import to_global_id
from hypothesis import given
from hypothesis import strategies as st

from tests.api.short_path_context import Context
from wellspring.domain import models as m
from wellspring.domain.errors import PermissionDenied
from wellspring.domain.field_visibility import roles_denied
from wellspring.domain.models.enums import Role, TicketStatus
from wellspring.schema import build_schema
from wellspring.schema.core.ids import global_id
from wellspring.schema.core.plain_fields import execution_context, is_awaitable
from wellspring.schema.core.short_fields import direct_fields, linked_fields, plain_fields


def _schema() -> Any:
    built = build_schema()
    return getattr(built, "graphql_schema", built)


def test_plain_fields_are_default_attribute_reads_of_leaves_and_nothing_else() -> None:
    schema = _schema()
    ticket = schema.type_map["Ticket"]
    plain = plain_fields(schema)
    names = {v[3] for v in plain.values()}
    assert {"Ticket.number", "Ticket.status", "Ticket.createdAt", "Ticket.id"} <= names
    # A resolver of ours, an object: the ordinary path; a ``Computed`` leaf is plain.
    assert not {"Ticket.jobs", "Ticket.customer"} & names
    assert "Ticket.overdue" in names
    # A guarded attribute is plain with its guard, which the short path checks first.
    revision = plain[id(ticket.fields["revision"])]
    assert revision[5] is ticket.fields["revision"].resolve
    assert revision[5].denied == roles_denied("Ticket", "revision")
    assert all(v[5] is None for v in plain.values() if not roles_denied(*v[3].split(".")))
    assert plain[id(ticket.fields["id"])][4] is global_id  # a relay id: encoded on the way
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


def test_linked_fields_are_the_related_relations_to_one_object() -> None:
    schema = _schema()
    linked = {id(f): n for n, f in _all_fields(schema)}
    names = {linked[k] for k in linked_fields(schema)}
    assert {"Ticket.customer", "Ticket.branch", "Ticket.device", "Device.model"} <= names
    assert "TechnicianSuggestion.technician" in names  # non-null
    assert "Ticket.jobs" not in names  # a list: the ordinary path
    # An edge's node and cursor are read from its (row, cursor) tuple.
    assert "TicketEdge.node" in {linked[k] for k in direct_fields(schema)}
    assert "TicketEdge.cursor" in {v[3] for v in plain_fields(schema).values()}


def _all_fields(schema: Any) -> Any:
    for type_name, t in schema.type_map.items():
        if isinstance(t, GraphQLObjectType) and not type_name.startswith("__"):
            for field_name, field in t.fields.items():
                yield f"{type_name}.{field_name}", field


def _ticket_fields(role: Role, query: str) -> tuple[Any, list[GraphQLError]]:
    """Execute ``query``'s selection on one ticket whose customer is already known."""
    schema = _schema()
    customer = m.Customer(id="c1", name="王", phone="13800000000", tier="VIP")
    ticket = m.Ticket(id="t1", number="T-1", customer_id="c1", branch_id=None)
    context = Context(role, {m.Customer: {"c1": customer}})
    ctx = execution_context(schema).build(schema, parse(query), context_value=context)
    assert not isinstance(ctx, list)
    ticket_type = schema.type_map["Ticket"]
    fields = collect_fields(schema, {}, {}, ticket_type, ctx.operation.selection_set)
    result = ctx.execute_fields(ticket_type, ticket, Path(None, "ticket", "Query"), fields)
    return result, ctx.collected_errors.errors


def test_a_known_relation_is_answered_on_the_short_path() -> None:
    result, errors = _ticket_fields(Role.HQ, "{ number customer { name tier } branch { id } }")
    assert not errors
    assert result == {"number": "T-1", "customer": {"name": "王", "tier": "VIP"}, "branch": None}


def test_a_field_hidden_from_a_role_stays_hidden_on_the_short_path() -> None:
    # Customer.tier is guarded from customers; the relation and its fields are short-path.
    result, errors = _ticket_fields(Role.CUSTOMER, "{ number customer { name tier } }")
    # tier is non-null, so the forbidden field nulls its (nullable) customer.
    assert result == {"number": "T-1", "customer": None}
    assert [e.path for e in errors] == [["ticket", "customer", "tier"]]
    assert [type(e.original_error) for e in errors] == [PermissionDenied]
    # The same selection for staff: tier is answered.
    staff, _ = _ticket_fields(Role.HQ, "{ customer { tier } }")
    assert staff == {"customer": {"tier": "VIP"}}


def test_a_selection_planned_once_answers_each_row_and_errors_as_graphql_core() -> None:
    """The plan of a selection is kept for the request; the values are each row's own, a
    relay id is encoded, and a value that fails to serialize is graphql-core's error at its
    path (a nullable field: null, the other fields answered)."""
    schema = _schema()
    context = Context(Role.HQ, {})
    query = "{ id number dueAt overdue }"
    ctx = execution_context(schema).build(schema, parse(query), context_value=context)
    assert not isinstance(ctx, list)
    ticket_type = schema.type_map["Ticket"]
    fields = collect_fields(schema, {}, {}, ticket_type, ctx.operation.selection_set)
    late = dt.datetime(2026, 12, 4, 7, 0, tzinfo=dt.UTC)  # an hour before the context's now
    good = m.Ticket(id="t1", number="T-1", due_at=late, status=TicketStatus.DISPATCHED)
    bad = m.Ticket(id="t2", number="T-2", status=TicketStatus.CANCELLED)  # never overdue
    bad.due_at = "not a time"  # type: ignore[assignment]
    first = ctx.execute_fields(ticket_type, good, Path(None, "a", "Query"), fields)
    second = ctx.execute_fields(ticket_type, bad, Path(None, "b", "Query"), fields)
    due = "2026-12-04T15:00:00+08:00"
    answer = {"number": "T-1", "dueAt": due, "overdue": True}
    assert first == {"id": global_id("Ticket", "t1"), **answer}
    answer = {"number": "T-2", "dueAt": None, "overdue": False}
    assert second == {"id": global_id("Ticket", "t2"), **answer}
    assert [e.path for e in ctx.collected_errors.errors] == [["b", "dueAt"]]


@given(
    type_name=st.text(min_size=1, max_size=30),
    id_=st.one_of(st.text(max_size=60), st.integers(), st.uuids().map(str)),
)
def test_global_ids_are_graphql_relays(type_name: str, id_: Any) -> None:
    """``global_id`` writes a string id's base64 itself: the same text as graphql-relay's."""
    assert global_id(type_name, id_) == to_global_id(type_name, id_)
