"""The hotline's proactive lists and the urgent-first queue."""

from __future__ import annotations

import datetime as dt

from tests.conftest import GraphQL
from wellspring.domain.config import TIME_ZONE as SHANGHAI

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


FILTERS_DUE = """query($days: Int, $after: String) {
  devicesFiltersDue(withinDays: $days, first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id customer { id ownerKind } model { filters { id } }
      filters { filterType { id name lifetimeDays } lastChangedOn dueOn due } } }
  }
}"""


def test_filters_due_and_a_filter_change_resets_them(gql: GraphQL) -> None:
    from tests.api.ticket_types_world import through_the_visit

    today = dt.datetime.now(SHANGHAI).date()
    horizon = today + dt.timedelta(days=14)
    page = gql.data(FILTERS_DUE, {"days": 14}, as_user="clerk-sh")["devicesFiltersDue"]
    assert page["totalCount"] > 0
    for edge in page["edges"]:
        dues = [f["dueOn"] for f in edge["node"]["filters"] if f["dueOn"]]
        assert any(dt.date.fromisoformat(d) <= horizon for d in dues), edge
    device = next(
        e["node"] for e in page["edges"] if e["node"]["customer"]["ownerKind"] == "BRANCH"
    )
    due = [
        f for f in device["filters"] if f["dueOn"] and dt.date.fromisoformat(f["dueOn"]) <= horizon
    ]
    changed = [f["filterType"]["id"] for f in due]
    assert changed, device

    import tests.api.workflow_steps as wf

    database_url = gql.client.app.state.settings.database_url  # type: ignore[attr-defined]
    models = gql.data("{ deviceModels { filters { id } } }", as_user="hq")["deviceModels"]
    own = {x["id"] for x in device["model"]["filters"]}
    foreign = [f["id"] for model in models for f in model["filters"] if f["id"] not in own][:1]
    assert foreign, "the demo has several device models"
    ticket_input = {
        "type": "FILTER_CHANGE",
        "customerId": device["customer"]["id"],
        "deviceId": device["id"],
    }
    # A filter of another model is refused and nothing is recorded.
    o = wf.ids(database_url)
    t = wf.ok(wf.payload(gql, "OpenTicket", {"input": ticket_input}, "hotline"))["ticket"]
    wf.ok(wf.payload(gql, "ApproveTicket", {"id": t["id"]}, "hotline"))
    job_id = wf.ok(
        wf.payload(gql, "DispatchTicket", {"id": t["id"], "branchId": o["SH"]}, "clerk-sh")
    )["job"]["id"]
    wf.ok(
        wf.payload(gql, "AssignJob", {"jobId": job_id, "technicianId": o["tech-sh-1"]}, "clerk-sh")
    )
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        wf.ok(wf.payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    bad = wf.payload(
        gql,
        "CompleteJob",
        {"input": {"jobId": job_id, "report": {"filtersChanged": foreign}}},
        "tech-sh-1",
    )
    assert (bad["errors"][0]["code"], bad["errors"][0]["field"]) == (
        "FILTER_NOT_OF_MODEL",
        "report.filtersChanged",
    )
    wf.ok(wf.payload(gql, "CancelTicket", {"id": t["id"], "reason": "test"}, "hotline"))

    through_the_visit(gql, database_url, ticket_input, {"filtersChanged": changed})
    after = gql.data(wf.doc("Device"), {"id": device["id"]}, as_user="hq")["device"]
    full = gql.data(
        "query($id: ID!) { device(id: $id) { filters { filterType { id lifetimeDays } "
        "lastChangedOn dueOn due } } }",
        {"id": device["id"]},
        as_user="hq",
    )["device"]["filters"]
    assert after["id"] == device["id"]
    assert set(changed) <= {status["filterType"]["id"] for status in full}
    for status in full:
        if status["filterType"]["id"] in changed:
            assert status["lastChangedOn"] == today.isoformat()
            expected = today + dt.timedelta(days=status["filterType"]["lifetimeDays"])
            assert status["dueOn"] == expected.isoformat()
            assert status["due"] is False
