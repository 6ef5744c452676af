"""Lists that grow under an object (a device's tickets and water tests, a customer's tickets)
are keyset connections: they page without gaps, count lazily and cost no statement per parent."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.seen import count_statements
from tests.conftest import GraphQL

BUSY = (
    "query { customers(first: 100) { edges { node { id "
    "ticketsConnection(first: 1) { totalCount } "
    "tickets { id } devices { id tickets { id } waterTests { id } } } } } }"
)


def _busiest(gql: GraphQL) -> tuple[dict[str, Any], dict[str, Any]]:
    """The customer and the device with the most tickets on the first page of customers."""
    edges = gql.data(BUSY, as_user="hq")["customers"]["edges"]
    customer = max((e["node"] for e in edges), key=lambda c: len(c["tickets"]))
    devices = [d for e in edges for d in e["node"]["devices"]]
    device = max(devices, key=lambda d: len(d["tickets"]) + len(d["waterTests"]))
    return customer, device


def _walk(gql: GraphQL, query: str, id_: str, path: tuple[str, str]) -> tuple[list[str], int]:
    seen: list[str] = []
    after = None
    total = -1
    while True:
        node = gql.data(query, {"id": id_, "after": after}, as_user="hq")[path[0]]
        page = node[path[1]]
        total = page["totalCount"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen, total
        after = page["pageInfo"]["endCursor"]


def _page_query(parent: str, field: str) -> str:
    return (
        f"query($id: ID!, $after: String) {{ {parent}(id: $id) {{ "
        f"{field}(first: 1, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
        "edges { node { id } } nodes { id } } } }"
    )


def test_pages_walk_the_same_rows_in_the_same_order_as_the_old_lists(gql: GraphQL) -> None:
    customer, device = _busiest(gql)
    assert len(customer["tickets"]) > 1
    assert len(device["tickets"]) + len(device["waterTests"]) > 1
    walked, total = _walk(
        gql,
        _page_query("customer", "ticketsConnection"),
        customer["id"],
        ("customer", "ticketsConnection"),
    )
    assert walked == [t["id"] for t in customer["tickets"]]
    assert total == len(walked) == customer["ticketsConnection"]["totalCount"]
    for field, old in (("ticketsConnection", "tickets"), ("waterTestsConnection", "waterTests")):
        walked, total = _walk(gql, _page_query("device", field), device["id"], ("device", field))
        assert walked == [t["id"] for t in device[old]], field
        assert total == len(walked)


def test_first_is_capped_and_a_bad_cursor_is_refused(gql: GraphQL) -> None:
    customer, _ = _busiest(gql)
    query = (
        "query($id: ID!, $n: Int, $a: String) { customer(id: $id) { "
        "ticketsConnection(first: $n, after: $a) { totalCount } } }"
    )
    for variables in ({"n": 101}, {"n": 0}, {"n": 5, "a": "not-a-cursor"}):
        body = gql.post(query, {"id": customer["id"], **variables}, as_user="hq").json()
        assert body["errors"], variables
        assert body["errors"][0]["extensions"]["code"] in {
            "PAGE_SIZE_OUT_OF_RANGE",
            "INVALID_CURSOR",
        }, body


NESTED = """query($n: Int) { customers(first: $n) { edges { node { id
  ticketsConnection(first: 3) { totalCount pageInfo { hasNextPage }
    edges { cursor node { id number } } }
  devices { id ticketsConnection(first: 2) { totalCount nodes { id status } }
    waterTestsConnection(first: 2) { totalCount nodes { id passed } } } } } } }"""


def test_nested_pages_cost_the_same_statements_whatever_the_number_of_parents(
    gql: GraphQL, client: TestClient
) -> None:
    token = gql.token("hq")
    gql.data("query Me { me { id } }", token=token)
    counts = {}
    for size in (3, 60):
        with count_statements(client) as seen:
            data = gql.data(NESTED, {"n": size}, token=token)
        assert len(data["customers"]["edges"]) == size
        counts[size] = len(seen)
    # The customers, their devices, then per nested connection one windowed statement and
    # one grouped count, plus the request's session check: at most 10 whatever the page
    # size (a small page may skip some, when its customers have no devices). One statement
    # per parent would cost at least 60 here.
    assert max(counts.values()) <= 10, counts


def test_a_customer_pages_their_own_tickets_and_devices(gql: GraphQL) -> None:
    me = gql.data(
        "query { customers(first: 5) { edges { node { id ticketsConnection(first: 50) "
        "{ totalCount edges { node { id customer { id } } } } devices { id "
        "ticketsConnection(first: 50) { nodes { customer { id } } } "
        "waterTestsConnection(first: 5) { totalCount } } } } } }",
        as_user="customer-1",
    )["customers"]["edges"]
    assert len(me) == 1
    node = me[0]["node"]
    assert node["ticketsConnection"]["totalCount"] == len(node["ticketsConnection"]["edges"]) > 0
    assert {e["node"]["customer"]["id"] for e in node["ticketsConnection"]["edges"]} == {node["id"]}
    for device in node["devices"]:
        owners = {t["customer"]["id"] for t in device["ticketsConnection"]["nodes"]}
        assert owners <= {node["id"]}
