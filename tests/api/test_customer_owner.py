"""ReassignCustomer (domain.md: HQ management can reassign customers between owners): the
customer, their devices and active cards move together to a branch or an agent, and the
lists follow; a customer with work in hand stays where the work is."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from tests.api.ticket_types_world import _twin
from tests.api.workflow_steps import doc, ids, payload
from tests.conftest import GraphQL
from tests.dispatch_site import run
from tests.factories import execute, fetch, raw_id, scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import CardStatus, DeviceStatus
from wellspring.schema.core.ids import global_id


@pytest.fixture
def moved(gql: GraphQL, database_url: str) -> dict[str, str]:
    """A new Shanghai customer with an installed device and its active card, no work open."""
    phone = f"137{random.randrange(10**8):08d}"
    new = {"name": "吴建平", "kind": "PERSON", "phone": phone, "address": {
        "province": "上海市", "city": "上海市", "district": "徐汇区", "street": "漕河泾街道",
        "community": "田林新苑", "building": "5号楼", "room": "302室"}}  # fmt: skip
    opened = {"type": "INQUIRY", "branchId": ids(database_url)["SH"], "newCustomer": new}
    ticket = payload(gql, "OpenTicket", {"input": opened}, "hotline")["ticket"]
    customer = scalars(database_url, select(m.Customer.id).where(m.Customer.phone == phone))[0]
    carded = select(m.AccountCard.device_id).where(m.AccountCard.status == CardStatus.ACTIVE)
    direct = select(m.Device.id).where(
        m.Device.status == DeviceStatus.INSTALLED,
        m.Device.agent_id.is_(None),
        m.Device.id.in_(carded),
    )
    source = scalars(database_url, direct.order_by(m.Device.id).limit(1))[0]
    device, _ = run(_twin(database_url, source, with_card=True))
    execute(database_url, update(m.Device).where(m.Device.id == device).values(
        customer_id=customer))  # fmt: skip
    execute(database_url, update(m.AccountCard).where(m.AccountCard.device_id == device).values(
        customer_id=customer))  # fmt: skip
    return {"customer": global_id("Customer", customer), "device": device,
            "ticket": ticket["id"]}  # fmt: skip


def _reassign(gql: GraphQL, user: str, **fields: Any) -> dict[str, Any]:
    body = gql.post(doc("ReassignCustomer"), {"input": fields}, as_user=user).json()
    assert "errors" not in body or user not in ("hq", "admin"), body
    return body


def _owners(database_url: str, device: str) -> list[Any]:
    device_owner = select(m.Device.branch_id, m.Device.agent_id).where(m.Device.id == device)
    card_owner = select(m.AccountCard.branch_id, m.AccountCard.agent_id).where(
        m.AccountCard.device_id == device)  # fmt: skip
    return [*fetch(database_url, device_owner), *fetch(database_url, card_owner)]


def test_hq_moves_a_customer_with_their_devices_and_cards(
    gql: GraphQL, database_url: str, moved: dict[str, str]
) -> None:
    customer, device = moved["customer"], moved["device"]
    bj = scalars(database_url, select(m.Branch.id).where(m.Branch.code == "BJ"))[0]
    agent = scalars(database_url, select(m.User.agent_id).where(m.User.username == "agent-1"))[0]
    # Work in hand stays with the branch that took it.
    held = _reassign(gql, "hq", customerId=customer, branchId=global_id("Branch", bj))
    (error,) = held["data"]["reassignCustomer"]["errors"]
    assert (error["code"], error["field"]) == ("CUSTOMER_HAS_OPEN_TICKETS", "customerId")
    cancel = {"id": moved["ticket"], "reason": "客户改由北京服务"}
    assert payload(gql, "CancelTicket", cancel, "hotline")["errors"] == []

    to_bj = _reassign(gql, "hq", customerId=customer, branchId=global_id("Branch", bj))
    got = to_bj["data"]["reassignCustomer"]
    assert got["errors"] == []
    assert (got["customer"]["ownerKind"], got["customer"]["branch"]["code"]) == ("BRANCH", "BJ")
    assert _owners(database_url, device) == [(bj, None), (bj, None)]
    # The lists follow: Shanghai's clerk no longer finds the customer, Beijing's does.
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert gql.data(query, {"id": customer}, as_user="clerk-bj")["node"] == {"id": customer}
    assert gql.post(query, {"id": customer}, as_user="clerk-sh").json()["data"]["node"] is None

    to_agent = _reassign(gql, "hq", customerId=customer, agentId=global_id("Agent", agent))
    assert to_agent["data"]["reassignCustomer"]["customer"]["ownerKind"] == "AGENT"
    agent_branch = scalars(database_url, select(m.Agent.branch_id).where(m.Agent.id == agent))[0]
    assert _owners(database_url, device) == [(agent_branch, agent), (agent_branch, agent)]
    assert gql.data(query, {"id": customer}, as_user="agent-1")["node"] == {"id": customer}
    (entry,) = fetch(database_url, select(m.AuditEntry.detail).where(
        m.AuditEntry.action == "customer.reassigned", m.AuditEntry.entity_id == raw_id(customer)
    ).order_by(m.AuditEntry.at.desc()).limit(1))[0]  # fmt: skip
    assert (entry["devices"], entry["cards"]) == (1, 1)


def test_only_hq_moves_customers_and_names_one_owner(
    gql: GraphQL, database_url: str, moved: dict[str, str]
) -> None:
    customer = moved["customer"]
    sh = ids(database_url)["SH"]
    agent = scalars(database_url, select(m.User.agent_id).where(m.User.username == "agent-1"))[0]
    for user in ("clerk-sh", "hotline", "agent-1", "sales-sh-1"):
        body = _reassign(gql, user, customerId=customer, branchId=sh)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], user
    for fields in ({}, {"branchId": sh, "agentId": global_id("Agent", agent)}):
        body = _reassign(gql, "hq", customerId=customer, **fields)
        codes = [e["code"] for e in body["data"]["reassignCustomer"]["errors"]]
        assert codes == ["OWNER_REQUIRED"], fields
    same = _reassign(gql, "hq", customerId=customer, branchId=sh)["data"]["reassignCustomer"]
    assert same["errors"] == []  # theirs already: nothing moves, nothing is refused
    zh = gql.data(doc("ReassignCustomer"), {"input": {"customerId": customer}}, as_user="hq",
                  locale="zh-CN")["reassignCustomer"]["errors"][0]["message"]  # fmt: skip
    assert zh == "请指定新的所属方：分公司或代理商，二者选一。"


def test_generated_moves_never_get_a_5xx(
    gql: GraphQL, database_url: str, moved: dict[str, str]
) -> None:
    real = [moved["customer"], ids(database_url)["SH"], ids(database_url)["BJ"],
            global_id("Agent", "no-such"), global_id("Customer", "no-such")]  # fmt: skip
    an_id = st.one_of(st.none(), st.sampled_from(real), st.text(st.characters(), max_size=60))

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(customer=an_id, branch=an_id, agent=an_id)
    def send(customer: str | None, branch: str | None, agent: str | None) -> None:
        fields = {"customerId": customer, "branchId": branch, "agentId": agent}
        body = json.dumps({"query": doc("ReassignCustomer"), "variables": {"input": fields}})
        headers = {"authorization": f"Bearer {gql.token('hq')}",
                   "content-type": "application/json", "accept-language": "zh-CN"}  # fmt: skip
        response = gql.client.post("/graphql", content=body.encode(), headers=headers)
        assert response.status_code < 500, response.text
        assert "INTERNAL_ERROR" not in response.text, response.text

    send()
