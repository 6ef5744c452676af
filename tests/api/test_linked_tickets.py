"""A complaint opened by a low follow-up score and the visit it is about name each other,
each side shown only to those who may see that ticket."""

from __future__ import annotations

from typing import Any

from tests.api.workflow_steps import REPAIR_REPORT, doc, ids, ok, payload, to_assigned
from tests.conftest import GraphQL

LINKS = (
    "query($id: ID!) { ticket(id: $id) { id linkedTicket { id } "
    "linkedFrom(first: 5) { totalCount nodes { id type linkedTicket { id } } } } }"
)


def _links(gql: GraphQL, ticket_id: str, user: str) -> dict[str, Any] | None:
    ticket: dict[str, Any] | None = gql.data(LINKS, {"id": ticket_id}, as_user=user)["ticket"]
    return ticket


def test_the_complaint_and_its_visit_link_both_ways(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket_id, job_id = to_assigned(gql, o)
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    report = {"jobId": job_id, "report": REPAIR_REPORT}
    ok(payload(gql, "CompleteJob", {"input": report}, "tech-sh-1"))
    score = {"ticketId": ticket_id, "score": 1, "dissatisfaction": "SLOW_REPAIR"}
    complaint = ok(payload(gql, "RecordFollowUp", {"input": score}, "hotline"))["complaint"]
    assert complaint["linkedTicket"]["id"] == ticket_id

    original = _links(gql, ticket_id, "hq")
    assert original is not None
    assert original["linkedTicket"] is None
    assert original["linkedFrom"]["totalCount"] == 1
    assert original["linkedFrom"]["nodes"] == [
        {"id": complaint["id"], "type": "COMPLAINT", "linkedTicket": {"id": ticket_id}}
    ]
    back = _links(gql, complaint["id"], "clerk-sh")
    assert back is not None
    assert back["linkedTicket"] == {"id": ticket_id}
    assert back["linkedFrom"]["totalCount"] == 0

    full = gql.data(doc("Ticket"), {"id": ticket_id}, as_user="hotline")["ticket"]
    assert [t["id"] for t in full["linkedFrom"]["nodes"]] == [complaint["id"]]

    # The engineer sees the visit they made, not the complaint about it.
    seen_by_engineer = _links(gql, ticket_id, "tech-sh-1")
    assert seen_by_engineer is not None
    assert seen_by_engineer["linkedFrom"] == {"totalCount": 0, "nodes": []}
    assert _links(gql, complaint["id"], "tech-sh-1") is None
    # Another branch sees neither.
    assert _links(gql, ticket_id, "clerk-bj") is None
    assert _links(gql, complaint["id"], "clerk-bj") is None
