"""Dealers as tenants (issue 18) through the API: the agent tree and who sees which agent,
territory conflicts refused and kept for HQ, agents opening tickets for their own customers
and sending their own engineers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.api.dealer_world import NODE, Tenants, address, tenants, upsert_agent
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import OwnerKind
from wellspring.schema.core.ids import global_id

__all__ = ["tenants"]  # the module's fixture


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
        result = upsert_agent(gql, fields, user)
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
    edited = ok(upsert_agent(gql, {"id": tenants.other, "contactEmail": "a@b.cn"}))["agent"]
    assert edited["contactEmail"] == "a@b.cn"


def _conflicts(gql: GraphQL, agent: str) -> list[dict[str, Any]]:
    data = gql.data(doc("TerritoryConflicts"), {"agentId": agent, "first": 50}, as_user="hq")
    return [edge["node"] for edge in data["territoryConflicts"]["edges"]]


def _customer_of(
    database_url: str, owner: OwnerKind, agent_id: str | None = None, branch: str | None = None
) -> Any:
    stmt = select(m.Customer).where(m.Customer.owner_kind == owner, m.Customer.deleted_at.is_(None))
    if branch is not None:  # a branch's code: a ticket goes to its customer's branch only
        stmt = stmt.where(
            m.Customer.branch_id
            == select(m.Branch.id).where(m.Branch.code == branch).scalar_subquery()
        )
    # A direct customer is one with no agent (``territory._owner_kind``), whatever other
    # tests left: a customer code of theirs (``unique``) can sort first.
    stmt = stmt.where(
        m.Customer.agent_id == agent_id if agent_id else m.Customer.agent_id.is_(None)
    )
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
    beijing = address(database_url, "北京市")
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
    assert customer.agent_id == raw_id(tenants.general)
    ticket_row = fetch(database_url, select(m.Ticket).where(m.Ticket.id == raw_id(opened["id"])))
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
    direct = _customer_of(database_url, OwnerKind.BRANCH, branch="SH")
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
