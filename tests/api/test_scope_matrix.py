"""Who may see what (domain.md), role by object, through every query and through `node`.

The expected answer comes from an oracle written here from domain.md over raw rows, not from
``domain.policy``; a forbidden object must look exactly like a missing one (``null``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import GraphQL
from tests.deleted_rows import agent_owned_rows, global_ids, soft_delete
from tests.factories import fetch, raw_id
from wellspring.demo import DEMO_USERNAMES
from wellspring.domain import models as m
from wellspring.domain.models.enums import Role
from wellspring.schema.core.ids import global_id

ROLES_UNDER_TEST = [u for u in DEMO_USERNAMES]


@dataclass(frozen=True)
class World:
    users: dict[str, Any]
    technician_of: dict[str, str]  # user id -> technician id
    customers: dict[str, Any]
    devices: dict[str, Any]
    tickets: dict[str, Any]
    jobs: list[Any]


def world(url: str) -> World:
    """Read fresh in every test: other tests add tickets to the shared database."""
    users = {u.username: u for u in (r[0] for r in fetch(url, select(m.User)))}
    techs = {t.user_id: t.id for t in (r[0] for r in fetch(url, select(m.Technician)))}
    customers = {c.id: c for c in (r[0] for r in fetch(url, select(m.Customer)))}
    devices = {d.id: d for d in (r[0] for r in fetch(url, select(m.Device)))}
    tickets = {t.id: t for t in (r[0] for r in fetch(url, select(m.Ticket)))}
    jobs = [j[0] for j in fetch(url, select(m.Job))]
    return World(users, techs, customers, devices, tickets, jobs)


class Oracle:
    """domain.md's "Who may see what", restated over plain rows."""

    def __init__(self, w: World, username: str) -> None:
        self.w = w
        self.user = w.users[username]
        tech_id = w.technician_of.get(self.user.id)
        self.job_tickets = {j.ticket_id for j in w.jobs if tech_id and j.technician_id == tech_id}

    def customer(self, c: Any) -> bool:
        u = self.user
        match u.role:
            case Role.ADMIN | Role.HQ | Role.HOTLINE:
                return True
            case Role.CLERK:
                return bool(c.branch_id == u.branch_id)
            case Role.SALES:
                return bool(c.sales_user_id == u.id)
            case Role.AGENT:
                return bool(c.agent_id == u.agent_id)
            case Role.TECHNICIAN:
                return any(self.w.tickets[t].customer_id == c.id for t in self.job_tickets)
            case Role.CUSTOMER:
                return bool(c.id == u.customer_id)
        return False

    def ticket(self, t: Any) -> bool:
        u = self.user
        match u.role:
            case Role.ADMIN | Role.HQ | Role.HOTLINE:
                return True
            case Role.CLERK:
                return bool(t.branch_id == u.branch_id)
            case Role.TECHNICIAN:
                return t.id in self.job_tickets
        return self.customer(self.w.customers[t.customer_id])

    def device(self, d: Any) -> bool:
        u = self.user
        match u.role:
            case Role.ADMIN | Role.HQ | Role.HOTLINE:
                return True
            case Role.CLERK:
                return bool(d.branch_id == u.branch_id)
            case Role.AGENT:
                return bool(d.agent_id == u.agent_id)
            case Role.TECHNICIAN:
                return any(self.w.tickets[t].device_id == d.id for t in self.job_tickets)
        return d.customer_id is not None and self.customer(self.w.customers[d.customer_id])


def samples(w: World) -> list[Any]:
    """Customers of every kind of owner: each branch, each agent, a salesperson, a login."""
    picked: dict[str, Any] = {}
    users = w.users
    for c in sorted(w.customers.values(), key=lambda c: c.id):
        if c.deleted_at is not None:
            continue  # test_deleted_rows_read_as_not_found_by_every_role checks those
        keys = [f"branch:{c.branch_id}:{c.owner_kind}", f"agent:{c.agent_id}"]
        if c.sales_user_id:
            keys.append("sales")
        if c.id == users["customer-1"].customer_id:
            keys.append("customer-1")
        for key in keys:
            picked.setdefault(key, c)
    for tech in ("tech-sh-1", "tech-bj-1"):
        tech_id = w.technician_of[users[tech].id]
        jobs = sorted((j for j in w.jobs if j.technician_id == tech_id), key=lambda j: j.id)
        if jobs:
            picked[tech] = w.customers[w.tickets[jobs[0].ticket_id].customer_id]
    return list({c.id: c for c in picked.values()}.values())


def _first_ticket(w: World, customer_id: str) -> Any | None:
    mine = sorted(
        (t for t in w.tickets.values() if t.customer_id == customer_id), key=lambda t: t.id
    )
    return mine[0] if mine else None


def _first_device(w: World, customer_id: str) -> Any | None:
    mine = sorted(
        (d for d in w.devices.values() if d.customer_id == customer_id), key=lambda d: d.id
    )
    return mine[0] if mine else None


LOOKUPS = {
    "Customer": ("customer", "customer"),
    "Device": ("device", "device"),
    "Ticket": ("ticket", "ticket"),
}


@pytest.mark.parametrize("username", ROLES_UNDER_TEST)
def test_single_object_lookups_and_node_follow_the_rules(
    gql: GraphQL, database_url: str, username: str
) -> None:
    w = world(database_url)
    oracle = Oracle(w, username)
    checked = 0
    for customer in samples(w):
        objects = {
            "Customer": customer,
            "Device": _first_device(w, customer.id),
            "Ticket": _first_ticket(w, customer.id),
        }
        for type_name, row in objects.items():
            if row is None:
                continue
            # A soft-deleted row reads as not found by id, as it is missing from lists.
            expected = getattr(oracle, type_name.lower())(row) and row.deleted_at is None
            gid = global_id(type_name, row.id)
            field = LOOKUPS[type_name][0]
            data = gql.data(
                f"query($id: ID!) {{ one: {field}(id: $id) {{ id }} "
                f"node(id: $id) {{ id ... on {type_name} {{ id }} }} }}",
                {"id": gid},
                as_user=username,
            )
            assert (data["one"] is not None) is expected, (username, type_name, row.id)
            assert (data["node"] is not None) is expected, (username, type_name, "node")
            checked += 1
    assert checked >= 12


@pytest.fixture(scope="module")
def deleted_rows(database_url: str) -> dict[str, str]:
    raw = agent_owned_rows(database_url)
    soft_delete(database_url, raw)
    return global_ids(raw)


@pytest.mark.parametrize("username", ROLES_UNDER_TEST)
def test_deleted_rows_read_as_not_found_by_every_role(
    gql: GraphQL, deleted_rows: dict[str, str], username: str
) -> None:
    """Agent-1 could see them before; after a soft delete no role finds them by id."""
    for type_name, key in (("Customer", "c"), ("Device", "d"), ("Ticket", "t")):
        field = LOOKUPS[type_name][0]
        data = gql.data(
            f"query($id: ID!) {{ one: {field}(id: $id) {{ id }} node(id: $id) {{ id }} }}",
            {"id": deleted_rows[key]},
            as_user=username,
        )
        assert data == {"one": None, "node": None}, (username, type_name)


@pytest.mark.parametrize("username", ROLES_UNDER_TEST)
def test_lists_hold_exactly_what_the_role_may_see(
    gql: GraphQL, database_url: str, username: str
) -> None:
    w = world(database_url)
    oracle = Oracle(w, username)
    expected_customers = {
        c.id for c in w.customers.values() if oracle.customer(c) and c.deleted_at is None
    }
    expected_tickets = {
        t.id for t in w.tickets.values() if oracle.ticket(t) and t.deleted_at is None
    }
    data = gql.data(
        "{ customers(first: 100) { totalCount edges { node { id } } } "
        "tickets(first: 100) { totalCount edges { node { id customer { id } device { id } } } } }",
        as_user=username,
    )
    assert data["customers"]["totalCount"] == len(expected_customers)
    assert data["tickets"]["totalCount"] == len(expected_tickets)
    for edge in data["customers"]["edges"]:
        assert raw_id(edge["node"]["id"]) in expected_customers
    for edge in data["tickets"]["edges"]:
        ticket = edge["node"]
        assert raw_id(ticket["id"]) in expected_tickets
        # A visible ticket's customer shows when the role may see that customer, else null.
        customer = w.customers[w.tickets[raw_id(ticket["id"])].customer_id]
        shown = oracle.customer(customer) and customer.deleted_at is None
        assert (ticket["customer"] is not None) is shown, (username, ticket["id"])
        if shown:
            assert raw_id(ticket["customer"]["id"]) == customer.id


def _customers_of(gql: GraphQL, username: str) -> tuple[set[str], int]:
    page = gql.data(
        "{ customers(first: 100) { totalCount edges { node { id } } } }", as_user=username
    )["customers"]
    return {raw_id(e["node"]["id"]) for e in page["edges"]}, page["totalCount"]


def test_the_rules_separate_what_they_must(gql: GraphQL, database_url: str) -> None:
    """domain.md's sentences checked on the API against raw rows, not through the oracle."""
    w = world(database_url)
    users = w.users
    agent, total = _customers_of(gql, "agent-1")
    assert 3 <= total == len(agent)  # agents see their own customers...
    assert {w.customers[c].agent_id for c in agent} == {users["agent-1"].agent_id}
    assert any(c.agent_id is None for c in w.customers.values())  # ...never a direct one
    clerk, _ = _customers_of(gql, "clerk-sh")
    assert clerk
    assert {w.customers[c].branch_id for c in clerk} == {users["clerk-sh"].branch_id}
    assert any(c.branch_id != users["clerk-sh"].branch_id for c in w.customers.values())
    assert _customers_of(gql, "customer-1") == ({users["customer-1"].customer_id}, 1)
    sales, total = _customers_of(gql, "sales-sh-1")
    assert 3 <= total == len(sales)
    assert {w.customers[c].sales_user_id for c in sales} == {users["sales-sh-1"].id}
    tickets = gql.data("{ tickets(first: 100) { edges { node { id } } } }", as_user="tech-sh-1")
    mine = {raw_id(e["node"]["id"]) for e in tickets["tickets"]["edges"]}
    tech = w.technician_of[users["tech-sh-1"].id]
    assert mine
    assert mine <= {j.ticket_id for j in w.jobs if j.technician_id == tech}
