"""Soft-deleted customers, devices and tickets read as not found by id, as in lists.

Only an admin's audit read (``includeDeleted: true``) still returns them.
"""

from __future__ import annotations

from tests.conftest import GraphQL
from tests.deleted_rows import agent_owned_rows, global_ids, soft_delete
from wellspring.schema.core.ids import global_id

READ = (
    "query($c: ID!, $d: ID!, $t: ID!) {{ "
    "customer(id: $c{flag}) {{ id deletedAt }} device(id: $d{flag}) {{ id deletedAt }} "
    "ticket(id: $t{flag}) {{ id deletedAt customer {{ id }} device {{ id }} }} "
    "nc: node(id: $c) {{ id }} nd: node(id: $d) {{ id }} nt: node(id: $t) {{ id }} }}"
)


def test_deleted_rows_read_as_not_found_except_in_an_admin_audit_read(
    gql: GraphQL, database_url: str
) -> None:
    raw = agent_owned_rows(database_url)
    ids = global_ids(raw)
    for user in ("agent-1", "hq", "admin"):
        live = gql.data(READ.format(flag=""), ids, as_user=user)
        assert all(live[k] is not None for k in ("customer", "device", "ticket", "nc", "nd", "nt"))
        assert live["customer"]["deletedAt"] is None

    soft_delete(database_url, raw)
    for user in ("agent-1", "hq", "admin"):
        gone = gql.data(READ.format(flag=""), ids, as_user=user)
        assert gone == dict.fromkeys(("customer", "device", "ticket", "nc", "nd", "nt")), user
        listed = gql.data(
            "query($s: String) { customers(search: $s) { totalCount } }",
            {"s": raw["code"]},
            as_user=user,
        )
        assert listed["customers"]["totalCount"] == 0

    audit = gql.data(READ.format(flag=", includeDeleted: true"), ids, as_user="admin")
    assert audit["customer"]["id"] == ids["c"]
    assert audit["customer"]["deletedAt"]
    assert audit["device"]["id"] == ids["d"]
    assert audit["device"]["deletedAt"]
    assert audit["ticket"]["id"] == ids["t"]
    assert audit["ticket"]["deletedAt"]
    # Links from the audited row still read as not found; node() has no audit path.
    assert audit["ticket"]["customer"] is None
    assert audit["ticket"]["device"] is None
    assert audit["nc"] is None


def test_only_an_admin_may_ask_for_deleted_rows(gql: GraphQL, database_url: str) -> None:
    raw = agent_owned_rows(database_url)
    for user in ("hq", "agent-1", "customer-1"):
        body = gql.post(
            "query($c: ID!) { customer(id: $c, includeDeleted: true) { id } }",
            {"c": global_id("Customer", raw["c"])},
            as_user=user,
        ).json()
        assert body["data"]["customer"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", user
