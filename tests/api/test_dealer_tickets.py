"""Tickets through an agent (issue 18) through the API: the hotline names the agent of its
customer, the job goes to that agent's engineers only, another owner's customer is a kept
territory conflict; and a relocation carries the fee its price standard sets."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, insert, select

from tests.api.dealer_world import Tenants, address, tenants
from tests.api.ticket_types_world import sh_device
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import execute, fetch, raw_id, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.models.enums import OwnerKind, SupplyMode
from wellspring.schema.core.ids import global_id

__all__ = ["tenants"]  # the module's fixture


def _phone() -> str:
    return "136" + str(int(unique("p").split("-")[1], 16) % 10**8).zfill(8)


def _place(tenants: Tenants) -> dict[str, str]:
    return dict(zip(("province", "city", "district"), tenants.place, strict=True))


def _customer_of(database_url: str, owner: OwnerKind, agent_id: str | None = None) -> str:
    stmt = select(m.Customer.id).where(
        m.Customer.owner_kind == owner, m.Customer.deleted_at.is_(None)
    )
    # A direct customer is one with no agent (``territory._owner_kind``), whatever other
    # tests left: a customer code of theirs (``unique``) can sort first.
    stmt = stmt.where(
        m.Customer.agent_id == agent_id if agent_id else m.Customer.agent_id.is_(None)
    )
    return global_id("Customer", scalars(database_url, stmt.order_by(m.Customer.code).limit(1))[0])


def _open(gql: GraphQL, fields: dict[str, Any], user: str = "hotline") -> dict[str, Any]:
    return payload(gql, "OpenTicket", {"input": {"type": "INQUIRY", **fields}}, user)


def test_the_hotline_opens_through_an_agent_for_its_customer_and_only_its_engineers_go(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    # a new customer through the agent becomes the agent's, serviced through its branch
    phone = _phone()
    new = {"name": "赵六", "phone": phone, "address": _place(tenants)}
    first = ok(_open(gql, {"newCustomer": new, "agentId": tenants.general}))["ticket"]
    assert first["throughAgent"]["id"] == tenants.general
    owner = fetch(
        database_url,
        select(m.Customer.agent_id, m.Customer.owner_kind).where(m.Customer.phone == phone),
    )
    assert owner == [(raw_id(tenants.general), OwnerKind.AGENT)]
    customer = global_id(
        "Customer", scalars(database_url, select(m.Customer.id).where(m.Customer.phone == phone))[0]
    )
    ticket = ok(_open(gql, {"customerId": customer, "agentId": tenants.general}, "clerk-sh"))
    ticket_id = ticket["ticket"]["id"]
    row = fetch(database_url, select(m.Ticket.agent_id).where(m.Ticket.id == raw_id(ticket_id)))
    assert row == [(raw_id(tenants.general),)]
    ok(payload(gql, "ApproveTicket", {"id": ticket_id}, "hotline"))
    job = ok(payload(gql, "DispatchTicket", {"id": ticket_id, "branchId": tenants.sh}, "hq"))
    job_id = job["job"]["id"]
    direct_engineer = scalars(
        database_url,
        select(m.Technician.id)
        .join(m.User, m.User.id == m.Technician.user_id)
        .where(m.User.username == "tech-sh-1"),
    )[0]
    refused = payload(
        gql,
        "AssignJob",
        {"jobId": job_id, "technicianId": global_id("Technician", direct_engineer)},
        "hq",
    )
    assert refused["errors"][0]["code"] == "NOT_AGENT_ENGINEER"
    assigned = ok(
        payload(gql, "AssignJob", {"jobId": job_id, "technicianId": tenants.engineer}, "hq")
    )
    assert assigned["job"]["status"] == "ASSIGNED"
    # the agent reads the ticket it was named on; another agent does not
    seen = gql.data(doc("Ticket"), {"id": ticket_id}, as_user=tenants.general_login)["ticket"]
    assert seen is not None
    assert gql.data(doc("Ticket"), {"id": ticket_id}, as_user=tenants.other_login)["ticket"] is None


def test_naming_an_agent_for_someone_elses_customer_is_a_kept_conflict(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    direct = _customer_of(database_url, OwnerKind.BRANCH)
    demo_agent = scalars(database_url, select(m.User.agent_id).where(m.User.username == "agent-1"))
    theirs = _customer_of(database_url, OwnerKind.AGENT, demo_agent[0])
    before = scalars(database_url, select(func.count(m.Ticket.id)))[0]
    for customer in (direct, theirs):
        refused = _open(gql, {"customerId": customer, "agentId": tenants.general})
        assert refused["ticket"] is None
        assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == (
            "TERRITORY_CONFLICT",
            "agentId",
        )
    beijing = address(database_url, "北京市")
    away = {
        "name": "钱七",
        "phone": _phone(),
        "address": dict(zip(("province", "city", "district"), beijing, strict=True)),
    }
    refused = _open(gql, {"newCustomer": away, "agentId": tenants.general})
    assert refused["errors"][0]["code"] == "OUT_OF_TERRITORY"
    assert scalars(database_url, select(func.count(m.Ticket.id)))[0] == before
    data = gql.data(
        doc("TerritoryConflicts"), {"agentId": tenants.general, "first": 50}, as_user="hq"
    )
    logged = [edge["node"] for edge in data["territoryConflicts"]["edges"]]
    by_hotline = [
        (c["kind"], c["customerId"]) for c in logged if c["actor"]["username"] == "hotline"
    ]
    assert ("DIRECT_CUSTOMER", direct) in by_hotline
    assert ("OTHER_AGENT_CUSTOMER", theirs) in by_hotline
    assert ("OUT_OF_TERRITORY", None) in by_hotline
    # an agent's login names no agent (it opens as itself); an unknown agent is not found
    denied = gql.post(
        doc("OpenTicket"),
        {"input": {"type": "INQUIRY", "customerId": direct, "agentId": tenants.general}},
        as_user=tenants.general_login,
    ).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    missing = _open(
        gql,
        {
            "customerId": direct,
            "agentId": global_id("Agent", "00000000-0000-4000-8000-00000000dead"),
        },
    )
    assert missing["errors"][0]["code"] == "NOT_FOUND"


def _address_in(database_url: str, customer: str, province: str) -> str:
    address_id = str(uuid.uuid4())
    execute(
        database_url,
        insert(m.Address).values(
            id=address_id,
            customer_id=raw_id(customer),
            province=province,
            city=province + "市",
            district="某区",
            street="某街道",
        ),
    )
    return global_id("Address", address_id)


def test_a_relocation_carries_the_fee_of_the_standard_that_applies(
    gql: GraphQL, database_url: str, tenants: Tenants
) -> None:
    device, customer = sh_device(database_url, SupplyMode.MONTHLY)
    priced, unpriced, later = (unique("省") for _ in range(3))
    tomorrow = (dt.datetime.now(TIME_ZONE) + dt.timedelta(days=1)).date().isoformat()
    standards = (
        {"province": priced, "price": "80", "effectiveFrom": "2026-01-01"},
        {"province": priced, "city": priced + "市", "price": "95", "effectiveFrom": "2026-01-01"},
        {"province": later, "price": "70", "effectiveFrom": tomorrow},
    )
    ids = [
        ok(payload(gql, "UpsertPriceStandard", {"input": {"kind": "SERVICE_RELOCATE", **s}}, "hq"))[
            "priceStandard"
        ]["id"]
        for s in standards
    ]
    new = {"province": "上海市", "city": "上海市", "district": "浦东新区", "street": "花木街道"}

    def relocate(province: str) -> dict[str, Any]:
        fields = {
            "type": "RELOCATE",
            "customerId": customer,
            "deviceId": device,
            "addressId": _address_in(database_url, customer, province),
            "relocateTo": new,
        }
        ticket = ok(payload(gql, "OpenTicket", {"input": fields}, "hotline"))["ticket"]
        ok(payload(gql, "CancelTicket", {"id": ticket["id"], "reason": "测试"}, "hotline"))
        return ticket

    charged = relocate(priced)["charge"]  # the city's standard beats the province's
    assert charged == {
        "amount": "95.00",
        "currency": "CNY",
        "kind": "SERVICE_RELOCATE",
        "standardId": ids[1],
    }
    assert relocate(unpriced)["charge"] is None  # no standard there
    assert relocate(later)["charge"] is None  # not yet in force
    # a repair is not charged by the relocation standard
    repair = {"type": "INQUIRY", "customerId": customer, "addressId": None}
    inquiry = ok(payload(gql, "OpenTicket", {"input": {**repair}}, "hotline"))["ticket"]
    assert inquiry["charge"] is None
