"""POST /sync/push and /sync/pull refusing what they cannot take: a record rejected with its
reason while the rest applies, a bad push refused whole, requests without an engineer or an
installation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.sync_site import sync_branch, sync_phone, table_counts
from tests.conftest import GraphQL
from tests.dispatch_site import Site, any_part
from tests.factories import fetch, scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus, LedgerKind

NOW_MS = int(dt.datetime.now(dt.UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    return sync_branch(database_url)


def test_what_cannot_be_applied_is_rejected_with_a_reason_and_the_rest_applies(
    gql: GraphQL, site: Site
) -> None:
    p = sync_phone(gql, site, "a")
    p.pull()
    job = site.jobs["a2"]
    ticket = p.local["jobs"][job]["ticket_id"]
    part = any_part(site.url)
    arrive = p.create("job_events", {"job_id": job, "action": "ARRIVE", "recorded_at": NOW_MS})
    greedy = p.create(
        "part_consumptions",
        {
            "job_id": site.jobs["a4"],
            "part_id": part,
            "quantity": 0,  # (more than the van holds is accepted: test_stock_discrepancies)
            "old_part_returned": False,
            "recorded_at": NOW_MS,
        },
    )
    future = p.create(
        "job_notes", {"job_id": job, "body": "明天", "recorded_at": NOW_MS + 3_600_000}
    )
    # 1 ms after 1970: a phone clock reset, never kept (it would sort first in Job.notes)
    early = p.create("job_notes", {"job_id": job, "body": "时钟错", "recorded_at": 1})
    fine = p.create("job_notes", {"job_id": job, "body": "门铃坏了", "recorded_at": NOW_MS})
    p.update("tickets", ticket, {"description": "改过"})
    p.update("jobs", job, {"status": "COMPLETED"})
    body = p.push_body()
    body["changes"]["jobs"] = {**body["changes"].get("jobs", {}), "deleted": [site.jobs["a3"]]}
    answer = p.push(body)
    reasons = {t: {i: r["code"] for i, r in rows.items()} for t, rows in answer["rejected"].items()}
    assert reasons == {
        "job_events": {arrive: "INVALID_TRANSITION"},
        "part_consumptions": {greedy: "INVALID_VALUE"},  # quantity 0: the column check refuses it
        "job_notes": {future: "RECORDED_IN_FUTURE", early: "RECORDED_TOO_EARLY"},
        "tickets": {ticket: "READ_ONLY_TABLE"},
        "jobs": {job: "READ_ONLY_COLUMN", site.jobs["a3"]: "DELETE_NOT_ALLOWED"},
    }
    assert all(r["message"] for rows in answer["rejected"].values() for r in rows.values())
    # It named a column as the table: "Records of description cannot be changed".
    assert answer["rejected"]["tickets"][ticket]["message"] == (
        "Records of tickets cannot be changed from the phone."
    )
    assert {t: sorted(ids) for t, ids in answer["experimentalRejectedIds"].items()} == {
        t: sorted(ids) for t, ids in reasons.items()
    }
    assert scalars(site.url, select(m.JobNote.body).where(m.JobNote.id == fine)) == ["门铃坏了"]
    assert fetch(site.url, select(m.Job.status).where(m.Job.id == job))[0][0] is JobStatus.ASSIGNED


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"unknown_table": {"created": [], "updated": [], "deleted": []}}, 400, "UNKNOWN_TABLE"),
        (
            {
                "job_notes": {
                    "created": [
                        {
                            "id": "n-bad-col",
                            "job_id": "x",
                            "body": "b",
                            "recorded_at": 1,
                            "colour": 1,
                        }
                    ]
                }
            },
            400,
            "UNKNOWN_COLUMN",
        ),
        (
            {"job_notes": {"created": [{"id": 42, "job_id": "x", "body": "b", "recorded_at": 1}]}},
            400,
            "INVALID_RECORD_ID",
        ),
        (
            {
                "job_notes": {
                    "created": [{"id": "a b/c", "job_id": "x", "body": "b", "recorded_at": 1}]
                }
            },
            400,
            "INVALID_RECORD_ID",
        ),
        ("foreign", 403, "FOREIGN_RECORD"),
        ("no_cursor", 400, "LAST_PULLED_AT_REQUIRED"),
        ("huge", 413, "PUSH_TOO_LARGE"),
    ],
)
def test_a_bad_push_is_refused_whole(
    gql: GraphQL, site: Site, change: Any, status: int, code: str
) -> None:
    p = sync_phone(gql, site, "a")
    p.pull()
    good = {"id": "note-ok-0001", "job_id": site.jobs["a1"], "body": "ok", "recorded_at": NOW_MS}
    body: dict[str, Any] = {"lastPulledAt": p.cursor, "changes": {"job_notes": {"created": [good]}}}
    if change == "foreign":
        body["changes"]["job_notes"]["created"].append(
            {**good, "id": "note-b-0001", "job_id": site.jobs["b1"]}
        )
    elif change == "no_cursor":
        del body["lastPulledAt"]
    elif change == "huge":
        body["changes"]["job_notes"]["created"] += [
            {**good, "id": f"n{i:05d}"} for i in range(1000)
        ]
    else:
        body["changes"].update(change)
    before = table_counts(site.url)
    response = gql.client.post("/sync/push", json=body, headers=p.headers())
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert table_counts(site.url) == before


def test_requests_need_an_engineer_and_an_installation(gql: GraphQL, site: Site) -> None:
    p = sync_phone(gql, site, "a")
    pull = {"lastPulledAt": None, "schemaVersion": 1, "migration": None}
    assert gql.client.post("/sync/pull", json=pull).status_code == 401
    hq = {"Authorization": f"Bearer {gql.token('hq')}", "X-Sync-Client": "desk-000001"}
    assert (
        gql.client.post("/sync/pull", json=pull, headers=hq).json()["error"]["code"] == "FORBIDDEN"
    )
    no_install = {"Authorization": p.headers()["Authorization"]}
    assert gql.client.post("/sync/pull", json=pull, headers=no_install).status_code == 400
    for bad in ({"lastPulledAt": 1.5}, {"lastPulledAt": "12"}, {"schemaVersion": 9}):
        response = (
            p.pull_raw(**bad)
            if "lastPulledAt" not in bad
            else gql.client.post("/sync/pull", json={**pull, **bad}, headers=p.headers())
        )
        assert response.status_code == 400, bad
    # One installation belongs to one user.
    other = sync_phone(gql, site, "b")
    other.install_id = p.install_id
    p.pull()
    assert other.pull_raw().status_code == 409


def test_a_push_says_nothing_of_rows_the_phone_never_had(gql: GraphQL, site: Site) -> None:
    """An update was compared with any row: a right guess of another branch's customer's
    phone answered OK, a wrong one READ_ONLY_TABLE, and a delete said whether an id existed."""
    p = sync_phone(gql, site, "a")
    p.pull()
    mine = next(iter(p.local["customers"].values()))
    stranger, phone = fetch(
        site.url,
        select(m.Customer.id, m.Customer.phone)
        .where(m.Customer.id.not_in(list(p.local["customers"])))
        .limit(1),
    )[0]

    def push(changes: dict[str, Any]) -> dict[str, Any]:
        body = {"lastPulledAt": p.cursor, "changes": {"customers": changes}}
        return p.push(body)["rejected"].get("customers", {})

    for guess in (phone, "13900000000", 13900000000, None):  # a bad type said INVALID_VALUE
        rejected = push({"updated": [{"id": stranger, "phone": guess}]})
        assert rejected[stranger]["code"] == "NOT_FOUND", guess
    assert push({"deleted": [stranger]}) == {}  # as for an id that never existed
    # What the phone holds is refused as before.
    edited = push({"updated": [{"id": mine["id"], "name": mine["name"] + "x"}]})
    assert edited[mine["id"]]["code"] == "READ_ONLY_TABLE"
    assert push({"deleted": [mine["id"]]})[mine["id"]]["code"] == "DELETE_NOT_ALLOWED"


def test_a_consumption_changed_without_saying_so_is_refused(gql: GraphQL, site: Site) -> None:
    """An ``updated`` consumption without ``_changed`` was not compared at all: quantity 1 -> 50
    answered OK, the server kept 1 and the phone 50, and a never-sent id answered OK too."""
    p = sync_phone(gql, site, "a")
    p.pull()
    job = site.jobs["a4"]  # on site
    used = {"job_id": job, "part_id": any_part(site.url), "quantity": 1}
    made = p.create(
        "part_consumptions", {**used, "old_part_returned": False, "recorded_at": NOW_MS}
    )
    assert p.sync()["rejected"] == {}
    p.pull()
    held = dict(p.local["part_consumptions"][made])

    def push_as_updated(rec: dict[str, Any]) -> dict[str, Any]:
        changes = {"part_consumptions": {"created": [], "updated": [rec], "deleted": []}}
        return p.push({"changes": changes, "lastPulledAt": p.cursor})

    assert push_as_updated(held)["rejected"] == {}  # an echo of what it holds
    more = push_as_updated({**held, "quantity": 50})
    assert more["rejected"]["part_consumptions"][made]["code"] == "READ_ONLY_TABLE"
    never = push_as_updated({**held, "id": "never-sent-pc-99"})
    assert never["rejected"]["part_consumptions"]["never-sent-pc-99"]["code"] == "NOT_FOUND"
    quantities = scalars(
        site.url,
        select(m.StockEntry.delta).where(
            m.StockEntry.job_id == job, m.StockEntry.kind == LedgerKind.CONSUMPTION
        ),
    )
    assert -1 in quantities
    assert -50 not in quantities
