"""Dealers as tenants (issue 18) through the API: the agent tree and who sees which agent,
purchase orders from HQ down to the agent's warehouse, territory conflicts refused and kept
for HQ, agents opening tickets for their own customers and sending their own engineers.

Each test works on agents, logins, parts, machines and cards of its own (unique codes), so
the shared demo data is read, never reshaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.test_lists import count_statements
from tests.api.test_workflow import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import LedgerKind, OwnerKind, Role
from wellspring.schema.core.ids import global_id

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


def _raw(gid: str) -> str:
    from graphql_relay import from_global_id

    return str(from_global_id(gid)[1])


def _upsert_agent(gql: GraphQL, fields: dict[str, Any], user: str = "hq") -> dict[str, Any]:
    return payload(gql, "UpsertAgent", {"input": fields}, user)


def _login(gql: GraphQL, agent: str) -> str:
    username = unique("agent")
    variables = {
        "input": {"username": username, "password": PASSWORD, "role": "AGENT", "agentId": agent}
    }
    ok(gql.data(CREATE_USER, variables, as_user="admin")["createUser"])
    gql.tokens[username] = gql.login(username, PASSWORD)["token"]
    return username


def _address(database_url: str, city: str) -> tuple[str, str, str]:
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
    place = _address(database_url, "上海市")
    area = {"province": place[0], "city": place[1], "district": place[2]}
    general = ok(
        _upsert_agent(
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
        _upsert_agent(
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
        _upsert_agent(
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


def _agents_seen(gql: GraphQL, user: str) -> set[str]:
    data = gql.data(doc("Agents"), {"first": 100}, as_user=user)["agents"]
    return {edge["node"]["id"] for edge in data["edges"]}


def test_an_agent_sees_itself_and_its_sub_distributors_only(gql: GraphQL, tenants: Tenants) -> None:
    mine = {tenants.general, tenants.sub, tenants.other}
    assert mine <= _agents_seen(gql, "hq")
    assert _agents_seen(gql, tenants.general_login) == {tenants.general, tenants.sub}
    assert _agents_seen(gql, tenants.sub_login) == {tenants.sub}
    assert _agents_seen(gql, tenants.other_login) == {tenants.other}
    found = gql.data(doc("Agents"), {"search": "浦江", "first": 100}, as_user="hq")["agents"]
    assert {tenants.general, tenants.sub} <= {e["node"]["id"] for e in found["edges"]}
    node = gql.data(doc("Agents"), {"first": 100}, as_user=tenants.general_login)["agents"]
    general = next(e["node"] for e in node["edges"] if e["node"]["id"] == tenants.general)
    assert general["deposit"] == {"amount": "50000.00", "currency": "CNY"}
    assert general["contractEnd"] == "2027-12-31"
    assert general["territoryAreas"][0]["city"] == tenants.place[1]
    refused = gql.post(doc("Agents"), {}, as_user="tech-sh-1").json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # another agent reads as missing, by id too
    assert gql.data(NODE, {"id": tenants.general}, as_user=tenants.other_login)["node"] is None


def test_the_agent_tree_is_two_levels_and_hq_manages_it(gql: GraphQL, tenants: Tenants) -> None:
    def error(fields: dict[str, Any], user: str = "hq") -> tuple[str, str]:
        result = _upsert_agent(gql, fields, user)
        assert result["agent"] is None
        return result["errors"][0]["code"], result["errors"][0]["field"]

    new = {"code": unique("AX"), "name": "x", "branchId": tenants.sh}
    assert error({**new, "level": "SUB_DISTRIBUTOR"}) == ("REQUIRED", "parentAgentId")
    assert error({**new, "level": "SUB_DISTRIBUTOR", "parentAgentId": tenants.sub}) == (
        "INVALID_AGENT_PARENT",
        "parentAgentId",
    )
    assert error({**new, "parentAgentId": tenants.other}) == (
        "INVALID_AGENT_PARENT",
        "parentAgentId",
    )
    assert error({**new, "contractStart": "2026-02-01", "contractEnd": "2026-01-01"}) == (
        "INVALID_PERIOD",
        "contractEnd",
    )
    beijing = {"province": "北京市", "city": "北京市", "district": "朝阳区"}
    outside = {**new, "level": "SUB_DISTRIBUTOR", "parentAgentId": tenants.general}
    assert error({**outside, "territoryAreas": [beijing]}) == (
        "INVALID_TERRITORY",
        "territoryAreas",
    )
    assert error({**new, "territoryAreas": [{"province": "", "city": "x"}]})[0] == (
        "INVALID_TERRITORY"
    )
    assert error({"id": tenants.general, "level": "SUB_DISTRIBUTOR"}) == (
        "INVALID_AGENT_PARENT",
        "level",
    )
    assert error({**new, "creditLimit": "-1"}) == ("AMOUNT_NEGATIVE", "creditLimit")
    denied = gql.post(doc("UpsertAgent"), {"input": new}, as_user=tenants.general_login).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    edited = ok(_upsert_agent(gql, {"id": tenants.other, "contactEmail": "a@b.cn"}))["agent"]
    assert edited["contactEmail"] == "a@b.cn"


def _catalogue(gql: GraphQL, database_url: str) -> tuple[str, str, Decimal]:
    """A new part (list price 20, cost 9) and a demo device model with its list price."""
    part = ok(
        payload(
            gql,
            "UpsertPart",
            {"input": {"sku": unique("P"), "name": "前置滤芯", "cost": "9", "listPrice": "20"}},
            "hq",
        )
    )["part"]
    model_id, price = fetch(
        database_url,
        select(m.DeviceModel.id, m.DeviceModel.list_price).order_by(m.DeviceModel.code),
    )[0]
    return part["id"], global_id("DeviceModel", model_id), Decimal(price)


def _stock_hq(gql: GraphQL, tenants: Tenants, part: str, model: str) -> tuple[list[str], list[str]]:
    """Two new machines, three new cards and ten of the part into the HQ warehouse."""
    serials = [unique("SN") for _ in range(2)]
    for serial in serials:
        result = gql.data(
            RECEIVE_MACHINE, {"w": tenants.hq_warehouse, "m": model, "s": serial}, as_user="hq"
        )
        ok(result["receiveMachine"])
    first = 8_800_000_000 + int(unique("c").split("-")[1], 16) % 10**8
    numbers = [str(first + k) for k in range(3)]
    cards = {"warehouseId": tenants.hq_warehouse, "fromNumber": numbers[0], "toNumber": numbers[-1]}
    ok(payload(gql, "ReceiveCards", {"input": cards}, "hq"))
    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": tenants.hq_warehouse,
        "lines": [{"partId": part, "quantity": 10}],
    }
    ok(payload(gql, "MoveStock", {"input": receipt}, "hq"))
    return serials, numbers


def test_an_order_is_priced_confirmed_and_shipped_into_the_agents_warehouse(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part, model, model_price = _catalogue(gql, database_url)
    standard = {
        "kind": "DEALER_PART",
        "itemId": part,
        "province": tenants.place[0],
        "city": tenants.place[1],
        "price": "12.50",
        "effectiveFrom": "2026-01-01",
    }
    ok(payload(gql, "UpsertPriceStandard", {"input": standard}, "hq"))
    serials, numbers = _stock_hq(gql, tenants, part, model)
    lines = [
        {"item": "MACHINE", "quantity": 2, "deviceModelId": model},
        {"item": "CARD", "quantity": 3},
        {"item": "PART", "quantity": 4, "partId": part},
    ]
    placed = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": lines}}, tenants.general_login))
    order = placed["order"]
    assert order["status"] == "SUBMITTED"
    by_item = {line["item"]: line for line in order["lines"]}
    assert by_item["PART"]["unitPrice"]["amount"] == "12.50"
    assert by_item["PART"]["fromPriceStandard"] is True
    assert Decimal(by_item["MACHINE"]["unitPrice"]["amount"]) == model_price
    assert by_item["MACHINE"]["fromPriceStandard"] is False
    total = 2 * model_price + Decimal("50.00")
    assert Decimal(order["total"]["amount"]) == total
    assert order["needsApproval"] is (total > 10_000)
    # no cost price reaches an agent, even through the part of its own order line
    costs = gql.post(
        "query { agentOrders(first: 5) { edges { node { lines { part { cost { amount } } } } } } }",
        as_user=tenants.general_login,
    ).json()
    seen = [
        line["part"]
        for edge in (costs.get("data") or {}).get("agentOrders", {}).get("edges", [])
        for line in edge["node"]["lines"]
        if line["part"] is not None
    ]
    assert all(p["cost"] is None for p in seen)
    # HQ confirms and ships; the agent may do neither, and another agent sees none of it
    confirm = {"input": {"id": order["id"], "approveOverCredit": True}}
    denied = gql.post(doc("ConfirmAgentOrder"), confirm, as_user=tenants.general_login).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql.data(NODE, {"id": order["id"]}, as_user=tenants.other_login)["node"] is None
    assert gql.data(NODE, {"id": order["id"]}, as_user=tenants.sub_login)["node"] is None
    ship = {
        "input": {
            "id": order["id"],
            "fromWarehouseId": tenants.hq_warehouse,
            "serialNumbers": serials,
            "cardNumbers": numbers,
        }
    }
    early = payload(gql, "ShipAgentOrder", ship, "hq")
    assert early["errors"][0]["code"] == "AGENT_ORDER_NOT_OPEN"
    ok(payload(gql, "ConfirmAgentOrder", confirm, "hq"))
    shipped = ok(payload(gql, "ShipAgentOrder", ship, "hq"))["order"]
    assert shipped["status"] == "SHIPPED"
    assert {x for line in shipped["lines"] for x in line["shipped"]} == set(serials + numbers)
    agent_raw = _raw(tenants.general)
    target = shipped["toWarehouse"]["id"]
    devices = fetch(
        database_url,
        select(m.Device.warehouse_id, m.Device.agent_id).where(m.Device.serial_number.in_(serials)),
    )
    assert devices == [(_raw(target), agent_raw)] * 2
    cards = fetch(
        database_url,
        select(m.AccountCard.warehouse_id, m.AccountCard.agent_id).where(
            m.AccountCard.card_number.in_(numbers)
        ),
    )
    assert cards == [(_raw(target), agent_raw)] * 3
    entries = fetch(
        database_url,
        select(m.StockEntry.warehouse_id, m.StockEntry.delta, m.StockEntry.kind).where(
            m.StockEntry.part_id == _raw(part), m.StockEntry.document == order["number"]
        ),
    )
    assert sorted(entries, key=lambda e: e[1]) == [
        (_raw(tenants.hq_warehouse), -4, LedgerKind.TRANSFER_OUT),
        (_raw(target), 4, LedgerKind.TRANSFER_IN),
    ]
    # HQ knows which agent holds which card: the agent's card list has them, no one else's
    listed = gql.data(
        doc("AccountCards"), {"filter": {"cardNumber": numbers[0]}}, as_user=tenants.general_login
    )["accountCards"]
    assert listed["totalCount"] == 1
    theirs = gql.data(
        doc("AccountCards"), {"filter": {"cardNumber": numbers[0]}}, as_user=tenants.other_login
    )["accountCards"]
    assert theirs["totalCount"] == 0
    again = payload(gql, "ShipAgentOrder", ship, "hq")
    assert again["errors"][0]["code"] == "AGENT_ORDER_NOT_OPEN"
    mine = gql.data(doc("AgentOrders"), {"first": 50}, as_user=tenants.general_login)
    assert order["id"] in {e["node"]["id"] for e in mine["agentOrders"]["edges"]}
    others = gql.data(doc("AgentOrders"), {"first": 50}, as_user=tenants.other_login)
    assert order["id"] not in {e["node"]["id"] for e in others["agentOrders"]["edges"]}


def test_an_order_over_the_credit_limit_waits_for_hqs_approval(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    part, _model, _price = _catalogue(gql, database_url)
    lines = [{"item": "PART", "quantity": 6, "partId": part}]  # 6 × 20 = 120 > 100
    order = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": lines}}, tenants.other_login))
    order = order["order"]
    assert order["needsApproval"] is True
    refused = payload(gql, "ConfirmAgentOrder", {"input": {"id": order["id"]}}, "hq")
    assert refused["errors"][0]["code"] == "CREDIT_APPROVAL_REQUIRED"
    small = [{"item": "PART", "quantity": 1, "partId": part}]  # 20 alone, but 120 is open
    second = ok(payload(gql, "PlaceAgentOrder", {"input": {"lines": small}}, tenants.other_login))
    assert second["order"]["needsApproval"] is True
    assert second["order"]["creditExposure"]["amount"] == "120.00"
    approve = {"input": {"id": order["id"], "approveOverCredit": True}}
    assert ok(payload(gql, "ConfirmAgentOrder", approve, "hq"))["order"]["status"] == "CONFIRMED"
    late = payload(
        gql,
        "CancelAgentOrder",
        {"input": {"id": order["id"], "reason": "不要了"}},
        tenants.other_login,
    )
    assert late["errors"][0]["code"] == "AGENT_ORDER_NOT_OPEN"
    withdrawn = ok(
        payload(
            gql,
            "CancelAgentOrder",
            {"input": {"id": second["order"]["id"], "reason": "下错了"}},
            tenants.other_login,
        )
    )
    assert withdrawn["order"]["status"] == "CANCELLED"
    bad = payload(gql, "PlaceAgentOrder", {"input": {"lines": []}}, tenants.other_login)
    assert bad["errors"][0]["code"] == "REQUIRED"
    wrong = [{"item": "CARD", "quantity": 1, "partId": part}]
    bad = payload(gql, "PlaceAgentOrder", {"input": {"lines": wrong}}, tenants.other_login)
    assert bad["errors"][0]["code"] == "INVALID_ORDER_LINE"
    for_nobody = payload(gql, "PlaceAgentOrder", {"input": {"lines": small}}, "hq")
    assert for_nobody["errors"][0]["code"] == "REQUIRED"
    assert for_nobody["errors"][0]["field"] == "agentId"


def _conflicts(gql: GraphQL, agent: str) -> list[dict[str, Any]]:
    data = gql.data(doc("TerritoryConflicts"), {"agentId": agent, "first": 50}, as_user="hq")
    return [edge["node"] for edge in data["territoryConflicts"]["edges"]]


def _customer_of(database_url: str, owner: OwnerKind, agent_id: str | None = None) -> Any:
    stmt = select(m.Customer).where(m.Customer.owner_kind == owner, m.Customer.deleted_at.is_(None))
    if agent_id is not None:
        stmt = stmt.where(m.Customer.agent_id == agent_id)
    return fetch(database_url, stmt.order_by(m.Customer.code).limit(1))[0][0]


def test_an_agent_reaching_for_someone_elses_customer_is_refused_and_logged(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    direct = _customer_of(database_url, OwnerKind.BRANCH)
    demo_agent = scalars(database_url, select(m.User.agent_id).where(m.User.username == "agent-1"))[
        0
    ]
    poached = _customer_of(database_url, OwnerKind.AGENT, demo_agent)
    for customer in (direct, poached):
        ticket = {
            "type": "RECHARGE",
            "customerId": global_id("Customer", customer.id),
            "recharge": {
                "plan": "BUCKETS",
                "quantity": 5,
                "unitPrice": "8",
                "paymentMethod": "ON_SITE",
            },
        }
        refused = payload(gql, "OpenTicket", {"input": ticket}, tenants.general_login)
        assert refused["ticket"] is None
        assert refused["errors"][0]["code"] == "NOT_FOUND"  # out of scope looks missing
    same_phone = {
        "type": "INQUIRY",
        "newCustomer": {
            "name": "张三",
            "phone": direct.phone,
            "address": dict(zip(("province", "city", "district"), tenants.place, strict=True)),
        },
    }
    refused = payload(gql, "OpenTicket", {"input": same_phone}, tenants.general_login)
    assert refused["errors"][0]["code"] == "TERRITORY_CONFLICT"
    assert refused["errors"][0]["field"] == "newCustomer.phone"
    beijing = _address(database_url, "北京市")
    away = {
        "type": "INQUIRY",
        "newCustomer": {
            "name": "李四",
            "phone": "139" + str(int(unique("p").split("-")[1], 16) % 10**8).zfill(8),
            "address": dict(zip(("province", "city", "district"), beijing, strict=True)),
        },
    }
    refused = payload(gql, "OpenTicket", {"input": away}, tenants.general_login)
    assert refused["errors"][0]["code"] == "OUT_OF_TERRITORY"
    logged = _conflicts(gql, tenants.general)
    kinds = [(c["kind"], c["operation"]) for c in logged]
    assert ("DIRECT_CUSTOMER", "ticket.open:RECHARGE") in kinds
    assert ("OTHER_AGENT_CUSTOMER", "ticket.open:RECHARGE") in kinds
    assert ("DIRECT_CUSTOMER", "ticket.open:INQUIRY") in kinds
    assert ("OUT_OF_TERRITORY", "ticket.open:INQUIRY") in kinds
    direct_one = next(c for c in logged if c["kind"] == "DIRECT_CUSTOMER")
    assert direct_one["ownerBranch"] is not None
    assert direct_one["actor"]["username"] == tenants.general_login
    audited = scalars(
        database_url,
        select(m.AuditEntry.entity_id).where(m.AuditEntry.action == "territory.conflict"),
    )
    assert direct.id in audited
    # nothing else of the refused work was kept
    kept = scalars(database_url, select(m.Customer.id).where(m.Customer.name == "李四"))
    assert kept == []
    denied = gql.post(doc("TerritoryConflicts"), {}, as_user=tenants.general_login).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_an_agent_opens_for_its_own_customer_and_sends_its_own_engineer(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    phone = "137" + str(int(unique("p").split("-")[1], 16) % 10**8).zfill(8)
    opened = ok(
        payload(
            gql,
            "OpenTicket",
            {
                "input": {
                    "type": "INQUIRY",
                    "description": "想了解滤芯价格",
                    "newCustomer": {
                        "name": "王五",
                        "phone": phone,
                        "address": dict(
                            zip(("province", "city", "district"), tenants.place, strict=True)
                        ),
                    },
                }
            },
            tenants.general_login,
        )
    )["ticket"]
    customer = fetch(database_url, select(m.Customer).where(m.Customer.phone == phone))[0][0]
    assert customer.owner_kind is OwnerKind.AGENT
    assert customer.agent_id == _raw(tenants.general)
    ticket_row = fetch(database_url, select(m.Ticket).where(m.Ticket.id == _raw(opened["id"])))
    assert ticket_row[0][0].channel.value == "AGENT"

    def sees(user: str) -> bool:
        found = gql.data(doc("Customers"), {"search": phone}, as_user=user)["customers"]
        return found["totalCount"] == 1

    assert sees(tenants.general_login)
    assert sees("hq")
    assert not sees(tenants.other_login)
    assert not sees(tenants.sub_login)  # a sub-distributor sees nothing of its parent's
    assert not sees("clerk-bj")
    # HQ approves and dispatches; the agent assigns, only its own engineer
    ok(payload(gql, "ApproveTicket", {"id": opened["id"]}, "hotline"))
    job = ok(payload(gql, "DispatchTicket", {"id": opened["id"], "branchId": tenants.sh}, "hq"))
    job_id = job["job"]["id"]
    demo_tech = scalars(
        database_url,
        select(m.Technician.id)
        .join(m.User, m.User.id == m.Technician.user_id)
        .where(m.User.username == "tech-sh-1"),
    )[0]
    wrong = payload(
        gql,
        "AssignJob",
        {"jobId": job_id, "technicianId": global_id("Technician", demo_tech)},
        tenants.general_login,
    )
    assert wrong["errors"][0]["code"] == "NOT_AGENT_ENGINEER"
    other = payload(
        gql, "AssignJob", {"jobId": job_id, "technicianId": tenants.engineer}, tenants.other_login
    )
    assert other["errors"][0]["code"] == "NOT_FOUND"  # another agent's job is not there
    engineers = gql.data(doc("Technicians"), {"first": 50}, as_user=tenants.general_login)
    assert [e["node"]["id"] for e in engineers["technicians"]["edges"]] == [tenants.engineer]
    none = gql.data(doc("Technicians"), {"first": 50}, as_user=tenants.other_login)
    assert none["technicians"]["edges"] == []
    assigned = ok(
        payload(
            gql,
            "AssignJob",
            {"jobId": job_id, "technicianId": tenants.engineer},
            tenants.general_login,
        )
    )
    assert assigned["job"]["status"] == "ASSIGNED"
    jobs = gql.data(doc("Jobs"), {"first": 100}, as_user=tenants.general_login)["jobs"]
    assert job_id in {e["node"]["id"] for e in jobs["edges"]}
    theirs = gql.data(doc("Jobs"), {"first": 100}, as_user=tenants.other_login)["jobs"]
    assert theirs["edges"] == []
    # and the agent's engineer is not sent to a direct customer, whoever assigns
    direct = _customer_of(database_url, OwnerKind.BRANCH)
    inquiry = {"type": "INQUIRY", "customerId": global_id("Customer", direct.id)}
    ticket = ok(payload(gql, "OpenTicket", {"input": inquiry}, "hotline"))["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))
    direct_job = ok(
        payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": tenants.sh}, "hq")
    )
    refused = payload(
        gql,
        "AssignJob",
        {"jobId": direct_job["job"]["id"], "technicianId": tenants.engineer},
        "hq",
    )
    assert refused["errors"][0]["code"] == "NOT_AGENT_ENGINEER"
    assert Role.AGENT.value == "AGENT"


def test_dealer_pages_cost_the_same_statements_whatever_their_size(
    gql: GraphQL, client: TestClient, tenants: Tenants
) -> None:
    token = gql.token("hq")
    gql.data("query Me { me { id } }", token=token)  # session bookkeeping happens here, once
    for name, key, sizes in (("AgentOrders", "agentOrders", (1, 3)), ("Agents", "agents", (2, 10))):
        counts = {}
        for size in sizes:
            with count_statements(client) as seen:
                data = gql.data(doc(name), {"first": size}, token=token)
            assert len(data[key]["edges"]) == size
            counts[size] = len(seen)
        # A larger page may reach one relation more (a sub-distributor's parent), never a
        # statement per row (that would add at least two here).
        assert counts[sizes[1]] <= counts[sizes[0]] + 1, (name, counts)
