"""Parts an engineer recorded offline on a job the dispatcher reassigned before the phone synced.

The phone recorded the parts while its engineer held the job (or after the reassignment,
before the phone learned of it); the reassignment reached the server first. They used to be
refused (NOT_FOUND) on every sync, forever, and the van's book kept parts that were in the
customer's machine. Now they are taken against that engineer's van and the job when the
job's history says the engineer held it by the phone's time, and refused for good
(JOB_NOT_HELD) when recorded before that (docs/sync.md, "Merge rules").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.discrepancy_world import assert_ledger_agrees, phone, token
from tests.api.discrepancy_world import balance as good
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import PLACES, Site, add_job, add_technician, make_branch, stock_van
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus
from wellspring.schema.core.ids import global_id


def now_ms(minutes: float = 0) -> int:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    return int(moment.timestamp() * 1000)


def part_id(url: str, sku: str) -> str:
    return str(scalars(url, select(m.Part.id).where(m.Part.sku == sku))[0])


def van_of(url: str, tech: str) -> str:
    return str(scalars(url, select(m.Warehouse.id).where(m.Warehouse.technician_id == tech))[0])


def site_with_two(url: str, part: str) -> tuple[Site, str]:
    """Engineers "a" (holding the accepted job, 5 of the part in the van) and "b"."""
    s = make_branch(url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_technician(s, "b", home=PLACES["xujiahui"])
    job = add_job(s, "visit", at=PLACES["jingan"], technician="a", status=JobStatus.ACCEPTED)
    stock_van(s, "a", part, 5)
    stock_van(s, "b", part, 5)
    return s, job


def reassign(gql: GraphQL, s: Site, job: str, to: str) -> None:
    variables = {"jobId": global_id("Job", job), "technicianId": global_id("Technician", to)}
    answer = gql.data(doc("AssignJob"), variables, token=token(gql, s.clerk))["assignJob"]
    assert answer["errors"] == []


def cancel(gql: GraphQL, s: Site, job: str) -> None:
    ticket = scalars(s.url, select(m.Job.ticket_id).where(m.Job.id == job))[0]
    variables = {"id": global_id("Ticket", ticket), "reason": "客户取消维修"}
    answer = gql.data(doc("CancelTicket"), variables, token=token(gql, s.clerk))["cancelTicket"]
    assert answer["errors"] == []


def consume(gql: GraphQL, s: Site, job: str, part: str, who: str, **extra: Any) -> list[str]:
    lines = [{"partId": global_id("Part", part), "quantity": 2, "oldPartReturned": True}]
    variables = {
        "input": {
            "jobId": global_id("Job", job),
            "lines": lines,
            "clientId": unique("used"),
            **extra,
        }
    }
    answer = gql.data(doc("ConsumeParts"), variables, token=token(gql, s.usernames[who]))
    return [e["code"] for e in answer["consumeParts"]["errors"]]


def job_entries(url: str, job: str) -> list[tuple[str, str, int, str | None]]:
    """(kind, warehouse, delta, actor) of the job's ledger entries."""
    e = m.StockEntry
    rows = fetch(
        url,
        select(e.kind, e.warehouse_id, e.delta, e.actor_id).where(e.job_id == job).order_by(e.kind),
    )
    return [(k.value, w, int(d), a) for k, w, d, a in rows]


def user_of(url: str, tech: str) -> str:
    return str(scalars(url, select(m.Technician.user_id).where(m.Technician.id == tech))[0])


@pytest.mark.parametrize("closed", [False, True])
def test_parts_fitted_before_a_reassignment_reach_the_van_and_the_job(
    gql: GraphQL, database_url: str, closed: bool
) -> None:
    """The phone's case: parts fitted, offline, minutes before the dispatcher gave the job to
    someone else (and, ``closed``, cancelled it afterwards): taken, once, from a's van."""
    cto = part_id(database_url, "CTO-10")
    s, job = site_with_two(database_url, cto)
    p = phone(gql, s)
    p.pull()
    line = {"job_id": job, "part_id": cto, "quantity": 2, "old_part_returned": True}
    used = p.create("part_consumptions", {**line, "recorded_at": now_ms(-2)})

    reassign(gql, s, job, s.techs["b"])
    if closed:
        cancel(gql, s, job)
    answer = p.sync()

    assert answer["rejected"] == {}
    assert answer["experimentalRejectedIds"] == {}
    van_a, van_b = van_of(database_url, s.techs["a"]), van_of(database_url, s.techs["b"])
    assert good(database_url, van_a, cto) == 3
    assert good(database_url, van_b, cto) == 5  # the job's engineer now fitted nothing
    a_user = user_of(database_url, s.techs["a"])
    assert sorted(job_entries(database_url, job)) == [
        ("CONSUMPTION", van_a, -2, a_user),
        ("OLD_PART", van_a, 2, a_user),
    ]
    assert_ledger_agrees(database_url, [van_a], cto)
    # The audit says who fitted them and whose job it is now.
    [detail] = scalars(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "stock.consumed", m.AuditEntry.entity_id == job
        ),
    )
    assert (detail["fitted_by"], detail["job_held_by"]) == (s.techs["a"], s.techs["b"])

    # A replay (the answer lost) changes nothing.
    again = p.push(
        {
            "changes": {
                "part_consumptions": {
                    "created": [{"id": used, **line, "recorded_at": now_ms(-2)}],
                    "updated": [],
                    "deleted": [],
                }
            },
            "lastPulledAt": p.cursor,
        }
    )
    assert again["rejected"] == {}
    assert good(database_url, van_a, cto) == 3
    assert len(job_entries(database_url, job)) == 2

    # The office sees the parts on the job, and who held it from each step on.
    seen = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Job { technicianName "
        "partsUsed { kind delta actorName warehouse { id } } history { to technicianName } } } }",
        {"id": global_id("Job", job)},
        token=token(gql, s.clerk),
    )["node"]
    assert seen["technicianName"] == "工程师b"
    assert {(e["kind"], e["delta"], e["actorName"]) for e in seen["partsUsed"]} == {
        ("CONSUMPTION", -2, "工程师a"),
        ("OLD_PART", 2, "工程师a"),
    }
    holders = [(h["to"], h["technicianName"]) for h in seen["history"]]
    assert ("ASSIGNED", "工程师a") in holders
    assert holders[-1 if not closed else -2] == ("ASSIGNED", "工程师b")


def test_parts_recorded_before_the_phone_learned_of_the_reassignment_are_taken(
    gql: GraphQL, database_url: str
) -> None:
    """Recorded (by the phone's clock) after the job was given to b, by a phone that still
    showed it: the engineer went and fitted them, so they leave a's van. Recorded before a
    ever held the job: a final JOB_NOT_HELD, the same on every push, and nothing booked."""
    cto = part_id(database_url, "CTO-10")
    s, job = site_with_two(database_url, cto)
    p = phone(gql, s)
    p.pull()
    reassign(gql, s, job, s.techs["b"])
    line = {"job_id": job, "part_id": cto, "quantity": 2, "old_part_returned": False}
    late = p.create("part_consumptions", {**line, "recorded_at": now_ms(1)})
    answer = p.push(p.push_body())
    assert late not in answer["rejected"].get("part_consumptions", {})
    van_a = van_of(database_url, s.techs["a"])
    assert good(database_url, van_a, cto) == 3

    early = p.create("part_consumptions", {**line, "recorded_at": now_ms(-90)})
    body = p.push_body()
    for _ in range(2):
        answer = p.push(body)
        reason = answer["rejected"]["part_consumptions"][early]
        assert (reason["code"], reason["field"]) == ("JOB_NOT_HELD", "job_id")
        assert "made before the job was yours" in reason["message"]
    assert [e[:3] for e in job_entries(database_url, job)] == [("CONSUMPTION", van_a, -2)]
    assert good(database_url, van_a, cto) == 3


def test_graphql_offline_consumption_follows_the_same_rule(gql: GraphQL, database_url: str) -> None:
    """ConsumeParts with recordedOffline: a former holder's parts recorded since they first
    held the job are taken; earlier ones are JOB_NOT_HELD; online ones, or an engineer who
    never held the job, still find no job (NOT_FOUND)."""
    cto = part_id(database_url, "CTO-10")
    s, job = site_with_two(database_url, cto)
    add_technician(s, "c", home=PLACES["putuo"])
    before = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).isoformat()
    reassign(gql, s, job, s.techs["b"])
    after = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
    unheld = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=90)).isoformat()

    assert consume(gql, s, job, cto, "a", recordedOffline=True, recordedAt=before) == []
    assert consume(gql, s, job, cto, "a", recordedOffline=True, recordedAt=after) == []
    assert consume(gql, s, job, cto, "a", recordedOffline=True, recordedAt=unheld) == [
        "JOB_NOT_HELD"
    ]
    assert consume(gql, s, job, cto, "a") == ["NOT_FOUND"]
    assert consume(gql, s, job, cto, "c", recordedOffline=True, recordedAt=before) == ["NOT_FOUND"]
    assert good(database_url, van_of(database_url, s.techs["a"]), cto) == 1
