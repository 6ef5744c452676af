"""The documents under clients/ run as their personas would send them, with real answers."""

from __future__ import annotations

from itertools import pairwise

from tests.api.seen import doc
from tests.conftest import GraphQL


def test_hotline_finds_a_caller_then_opens_customer_device_and_ticket(gql: GraphQL) -> None:
    me = gql.data(doc("Me"), as_user="hotline")["me"]
    assert me["roles"] == ["HOTLINE"]
    assert me["branch"]["code"] == "HQ"

    customers = gql.data(doc("Customers"), {"first": 50}, as_user="hotline")["customers"]
    assert customers["totalCount"] >= 50
    assert customers["pageInfo"]["hasNextPage"] is True

    with_device = None
    for edge in customers["edges"]:
        customer = gql.data(doc("Customer"), {"id": edge["node"]["id"]}, as_user="hotline")
        customer = customer["customer"]
        addresses = customer["addresses"]
        # The default address first, when one is marked (none may be: the default is then
        # the oldest, ``customers.default_address``).
        if any(a["isDefault"] for a in addresses):
            assert addresses[0]["isDefault"] is True
        for address in addresses:
            assert address["fullText"].startswith(address["province"])
        if customer["devicesConnection"]["nodes"] and customer["ticketsConnection"]["nodes"]:
            first_device = customer["devicesConnection"]["nodes"][0]["id"]
            device = gql.data(doc("Device"), {"id": first_device}, as_user="hotline")["device"]
            assert device["customer"]["id"] == customer["id"]
            # a demo machine, with its filter stages (other tests make models without any,
            # or drop a model's stages, and their customers may list first)
            if device["model"]["filters"]:
                with_device = customer
                break
    assert with_device is not None
    if device["card"] is not None:
        assert device["card"]["status"] == "ACTIVE"
    assert device["price"]["currency"] == "CNY"

    ticket_id = with_device["ticketsConnection"]["nodes"][0]["id"]
    ticket = gql.data(doc("Ticket"), {"id": ticket_id}, as_user="hotline")["ticket"]
    history = ticket["history"]
    assert history[0]["from"] is None
    assert history[-1]["to"] == ticket["status"]
    for before, after in pairwise(history):
        assert after["from"] == before["to"]
        assert after["at"] >= before["at"]
    assert history[0]["at"].endswith("+08:00")  # shown in Asia/Shanghai


def test_clerk_filters_the_branch_list(gql: GraphQL) -> None:
    data = gql.data(doc("Tickets"), {"filter": {"open": True}, "first": 100}, as_user="clerk-sh")[
        "tickets"
    ]
    branches = {e["node"]["branch"]["name"] for e in data["edges"]}
    assert branches == {"上海分公司"}
    assert all(e["node"]["status"] not in ("CLOSED", "CANCELLED") for e in data["edges"])


def test_customer_sees_their_own_ticket_and_engineer_their_jobs(gql: GraphQL) -> None:
    # The customer page asks only for what a customer may see (docs/api.md's allowlist).
    mine = gql.data(
        "{ tickets { totalCount edges { node { id status customer { id name } } } } }",
        as_user="customer-1",
    )["tickets"]
    assert mine["totalCount"] >= 1
    assert len({e["node"]["customer"]["id"] for e in mine["edges"]}) == 1
    # The dispatcher's document asks for the customer's tier, which is internal.
    body = gql.post(doc("Tickets"), {}, as_user="customer-1").json()
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert {tuple(e["path"][-2:]) for e in body["errors"]} == {("customer", "tier")}
    engineer = gql.data(doc("Me"), as_user="tech-sh-1")["me"]["displayName"]
    jobs = gql.data(doc("Tickets"), {"first": 100}, as_user="tech-sh-1")["tickets"]
    assert jobs["totalCount"] >= 1
    for edge in jobs["edges"]:
        ticket = gql.data(doc("Ticket"), {"id": edge["node"]["id"]}, as_user="tech-sh-1")
        names = [job["technicianName"] for job in ticket["ticket"]["jobs"]]
        assert engineer in names, (engineer, names)
