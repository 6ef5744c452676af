"""The agents, logins and engineer the dealer API tests work on (issue 18): each test
module makes its own (unique codes), so the shared demo data is read, never reshaped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id

__all__ = ["NODE", "Tenants", "address", "doc", "tenants", "upsert_agent"]

PASSWORD = "password-123"
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id username } errors { code field } }
}"""
RECEIVE_MACHINE = """mutation($w: ID!, $m: ID!, $s: String!) {
  receiveMachine(warehouseId: $w, deviceModelId: $m, serialNumber: $s) {
    device { id } errors { code field }
  }
}"""
NODE = "query($id: ID!) { node(id: $id) { id } }"


@dataclass
class Tenants:
    """HQ's view of the agents these tests make, and the logins acting for them."""

    general: str  # a city general agent (global id) with a territory in Shanghai
    sub: str  # its sub-distributor
    other: str  # another city general agent
    general_login: str
    sub_login: str
    other_login: str
    engineer: str  # the general agent's own engineer (Technician global id)
    place: tuple[str, str, str]  # province, city, district of the territory
    sh: str  # the Shanghai branch
    hq_warehouse: str


def upsert_agent(gql: GraphQL, fields: dict[str, Any], user: str = "hq") -> dict[str, Any]:
    return payload(gql, "UpsertAgent", {"input": fields}, user)


def _login(gql: GraphQL, agent: str) -> str:
    username = unique("agent")
    variables = {
        "input": {"username": username, "password": PASSWORD, "role": "AGENT", "agentId": agent}
    }
    ok(gql.data(CREATE_USER, variables, as_user="admin")["createUser"])
    gql.sign_in(username, PASSWORD)
    return username


def address(database_url: str, city: str) -> tuple[str, str, str]:
    row = fetch(
        database_url,
        select(m.Address.province, m.Address.city, m.Address.district)
        .where(m.Address.city == city)
        .limit(1),
    )[0]
    return (row[0], row[1], row[2])


@pytest.fixture(scope="module")
def tenants(gql: GraphQL, database_url: str) -> Tenants:
    sh = global_id(
        "Branch", scalars(database_url, select(m.Branch.id).where(m.Branch.code == "SH"))[0]
    )
    place = address(database_url, "上海市")
    area = {"province": place[0], "city": place[1], "district": place[2]}
    general = ok(
        upsert_agent(
            gql,
            {
                "code": unique("AG"),
                "name": "浦江净水",
                "branchId": sh,
                "territoryAreas": [area],
                "contractNumber": "HT-2026-001",
                "contractStart": "2026-01-01",
                "contractEnd": "2027-12-31",
                "deposit": "50000",
                "creditLimit": "10000",
                "contactName": "李经理",
                "contactPhone": "13800000001",
            },
        )
    )["agent"]
    sub = ok(
        upsert_agent(
            gql,
            {
                "code": unique("AS"),
                "name": "浦江分销",
                "level": "SUB_DISTRIBUTOR",
                "parentAgentId": general["id"],
                "branchId": sh,
                "territoryAreas": [area],
            },
        )
    )["agent"]
    other = ok(
        upsert_agent(
            gql, {"code": unique("AO"), "name": "康泉净水", "branchId": sh, "creditLimit": "100"}
        )
    )["agent"]
    for agent in (general, sub, other):
        warehouse = {
            "code": unique("WA"),
            "name": "代理商库",
            "kind": "AGENT",
            "agentId": agent["id"],
        }
        ok(payload(gql, "UpsertWarehouse", {"input": warehouse}, "hq"))
    engineer = ok(
        payload(
            gql,
            "UpsertTechnician",
            {
                "input": {
                    "username": unique("agtech"),
                    "password": PASSWORD,
                    "branchId": sh,
                    "agentId": general["id"],
                }
            },
            "hq",
        )
    )["technician"]
    hq_warehouse = scalars(database_url, select(m.Warehouse.id).where(m.Warehouse.code == "WH-HQ"))
    return Tenants(
        general=general["id"],
        sub=sub["id"],
        other=other["id"],
        general_login=_login(gql, general["id"]),
        sub_login=_login(gql, sub["id"]),
        other_login=_login(gql, other["id"]),
        engineer=engineer["id"],
        place=place,
        sh=sh,
        hq_warehouse=global_id("Warehouse", hq_warehouse[0]),
    )
