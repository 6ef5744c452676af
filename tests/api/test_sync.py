"""POST /sync/pull and /sync/push: scope, exactness, replays, reassignment, appointment edits
and migrations. What the doors refuse: test_sync_refusals.py."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.sync_site import sync_branch, sync_phone, table_counts
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    Site,
    add_job,
    any_part,
    local,
)
from tests.factories import fetch, scalars
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.models.enums import JobStatus
from wellspring.schema.core.ids import global_id

NOW_MS = int(dt.datetime.now(dt.UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    return sync_branch(database_url)


def test_a_first_pull_holds_exactly_what_the_engineer_may_see(gql: GraphQL, site: Site) -> None:
    p = sync_phone(gql, site, "a")
    body = p.pull()
    jobs = set(p.local["jobs"])
    assert {site.jobs[n] for n in ("a1", "a2", "a3", "a4")} == jobs
    assert site.jobs["b1"] not in jobs
    tickets = {j["ticket_id"] for j in p.local["jobs"].values()}
    assert set(p.local["tickets"]) == tickets
    for customer in p.local["customers"].values():
        assert set(customer) == {"id", "name", "phone"}  # only what an engineer needs
    assert len(p.local["devices"]) == 1
    assert len(p.local["device_models"]) == 1
    assert len(p.local["parts"]) == len(
        scalars(site.url, select(m.Part.id).where(m.Part.deleted_at.is_(None)))
    )
    # The van's balances as the server holds them (3 at first; the module's pushes use some).
    van = select(m.Warehouse.id).where(m.Warehouse.technician_id == site.techs["a"])
    balances = fetch(
        site.url,
        select(m.StockBalance.id, m.StockBalance.quantity).where(
            m.StockBalance.warehouse_id.in_(van)
        ),
    )
    assert {r["id"]: r["quantity"] for r in p.local["van_stock"].values()} == dict(balances)
    assert balances
    assert p.local["jobs"]
    assert all(isinstance(r["revision"], int) for r in p.local["jobs"].values())
    assert "due_at" not in next(iter(p.local["tickets"].values()))  # schema 2 only
    # Nothing changed: the next pull is empty, with the same or a later cursor.
    again = p.pull()
    assert again["changes"]
    assert all(not any(c.values()) for c in again["changes"].values())
    assert again["timestamp"] >= body["timestamp"]


def test_pushed_records_apply_once_and_come_back_as_updated(gql: GraphQL, site: Site) -> None:
    p = sync_phone(gql, site, "a")
    p.pull()
    job = site.jobs["a1"]
    part = any_part(site.url)
    for offset, action in ((70_000, "ACCEPT"), (60_000, "START_TRAVEL"), (55_000, "ARRIVE")):
        event = {"job_id": job, "action": action, "reason": None, "report_json": None}
        p.create("job_events", {**event, "recorded_at": NOW_MS - offset})
    p.create("job_notes", {"job_id": job, "body": "客户下午在家", "recorded_at": NOW_MS - 50_000})
    p.create(
        "part_consumptions",
        {
            "job_id": job,
            "part_id": part,
            "quantity": 1,
            "old_part_returned": True,
            "recorded_at": NOW_MS - 40_000,
        },
    )
    body = p.push_body()
    first = p.push(body)
    assert first == {"experimentalRejectedIds": {}, "rejected": {}, "conflicts": {}}
    after_one = table_counts(site.url)
    for _ in range(4):  # the answer was lost: the phone sends the same push again
        assert p.push(body) == first
    assert table_counts(site.url) == after_one
    assert fetch(site.url, select(m.Job.status).where(m.Job.id == job))[0][0] is JobStatus.ON_SITE
    entries = scalars(site.url, select(m.StockEntry.kind).where(m.StockEntry.job_id == job))
    assert sorted(entries) == ["CONSUMPTION", "OLD_PART"]
    # The phone's own records come back once, as updated (never created).
    back = p.pull()
    expected = {"job_events": 3, "job_notes": 1, "part_consumptions": 1}
    for table, n in expected.items():
        assert len(back["changes"][table]["updated"]) == n, table
        assert back["changes"][table]["created"] == [], table
    assert back["changes"]["part_consumptions"]["updated"][0]["old_part_returned"] is True
    assert back["changes"]["van_stock"]["updated"], "the van's stock went down"
    assert p.local["jobs"][job]["status"] == "ON_SITE"


def test_a_reassigned_job_leaves_the_phone_and_reaches_the_new_one(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    a, b = sync_phone(gql, site, "a"), sync_phone(gql, site, "b")
    a.pull()
    b.pull()
    job = site.jobs["a3"]
    assert job in a.local["jobs"]
    mutation = (
        "mutation($id: ID!, $t: ID!) { assignJob(jobId: $id, technicianId: $t) "
        "{ errors { code } } }"
    )

    def assign(to: str) -> None:
        variables = {"id": global_id("Job", job), "t": global_id("Technician", site.techs[to])}
        assert gql.data(mutation, variables, as_user="hq")["assignJob"]["errors"] == []

    assign("b")
    gone = a.pull()
    assert job in gone["changes"]["jobs"]["deleted"]
    assert job not in a.local["jobs"]
    arrived = b.pull()
    assert job in {r["id"] for r in arrived["changes"]["jobs"]["created"]}
    # Given back (the module's other tests expect it on "a"'s phone): it returns there.
    assign("a")
    assert job in {r["id"] for r in a.pull()["changes"]["jobs"]["created"]}
    assert job in b.pull()["changes"]["jobs"]["deleted"]


def test_a_lost_pull_answer_is_sent_again_as_created(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    # Engineer "b": the first pull's test counts "a"'s jobs exactly, in whatever order.
    b = sync_phone(gql, site, "b")
    b.pull()
    new_job = add_job(site, "late", at=PLACES["putuo"], technician="b", status=JobStatus.ASSIGNED)
    lost = b.pull_raw(b.cursor).json()  # never reaches the phone
    assert new_job in {r["id"] for r in lost["changes"]["jobs"]["created"]}
    again = b.pull()
    assert new_job in {r["id"] for r in again["changes"]["jobs"]["created"]}


def test_the_appointment_edit_stands_unless_the_dispatcher_moved_it_since(
    gql: GraphQL, site: Site
) -> None:
    a = sync_phone(gql, site, "a")
    a.pull()
    job = (
        site.jobs["a1"]
        if a.local["jobs"][site.jobs["a1"]]["status"] == "ASSIGNED"
        else site.jobs["a2"]
    )
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=2)
    start, end = local(day, 14), local(day, 16)
    a.update(
        "jobs",
        job,
        {
            "appointment_start": int(start.timestamp() * 1000),
            "appointment_end": int(end.timestamp() * 1000),
        },
    )
    # As the real client does: every sync pulls first, then pushes.
    answer = a.sync()
    assert answer["rejected"] == {}
    assert answer["conflicts"] == {}
    assert fetch(site.url, select(m.Job.appointment_start).where(m.Job.id == job))[0][0] == start
    # Now the dispatcher reschedules while the phone edits offline: the dispatcher wins.
    a.update(
        "jobs",
        job,
        {
            "appointment_start": int(local(day, 9).timestamp() * 1000),
            "appointment_end": int(local(day, 11).timestamp() * 1000),
        },
    )
    mutation = (
        "mutation($id: ID!, $t: ID!, $s: DateTime, $e: DateTime) { assignJob(jobId: $id, "
        "technicianId: $t, appointmentStart: $s, appointmentEnd: $e) { errors { code } } }"
    )
    variables = {
        "id": global_id("Job", job),
        "t": global_id("Technician", site.techs["a"]),
        "s": local(day, 16).isoformat(),  # inside the engineer's shift (to 17:30)
        "e": local(day, 17).isoformat(),
    }
    assert gql.data(mutation, variables, as_user="hq")["assignJob"]["errors"] == []
    # The sync's pull brings the dispatcher's window; the phone's merge keeps its own, and
    # pushes it with the new cursor. The server knows the edit was made before that pull.
    answer = a.sync()
    assert answer["conflicts"]["jobs"][job]["code"] == "CHANGED_ON_SERVER"
    assert answer["experimentalRejectedIds"] == {}  # settled, not to be retried
    when = fetch(site.url, select(m.Job.appointment_start).where(m.Job.id == job))[0][0]
    assert when == local(day, 16)
    # The next pull overwrites the phone's copy with the dispatcher's window.
    back = a.pull()
    assert job in {r["id"] for r in back["changes"]["jobs"]["updated"]}
    assert a.local["jobs"][job]["appointment_start"] == int(local(day, 16).timestamp() * 1000)


def test_a_migration_pull_sends_the_new_column(gql: GraphQL, site: Site) -> None:
    a = sync_phone(gql, site, "a")
    a.pull()
    held = set(a.local["tickets"])
    assert held
    a.schema_version = 2
    body = a.pull(
        migration={
            "from": 1,
            "tables": [],
            "columns": [{"table": "tickets", "columns": ["due_at"]}],
        }
    )
    assert {r["id"] for r in body["changes"]["tickets"]["updated"]} == held
    assert all("due_at" in r for r in body["changes"]["tickets"]["updated"])
    assert body["changes"]["jobs"]["updated"] == []
    bad = a.pull_raw(a.cursor, migration={"from": 1, "tables": ["nope"], "columns": []})
    assert bad.status_code == 400


def test_numbers_are_numbers(client: TestClient, gql: GraphQL, site: Site) -> None:
    a = sync_phone(gql, site, "a")
    a.pull()
    for table, rows in a.local.items():
        for rec in rows.values():
            for key, value in rec.items():
                if key.endswith(("_at", "_start", "_end")) or key in (
                    "eta",
                    "revision",
                    "quantity",
                    "route_position",
                ):
                    assert value is None or (
                        isinstance(value, int) and not isinstance(value, bool)
                    ), (table, key, value)
