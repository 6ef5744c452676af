"""Mutations on one ticket or job take ``input: <Name>Input`` and return ``<Name>Payload``;
the arguments they took before still work for one release, deprecated."""

from __future__ import annotations

import pytest
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType

from tests.api.test_workflow import ids, ok, open_repair
from tests.conftest import GraphQL
from wellspring.schema import build_schema

REGULAR = [
    "approveTicket",
    "rejectTicket",
    "cancelTicket",
    "acceptJob",
    "startTravel",
    "arriveOnSite",
    "failJob",
]


@pytest.mark.parametrize("field", REGULAR)
def test_input_and_payload_are_named_after_the_mutation(field: str) -> None:
    schema = build_schema().graphql_schema
    mutation = schema.mutation_type
    assert isinstance(mutation, GraphQLObjectType)
    definition = mutation.fields[field]
    name = field[0].upper() + field[1:]
    input_type = definition.args["input"].type
    assert isinstance(input_type, GraphQLInputObjectType)
    assert input_type.name == f"{name}Input"
    assert isinstance(input_type.fields["id"].type, GraphQLNonNull)
    assert getattr(definition.type, "name", None) == f"{name}Payload"
    old = {arg for arg in definition.args if arg != "input"}
    assert old
    assert all(definition.args[arg].deprecation_reason for arg in old)


APPROVE = (
    "mutation($input: ApproveTicketInput) { approveTicket(input: $input) "
    "{ ticket { status } errors { code field } } }"
)
APPROVE_OLD = "mutation($id: ID) { approveTicket(id: $id) { ticket { status } errors { code } } }"
APPROVE_BOTH = (
    "mutation($id: ID!) { approveTicket(id: $id, input: {id: $id}) "
    "{ ticket { status } errors { code field } } }"
)


def test_the_new_and_the_old_shape_do_the_same(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    first = open_repair(gql, o)["id"]
    second = open_repair(gql, o)["id"]
    new = ok(gql.data(APPROVE, {"input": {"id": first}}, as_user="hq")["approveTicket"])
    old = ok(gql.data(APPROVE_OLD, {"id": second}, as_user="hq")["approveTicket"])
    assert new["ticket"]["status"] == old["ticket"]["status"] == "APPROVED"


def test_no_id_or_two_ids_change_nothing(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket = open_repair(gql, o)["id"]
    for query, variables in ((APPROVE, {}), (APPROVE_OLD, {}), (APPROVE_BOTH, {"id": ticket})):
        result = gql.data(query, variables, as_user="hq")["approveTicket"]
        assert result["ticket"] is None
        assert [e["code"] for e in result["errors"]] == ["INVALID_ARGUMENT"], query
    after = gql.data("query($id: ID!) { ticket(id: $id) { status } }", {"id": ticket}, as_user="hq")
    assert after["ticket"]["status"] == "CREATED"
