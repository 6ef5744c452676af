"""The Tickets list reads the columns its selection shows (``schema/core/read_columns.py``,
``domain/column_rows.py``): the dispatcher's document reads no JSON document or column it
does not show, a field of ours makes its object read whole, and a row read as some columns
never answers a selection that reads others (the same customer read more fully elsewhere in
the document, a second page with another selection): those load the whole row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.seen import count_statements, doc
from tests.conftest import GraphQL
from tests.factories import scalars
from wellspring.domain import column_rows, joined
from wellspring.domain import models as m
from wellspring.schema import build_schema
from wellspring.schema.core import read_columns
from wellspring.schema.core.ids import global_id
from wellspring.schema.core.read_columns import page_columns
from wellspring.schema.tickets.types import TICKET_RELATIONS

SCHEMA = build_schema().graphql_schema
# The nodes' selection of clients/dispatcher/Tickets.graphql.
LEAVES = ("id", "number", "type", "status", "priority", "channel", "dueAt", "overdue")
TICKETS_NODES = {
    **{name: {} for name in (*LEAVES, "createdAt", "description")},
    "branch": {"id": {}, "name": {}},
    "customer": {"id": {}, "name": {}, "phone": {}, "tier": {}},
    "device": {"id": {}, "serialNumber": {}, "model": {"code": {}}},
}


def test_the_tickets_document_reads_the_columns_it_shows() -> None:
    relations = joined.selected(TICKET_RELATIONS, TICKETS_NODES)
    assert page_columns(SCHEMA, "Ticket", relations, TICKETS_NODES) == {
        (): frozenset(
            {"id", "number", "type", "status", "priority", "channel", "due_at", "created_at"}
            | {"description", "completed_at", "branch_id", "customer_id", "device_id"}
        ),
        ("branch",): frozenset({"id", "name"}),
        ("customer",): frozenset({"id", "name", "phone", "tier"}),
        ("device",): frozenset({"id", "serial_number", "device_model_id"}),
        ("device", "model"): frozenset({"code"}),
    }


def test_a_field_of_ours_makes_its_object_read_whole() -> None:
    nodes: dict[str, Any] = {
        "id": {},
        "history": {"actorName": {}},
        "customer": {"name": {}, "contacts": {}},
    }
    relations = joined.selected(TICKET_RELATIONS, nodes)
    assert page_columns(SCHEMA, "Ticket", relations, nodes) == {(): None, ("customer",): None}
    nodes = {"__typename": {}, "number": {}, "customer": {"__typename": {}}}
    relations = joined.selected(TICKET_RELATIONS, nodes)
    assert page_columns(SCHEMA, "Ticket", relations, nodes) == {
        (): frozenset({"number", "customer_id"}),
        ("customer",): frozenset(),
    }


def test_the_dispatchers_page_statement_leaves_out_what_it_does_not_show(
    gql: GraphQL, client: TestClient
) -> None:
    token = gql.token("hq")
    gql.data("query Me { me { id } }", token=token)
    with count_statements(client) as seen:
        data = gql.data(doc("Tickets"), {"first": 20}, token=token)
    assert len(data["tickets"]["edges"]) == 20
    (page,) = [s for s in seen if "FROM tickets" in s and "LIMIT" in s]
    for shown in ("tickets.number", "customers.phone", "devices.serial_number"):
        assert shown in page
    for hidden in ("custom_fields", "tickets.details", "customers.note", "devices.price"):
        assert hidden not in page


WIDER = """query($id: ID!, $first: Int) {
  tickets(first: $first) { edges { node { id customer { id name } } } }
  again: tickets(first: $first) {
    edges { node { id number customer { id code phone kind }
      device { id serialNumber customer { id name code tier } } } }
  }
  node(id: $id) { ... on Customer { id name code phone tier kind } }
}"""
ALONE = """query($id: ID!) { node(id: $id) { ... on Ticket {
  id number customer { id name code phone kind } device { id serialNumber }
} } }"""


@pytest.mark.parametrize("persona", ["hq", "clerk-sh"])
def test_a_row_read_as_columns_never_answers_a_wider_selection(gql: GraphQL, persona: str) -> None:
    token = gql.token(persona)
    first = gql.data(doc("Tickets"), {"first": 10}, token=token)["tickets"]["edges"]
    customer_id = next(e["node"]["customer"]["id"] for e in first if e["node"]["customer"])
    data = gql.data(WIDER, {"id": customer_id, "first": 10}, token=token)
    narrow = [e["node"] for e in data["tickets"]["edges"]]
    wide = [e["node"] for e in data["again"]["edges"]]
    assert [t["id"] for t in narrow] == [t["id"] for t in wide]
    assert data["node"]["id"] == customer_id
    assert data["node"]["code"]
    for small, ticket in zip(narrow, wide, strict=True):
        alone = gql.data(ALONE, {"id": ticket["id"]}, token=token)["node"]
        assert ticket["number"] == alone["number"]
        device = ticket["device"]
        assert device is None or {k: device[k] for k in ("id", "serialNumber")} == alone["device"]
        customer = alone["customer"]
        if customer is None:
            assert small["customer"] is ticket["customer"] is None
            continue
        assert small["customer"] == {"id": customer["id"], "name": customer["name"]}
        assert ticket["customer"] == {k: customer[k] for k in ("id", "code", "phone", "kind")}
        # Read by a resolver of ours, which loads the whole row.
        owner = device and device["customer"]
        if owner and owner["id"] == customer["id"]:
            assert (owner["name"], owner["code"]) == (customer["name"], customer["code"])


def test_finished_tickets_are_overdue_by_when_they_were_completed(gql: GraphQL) -> None:
    """``overdue`` reads the completion time of finished work: the page reads it too."""
    token = gql.token("hq")
    finished = {"status": ["COMPLETED", "FOLLOW_UP_DUE", "CLOSED"]}
    data = gql.data(doc("Tickets"), {"first": 50, "filter": finished}, token=token)
    nodes = [e["node"] for e in data["tickets"]["edges"]]
    assert any(n["dueAt"] for n in nodes)  # some finished work had a due time
    for node in nodes:
        alone = gql.data(
            "query($id: ID!) { node(id: $id) { ... on Ticket { overdue } } }",
            {"id": node["id"]},
            token=token,
        )["node"]
        assert node["overdue"] == alone["overdue"]


def test_a_row_read_as_columns_serves_only_selections_within_them() -> None:
    from sqlalchemy.orm.attributes import instance_state

    from wellspring.domain import models as m
    from wellspring.schema.core.dataloaders import Loaders

    shape = column_rows.Shape()
    keys = shape.add(m.Customer, frozenset({"name"}), ())
    values = {"id": "c1", "name": "王"}
    ((row,),) = shape.objects([tuple(values[k] for k in keys)])
    assert sorted(keys) == ["id", "name"]
    assert instance_state(row).detached
    loaders = Loaders(None, None)  # type: ignore[arg-type]
    loaders.know({m.Customer: {"c1": row}})
    assert loaders.known(m.Customer) == {}  # never handed to a read by id
    assert loaders.partial_row(m.Customer, "c1", frozenset({"id", "name"})) is row
    assert loaders.partial_row(m.Customer, "c1", frozenset({"name", "code"})) is None
    assert loaders.partial_row(m.Customer, "c1", None) is None


RELATIONS_OF_OURS = """query($first: Int, $customer: ID) {
  tickets(first: $first, filter: {customerId: $customer}) { edges { node { id
  card { id cardNumber } customer { id name branch { id name } } } } } }"""
RELATIONS_ALONE = """query($id: ID!) { node(id: $id) { ... on Ticket { id
  card { id cardNumber } customer { id name branch { id name } } } } }"""


def test_a_relation_a_resolver_of_ours_loads_is_read_whole(
    gql: GraphQL, client: TestClient, database_url: str
) -> None:
    """``Ticket.card`` and ``Customer.branch`` are resolvers of ours that load by id: the page
    reads them whole, so that they find them known, and no statement is added."""
    token = gql.token("hq")
    gql.data("query Me { me { id } }", token=token)
    # A customer with a ticket that names a card: the newest hundred tickets of all may not
    # (other tests open tickets without one).
    with_card = select(m.Ticket.customer_id).where(m.Ticket.card_id.is_not(None)).limit(1)
    customer = global_id("Customer", scalars(database_url, with_card)[0])
    with count_statements(client) as seen:
        variables = {"first": 100, "customer": customer}
        data = gql.data(RELATIONS_OF_OURS, variables, token=token)
    selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 2, selects
    nodes = [e["node"] for e in data["tickets"]["edges"]]
    assert any(n["card"] for n in nodes)
    assert any(n["customer"] and n["customer"]["branch"] for n in nodes)
    carded = [n for n in nodes if n["card"]][:4]
    for node in [*nodes[:4], *carded]:
        assert gql.data(RELATIONS_ALONE, {"id": node["id"]}, token=token)["node"] == node


CUSTOMER_ALONE = """query($id: ID!) { node(id: $id) { ... on Customer {
  id code name phone tier ownerKind branch { id name } defaultAddress { fullText }
} } }"""


@pytest.mark.parametrize("persona", ["hq", "clerk-sh", "hotline"])
def test_the_customers_document_reads_the_columns_it_shows(
    gql: GraphQL, client: TestClient, persona: str
) -> None:
    """``defaultAddress`` is a resolver of ours that says it reads the customer's id
    (``related.reads``), and the branch a ``Related``: the page reads the customer's shown
    columns and the branch's name, and answers what each customer read alone answers."""
    token = gql.token(persona)
    gql.data("query Me { me { id } }", token=token)
    with count_statements(client) as seen:
        data = gql.data(doc("Customers"), {"first": 20}, token=token)
    selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    # The session, the page with its branches and count, the page's addresses.
    assert len(selects) == 3, selects
    (page,) = [s for s in selects if "FROM customers" in s and "LIMIT" in s]
    shown = page.split("(SELECT count")[0]  # the page's own columns, not its bounded count's
    assert "customers.phone" in shown
    assert "branches.name" in shown
    for hidden in ("custom_fields", "customers.note", "branches.address"):
        assert hidden not in shown
    nodes = [e["node"] for e in data["customers"]["edges"]]
    assert any(n["defaultAddress"] for n in nodes)
    for node in nodes[:6]:
        assert gql.data(CUSTOMER_ALONE, {"id": node["id"]}, token=token)["node"] == node


def test_every_column_a_field_says_it_reads_is_a_column_of_its_model() -> None:
    """A ``Computed`` or ``related.reads`` naming what is not a column would make every page
    selecting the field fail (``Shape.add`` refuses it): checked for the whole schema."""
    from sqlalchemy import inspect

    from wellspring.schema.core.read_columns import field_reads

    declared = 0
    for graphql_type in SCHEMA.type_map.values():
        model = getattr(getattr(graphql_type, "graphene_type", None), "model", None)
        if model is None or not hasattr(graphql_type, "fields"):
            continue
        columns = frozenset(attr.key for attr in inspect(model).column_attrs)
        for name, field in graphql_type.fields.items():
            reads = field_reads(field, columns)
            assert reads is None or reads <= columns, (graphql_type.name, name, reads - columns)
            declared += reads is not None
    assert declared > 100


def test_what_a_page_reads_is_worked_out_once_per_document(gql: GraphQL) -> None:
    """``read_columns.page_reads`` keeps what a list field's selection reads per document:
    the same document asked again (other variables) reuses it, another selection has its own,
    and what it keeps is what the selection reads."""
    read_columns._PAGE_READS.clear()
    token = gql.token("hq")
    gql.data(doc("Tickets"), {"first": 5}, token=token)
    gql.data(doc("Tickets"), {"first": 7}, token=token)
    assert [key[0] for key in read_columns._PAGE_READS] == ["Ticket"]
    ((_held, (relations, columns, count)),) = read_columns._PAGE_READS.values()
    assert relations == joined.selected(TICKET_RELATIONS, TICKETS_NODES)
    assert columns == page_columns(SCHEMA, "Ticket", relations, TICKETS_NODES)
    assert count is True
    small = "query($first: Int) { tickets(first: $first) { edges { node { number } } } }"
    assert gql.data(small, {"first": 2}, token=token)["tickets"]["edges"]
    assert len(read_columns._PAGE_READS) == 2
    (_held, (relations, columns, count)) = list(read_columns._PAGE_READS.values())[-1]
    assert (relations, columns, count) == ({}, {(): frozenset({"number"})}, False)
