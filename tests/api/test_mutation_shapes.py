"""Every mutation takes ``input: <Name>Input`` and returns ``<Name>Payload``; the arguments
they took before still work for one release, deprecated."""

from __future__ import annotations

import pytest
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType

from tests.api.workflow_steps import ids, ok, open_repair
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
    "assignJob",
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
    assert "jobId" not in input_type.fields
    old = {arg for arg in definition.args if arg != "input"}
    assert old
    assert all(definition.args[arg].deprecation_reason for arg in old)


# Input types whose names api-contract.md fixes (a client declares `$input: <that type>`).
CONTRACT_INPUTS = {
    "openTicket": "TicketOpenInput",
    "completeJob": "JobCompleteInput",
    "recordFollowUp": "FollowUpInput",
    "consumeParts": "PartsConsumeInput",
    "moveStock": "StockMoveInput",
    "resolveStockDiscrepancy": "StockDiscrepancyResolveInput",
    "upsertBranch": "BranchInput",
    "upsertWarehouse": "WarehouseInput",
    "upsertPart": "PartInput",
    "upsertDeviceModel": "DeviceModelInput",
    "upsertTechnician": "TechnicianInput",
    "receiveCards": "ReceiveCardsInput",
    "createUser": "CreateUserInput",
    "updateUser": "UpdateUserInput",
    "deactivateUser": "DeactivateUserInput",
    "resetPassword": "ResetPasswordInput",
    "unlockUser": "UnlockUserInput",
}


RENAMED = {
    "completeJob": "jobId",
    "consumeParts": "jobId",
    "recordFollowUp": "ticketId",
    "unlockUser": "userId",
    "applyRoutePlan": "planId",
    "geocodeAddress": "addressId",
}


def test_every_mutation_takes_one_input_and_returns_its_own_payload() -> None:
    mutation = build_schema().graphql_schema.mutation_type
    assert mutation is not None
    fields = {name: f for name, f in mutation.fields.items() if name != "logout"}
    assert len(fields) > 30
    for name, definition in fields.items():
        title = name[0].upper() + name[1:]
        current = {arg for arg, a in definition.args.items() if not a.deprecation_reason}
        assert current == {"input"}, name
        input_type = getattr(definition.args["input"].type, "of_type", None) or (
            definition.args["input"].type
        )
        assert input_type.name == CONTRACT_INPUTS.get(name, f"{title}Input"), name
        assert getattr(definition.type, "name", None) == f"{title}Payload", name
        assert "errors" in definition.type.fields, name
        # The object acted on is `id`; the name it had before is deprecated.
        if name in RENAMED:
            assert "id" in input_type.fields, name
            assert input_type.fields[RENAMED[name]].deprecation_reason, name
    assert not mutation.fields["logout"].args


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


def test_dispatch_and_assign_take_their_object_as_id(gql: GraphQL, database_url: str) -> None:
    schema = build_schema().graphql_schema
    mutation = schema.mutation_type
    assert mutation is not None
    assert str(mutation.fields["dispatchTicket"].args["input"].type) == "DispatchTicketInput"
    o = ids(database_url)
    ticket = open_repair(gql, o)["id"]
    ok(gql.data(APPROVE, {"input": {"id": ticket}}, as_user="hq")["approveTicket"])
    mixed = gql.data(
        "mutation($id: ID!, $b: ID!) { dispatchTicket(id: $id, input: {id: $id, branchId: $b}) "
        "{ job { id } errors { code } } }",
        {"id": ticket, "b": o["SH"]},
        as_user="clerk-sh",
    )["dispatchTicket"]
    assert [e["code"] for e in mixed["errors"]] == ["INVALID_ARGUMENT"]
    job = ok(
        gql.data(
            "mutation($input: DispatchTicketInput) { dispatchTicket(input: $input) "
            "{ job { id } errors { code } } }",
            {"input": {"id": ticket, "branchId": o["SH"]}},
            as_user="clerk-sh",
        )["dispatchTicket"]
    )["job"]["id"]
    assign = (
        "mutation($input: AssignJobInput) { assignJob(input: $input) "
        "{ job { status } errors { code field } } }"
    )
    missing = gql.data(assign, {"input": None}, as_user="clerk-sh")["assignJob"]
    assert [e["code"] for e in missing["errors"]] == ["INVALID_ARGUMENT"]
    assigned = gql.data(
        assign, {"input": {"id": job, "technicianId": o["tech-sh-1"]}}, as_user="clerk-sh"
    )["assignJob"]
    assert ok(assigned)["job"]["status"] == "ASSIGNED"
