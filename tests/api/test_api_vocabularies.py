"""Closed lists are GraphQL enums showing the domain's vocabularies, not free strings."""

from __future__ import annotations

import enum

import pytest
from graphql import GraphQLEnumType

from tests.conftest import GraphQL
from wellspring.domain.dispatch.locate import CoordinateSource
from wellspring.domain.inventory.queries import SuggestedAction
from wellspring.domain.workflow.catalogue import DeviceCondition, RepairLevel
from wellspring.domain.workflow.requests import PaymentMethod
from wellspring.schema import build_schema

SHOWN: dict[str, tuple[type[enum.Enum], list[tuple[str, str]]]] = {
    "RepairLevel": (RepairLevel, [("JobReportInput", "repairLevel")]),
    "DeviceCondition": (DeviceCondition, [("JobReportInput", "deviceCondition")]),
    "PaymentMethod": (PaymentMethod, [("RechargeRequestInput", "paymentMethod")]),
    "SuggestedAction": (SuggestedAction, [("StockSuggestion", "action")]),
    "CoordinateSource": (CoordinateSource, [("Address", "coordinateOrigin")]),
}


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_each_closed_list_is_the_domain_vocabulary(name: str) -> None:
    schema = build_schema().graphql_schema
    graphql_enum = schema.get_type(name)
    assert isinstance(graphql_enum, GraphQLEnumType)
    vocabulary, fields = SHOWN[name]
    assert set(graphql_enum.values) == {member.name for member in vocabulary}
    for type_name, field_name in fields:
        owner = schema.get_type(type_name)
        field = owner.fields[field_name]
        named = field.type.of_type if hasattr(field.type, "of_type") else field.type
        assert named is graphql_enum, (type_name, field_name)


def test_a_value_outside_the_list_is_refused_before_anything_runs(gql: GraphQL) -> None:
    query = "mutation($input: TicketOpenInput!) { openTicket(input: $input) { errors { code } } }"
    recharge = {"plan": "MONTHLY", "quantity": 1, "unitPrice": "1", "paymentMethod": "CHEQUE"}
    response = gql.post(query, {"input": {"type": "RECHARGE", "recharge": recharge}}, as_user="hq")
    assert response.status_code in (200, 400)
    errors = response.json()["errors"]
    assert "PaymentMethod" in errors[0]["message"], errors


def test_coordinate_origin_names_the_stored_source(gql: GraphQL) -> None:
    edges = gql.data(
        "{ customers(first: 60) { edges { node { addresses { latitude coordinateSource "
        "coordinateOrigin } } } } }",
        as_user="hq",
    )["customers"]["edges"]
    addresses = [a for e in edges for a in e["node"]["addresses"]]
    assert {a["coordinateOrigin"] for a in addresses} >= {"CLIENT", "CENTROID"}
    for address in addresses:
        stored = address["coordinateSource"]
        assert address["coordinateOrigin"] == (stored.upper() if stored else None)
        assert (address["coordinateOrigin"] is None) == (address["latitude"] is None)
