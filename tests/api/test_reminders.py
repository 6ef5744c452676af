"""The hotline's proactive lists and the urgent-first queue."""

from __future__ import annotations

import datetime as dt

from tests.conftest import GraphQL

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
EXPIRING = """query($days: Int, $expired: Boolean, $after: String) {
  devicesSupplyExpiring(withinDays: $days, includeExpired: $expired, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id supplyExpiresOn supplyMode status customer { name phone } } }
  }
}"""


def test_supply_expiring_soonest_first_within_the_window(gql: GraphQL) -> None:
    today = dt.datetime.now(SHANGHAI).date()
    seen: list[str] = []
    after = None
    while True:
        page = gql.data(EXPIRING, {"days": 30, "expired": False, "after": after}, as_user="hotline")
        page = page["devicesSupplyExpiring"]
        for edge in page["edges"]:
            node = edge["node"]
            assert node["supplyMode"] == "MONTHLY"
            assert node["status"] == "INSTALLED"
            day = dt.date.fromisoformat(node["supplyExpiresOn"])
            assert today <= day <= today + dt.timedelta(days=30)
            seen.append(node["supplyExpiresOn"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen)
    with_expired = gql.data(EXPIRING, {"days": 30, "expired": True}, as_user="hotline")
    assert with_expired["devicesSupplyExpiring"]["totalCount"] >= len(seen)
    clerk = gql.data(EXPIRING, {"days": 365, "expired": True}, as_user="clerk-bj")
    hq = gql.data(EXPIRING, {"days": 365, "expired": True}, as_user="hq")
    assert clerk["devicesSupplyExpiring"]["totalCount"] < hq["devicesSupplyExpiring"]["totalCount"]
    tech = gql.post(EXPIRING, {"days": 30}, as_user="tech-sh-1").json()
    assert tech["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = gql.post(EXPIRING, {"days": -1}, as_user="hotline").json()
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


def test_urgent_unresolved_work_comes_first(gql: GraphQL) -> None:
    rank = {"URGENT": 4, "HIGH": 3, "NORMAL": 2, "LOW": 1}
    query = """query($after: String) {
      tickets(filter: {open: true, urgentFirst: true}, first: 15, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { id priority dueAt status } }
      }
    }"""
    keys: list[tuple[int, str]] = []
    ids: list[str] = []
    after = None
    while True:
        page = gql.data(query, {"after": after}, as_user="hq")["tickets"]
        for edge in page["edges"]:
            node = edge["node"]
            keys.append((-rank[node["priority"]], node["dueAt"] or "9999"))
            ids.append(node["id"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert keys == sorted(keys)
    assert len(ids) == len(set(ids))
    everything = gql.data("{ tickets(filter: {open: true}) { totalCount } }", as_user="hq")
    assert len(ids) == everything["tickets"]["totalCount"]
