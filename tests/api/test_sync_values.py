"""A push never fails on a record's values, refuses what no request may hold with a 4xx, and
judges an appointment edit against what the phone could have seen (docs/sync.md)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.sync_site import sync_phone
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    Site,
    add_job,
    add_technician,
    any_part,
    live_device,
    local,
    make_branch,
    stock_van,
)
from tests.factories import fetch, scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.models.enums import JobStatus, TicketType
from wellspring.schema.core.ids import global_id

NOW_MS = int(dt.datetime.now(dt.UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "v", home=PLACES["people_square"])
    device = live_device(database_url)
    for name in ("v1", "v2", "v3"):
        add_job(
            s,
            name,
            at=PLACES["jingan"],
            technician="v",
            status=JobStatus.ASSIGNED,
            device_id=device,
            kind=TicketType.REPAIR,
        )
    add_job(
        s, "site", at=PLACES["jingan"], technician="v", status=JobStatus.ON_SITE, device_id=device
    )
    stock_van(s, "v", any_part(database_url), 5)
    return s


def phone(gql: GraphQL, site: Site) -> Phone:
    return sync_phone(gql, site, "v")


def post(p: Phone, path: str, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {**p.headers(), "Content-Type": "application/json"}
    return p.client.post(path, content=raw, headers=headers)


# -- every malformed value is its record's rejection ----------------------------------------


def test_a_report_field_of_the_wrong_type_rejects_only_its_event(gql: GraphQL, site: Site) -> None:
    # The case: a note plus a COMPLETE whose report holds "tds": "35" answered 500.
    p = phone(gql, site)
    p.pull()
    job = site.jobs["site"]
    note = p.create("job_notes", {"job_id": job, "body": "到场", "recorded_at": NOW_MS - 1000})
    report = json.dumps({"faultCode": "E1", "waterTest": {"tds": "35"}})
    event = p.create(
        "job_events",
        {
            "job_id": job,
            "action": "COMPLETE",
            "reason": None,
            "report_json": report,
            "recorded_at": NOW_MS,
        },
    )
    for _ in range(2):  # every retry answers the same, and the note is applied once
        answer = p.push(p.push_body())
        assert answer["rejected"] == {
            "job_events": {
                event: {
                    "code": "INVALID_VALUE",
                    "field": "report_json.water_test.tds",
                    "message": answer["rejected"]["job_events"][event]["message"],
                }
            }
        }
    assert scalars(site.url, select(m.JobNote.id).where(m.JobNote.id == note)) == [note]
    assert fetch(site.url, select(m.Job.status).where(m.Job.id == job))[0][0] is JobStatus.ON_SITE


def test_a_repair_completes_from_the_phone_with_the_documented_report_keys(
    gql: GraphQL, site: Site
) -> None:
    """docs/sync.md: the report's keys are JobCompleteInput.report's. ``repairLevelCode`` (the
    one the docs ask for) was refused; only the deprecated ``repairLevel`` passed."""
    job = add_job(
        site,
        "coded",
        at=PLACES["jingan"],
        technician="v",
        status=JobStatus.ON_SITE,
        device_id=live_device(site.url),
        kind=TicketType.REPAIR,
    )
    p = phone(gql, site)
    p.pull()
    report = {
        "faultSymptom": "不出水",
        "faultCode": "E02",
        "repairLevel": "LEVEL_1",  # the older key loses to the newer one
        "repairLevelCode": "LEVEL_2",
        "travelDistanceKm": 3.5,
    }
    values = {"job_id": job, "action": "COMPLETE", "reason": None, "recorded_at": NOW_MS}
    p.create("job_events", {**values, "report_json": json.dumps(report)})
    answer = p.sync()
    assert answer["rejected"] == {}
    status, filed = fetch(site.url, select(m.Job.status, m.Job.report).where(m.Job.id == job))[0]
    assert status is JobStatus.COMPLETED
    assert filed["repair_level"] == "LEVEL_2"


BAD_VALUES: list[tuple[str, str, Any]] = [
    ("job_notes", "body", ["a list"]),
    ("job_notes", "body", {"nested": {"object": 1}}),
    ("job_notes", "body", "nul\x00byte"),
    ("job_notes", "body", "\ud800"),
    ("job_notes", "recorded_at", "1700000000000"),
    ("job_notes", "recorded_at", math.nan),
    ("job_notes", "recorded_at", 1e19),
    ("job_notes", "recorded_at", -5),
    # Year 9999 was taken; Asia/Shanghai then overflowed it in every list showing the row.
    ("part_consumptions", "recorded_at", 253_402_300_799_999),
    ("job_events", "recorded_at", 7_258_118_400_000),  # 2200-01-01, past the API's range
    ("job_notes", "job_id", ["x"]),
    ("job_notes", "job_id", 12),
    ("part_consumptions", "quantity", "2"),
    ("part_consumptions", "quantity", 1e19),
    ("part_consumptions", "quantity", 1.5),
    ("part_consumptions", "quantity", math.inf),
    ("part_consumptions", "quantity", True),
    ("part_consumptions", "old_part_returned", "yes"),
    ("part_consumptions", "part_id", None),
    ("water_tests", "tds", "35"),
    ("water_tests", "ph", math.nan),
    ("job_events", "action", "DANCE"),
    ("job_events", "reason", 7),
    ("job_events", "report_json", {"faultCode": "E1"}),
    ("job_events", "report_json", "[1, 2]"),
    ("job_events", "report_json", '{"waterTest": [1]}'),
    ("job_events", "report_json", '{"travelDistanceKm": NaN}'),
    ("job_events", "report_json", '{"remainingWaterValue": -5}'),  # nothing left is 0
    ("job_events", "report_json", '{"colour": "red"}'),
    ("job_events", "report_json", "[" * 5000 + "]" * 5000),
]


@pytest.mark.parametrize(("table", "column", "value"), BAD_VALUES)
def test_a_malformed_value_is_its_records_rejection(
    gql: GraphQL, site: Site, table: str, column: str, value: Any
) -> None:
    p = phone(gql, site)
    p.pull()
    job = site.jobs["site"]
    good: dict[str, dict[str, Any]] = {
        "job_notes": {"job_id": job, "body": "备注", "recorded_at": NOW_MS},
        "part_consumptions": {
            "job_id": job,
            "part_id": any_part(site.url),
            "quantity": 1,
            "old_part_returned": False,
            "recorded_at": NOW_MS,
        },
        "water_tests": {"job_id": job, "tds": 50.0, "ph": 7.0, "recorded_at": NOW_MS},
        "job_events": {"job_id": job, "action": "ARRIVE", "reason": None, "recorded_at": NOW_MS},
    }
    bad = p.create(table, {**good[table], column: value})
    fine = p.create("job_notes", {"job_id": job, "body": "另一条", "recorded_at": NOW_MS})
    body = json.dumps(p.push_body()).encode()  # NaN and Infinity as JavaScript writes them
    response = post(p, "/sync/push", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    refused = answer["rejected"][table][bad]
    assert answer["rejected"] == {table: {bad: refused}}
    assert refused["code"] == "INVALID_VALUE"
    # The column, or the key inside a report (``report_json.water_test``).
    assert refused["field"].split(".")[0] == column
    assert answer["experimentalRejectedIds"] == {table: [bad]}
    assert scalars(site.url, select(m.JobNote.id).where(m.JobNote.id == fine)) == [fine]


def test_an_implausible_reading_is_named_as_the_phone_sent_it(gql: GraphQL, site: Site) -> None:
    # A reading no meter gives is the domain's refusal, which named the readings' attribute
    # (``report.water_test.tds_mg_l``), a path in no record: a water test's readings are its
    # own columns, a report's are under ``report.water_test``.
    p = phone(gql, site)
    p.pull()
    job = site.jobs["site"]
    test = p.create("water_tests", {"job_id": job, "tds": 6000.0, "recorded_at": NOW_MS})
    report = {
        "faultSymptom": "漏水",
        "faultCode": "E01",
        "repairLevel": "LEVEL_2",
        "waterTest": {"residualChlorine": 50},
    }
    event = p.create(
        "job_events",
        {"job_id": job, "action": "COMPLETE", "report_json": json.dumps(report),
         "recorded_at": NOW_MS},
    )  # fmt: skip
    rejected = p.push()["rejected"]
    assert rejected["water_tests"][test]["field"] == "tds"
    assert rejected["water_tests"][test]["code"] == "INVALID_ARGUMENT"
    assert rejected["job_events"][event]["field"] == "report_json.water_test.residual_chlorine"


def test_a_photo_from_the_future_is_refused_as_a_note_is(gql: GraphQL, site: Site) -> None:
    """An attachment had no clock check: one taken in 2058 was kept (and one near year 9999
    broke every list showing it)."""
    p = phone(gql, site)
    p.schema_version = 3  # attachments came with schema 3
    p.pull()
    job = site.jobs["site"]
    photo = {
        "job_id": job,
        "kind": "PHOTO",
        "content_type": "image/jpeg",
        "byte_size": 100,
        "sha256": "a" * 64,
    }
    later = p.create("attachments", {**photo, "recorded_at": NOW_MS + 3 * 3600_000})
    now = p.create("attachments", {**photo, "recorded_at": NOW_MS})
    rejected = p.push()["rejected"]
    assert rejected == {"attachments": {later: rejected["attachments"][later]}}
    assert (rejected["attachments"][later]["code"], rejected["attachments"][later]["field"]) == (
        "RECORDED_IN_FUTURE",
        "recorded_at",
    )
    assert scalars(site.url, select(m.Attachment.id).where(m.Attachment.id == now)) == [now]


def test_an_id_too_long_for_a_key_rejects_only_its_record(gql: GraphQL, site: Site) -> None:
    p = phone(gql, site)
    p.pull()
    job = site.jobs["site"]
    long_id = "n" * 37  # fits the protocol (64), not a primary key (36)
    p.create("job_notes", {"id": long_id, "job_id": job, "body": "长", "recorded_at": NOW_MS})
    fine = p.create("job_notes", {"job_id": job, "body": "短", "recorded_at": NOW_MS})
    answer = p.push()
    assert answer["rejected"]["job_notes"][long_id]["code"] == "INVALID_VALUE"
    assert answer["rejected"]["job_notes"][long_id]["field"] == "id"
    assert scalars(site.url, select(m.JobNote.id).where(m.JobNote.id == fine)) == [fine]


def test_a_wrong_typed_appointment_rejects_only_that_job(gql: GraphQL, site: Site) -> None:
    p = phone(gql, site)
    p.pull()
    job = site.jobs["v3"]
    p.update("jobs", job, {"appointment_start": "tomorrow"})
    p.create("job_notes", {"job_id": job, "body": "改约", "recorded_at": NOW_MS})
    answer = p.push()
    assert answer["rejected"]["jobs"][job]["code"] == "INVALID_VALUE"
    assert list(answer["rejected"]) == ["jobs"]


# -- request-level limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/sync/pull", b'{"lastPulledAt": 18446744073709551616}', "NUMBER_TOO_LARGE"),
        ("/sync/pull", b'{"lastPulledAt": 9223372036854775808}', "NUMBER_TOO_LARGE"),
        ("/sync/pull", b'{"lastPulledAt": 1' + b"0" * 5000 + b"}", "NUMBER_TOO_LARGE"),
        ("/sync/pull", b'{"lastPulledAt": 4611686018427387904}', "CURSOR_AHEAD"),
        ("/sync/push", b'{"lastPulledAt": 4611686018427387904, "changes": {}}', "CURSOR_AHEAD"),
        ("/sync/push", b"[" * 100_000 + b"]" * 100_000, "SYNC_TOO_DEEP"),
        ("/sync/pull", b"[" * 100_000 + b"]" * 100_000, "SYNC_TOO_DEEP"),
        ("/sync/push", b'{"a":' * 40 + b"1" + b"}" * 40, "SYNC_TOO_DEEP"),
        ("/sync/pull", b'{"lastPulledAt": null, "unsyncedChanges": "no"}', "SYNC_BAD_REQUEST"),
        ("/sync/push", b"\xff\xfe", "SYNC_BAD_REQUEST"),
        (
            "/sync/pull",
            b'{"lastPulledAt": 1, "schemaVersion": 2, "migration": {"from": 1, "tables": 5}}',
            "INVALID_MIGRATION",
        ),
        (
            "/sync/pull",
            b'{"lastPulledAt": 1, "schemaVersion": 2, "migration": {"from": 1, "columns": '
            b'[{"table": "tickets", "columns": [["due_at"]]}]}}',
            "INVALID_MIGRATION",
        ),
    ],
)
def test_what_no_request_may_hold_is_a_4xx_with_a_code(
    gql: GraphQL, site: Site, path: str, body: bytes, code: str
) -> None:
    p = phone(gql, site)
    p.pull()
    response = post(p, path, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_a_quantity_beyond_64_bits_refuses_the_push(gql: GraphQL, site: Site) -> None:
    p = phone(gql, site)
    p.pull()
    consumption = {
        "id": "big-quantity",
        "job_id": site.jobs["site"],
        "part_id": any_part(site.url),
        "quantity": 2**70,
        "old_part_returned": False,
        "recorded_at": NOW_MS,
    }
    body = {"lastPulledAt": p.cursor, "changes": {"part_consumptions": {"created": [consumption]}}}
    response = post(p, "/sync/push", body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "NUMBER_TOO_LARGE"


# -- ids are ids ----------------------------------------------------------------------------


def test_a_consumption_id_with_an_underscore_is_not_a_pattern(gql: GraphQL, site: Site) -> None:
    p = phone(gql, site)
    p.pull()
    job, part = site.jobs["site"], any_part(site.url)
    values = {"job_id": job, "part_id": part, "quantity": 1, "old_part_returned": False}
    first = p.create("part_consumptions", {"id": "usedAx9", **values, "recorded_at": NOW_MS})
    assert p.push()["rejected"] == {}
    # "used_x9" as a LIKE pattern matches "usedAx9": it was taken for a replay and dropped.
    second = p.create("part_consumptions", {"id": "used_x9", **values, "recorded_at": NOW_MS})
    assert p.push()["rejected"] == {}
    keys = scalars(
        site.url,
        select(m.StockEntry.client_id).where(
            m.StockEntry.job_id == job,
            m.StockEntry.client_id.in_([f"{first}:000", f"{second}:000"]),
        ),
    )
    assert sorted(keys) == [f"{first}:000", f"{second}:000"]


# -- the conflict baseline ------------------------------------------------------------------

RESCHEDULE = (
    "mutation($id: ID!, $t: ID!, $s: DateTime, $e: DateTime) { assignJob(jobId: $id, "
    "technicianId: $t, appointmentStart: $s, appointmentEnd: $e) { errors { code } } }"
)


def window(days: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
    return local(day, hour), local(day, hour + 2)


def edit(p: Phone, job: str, when: tuple[dt.datetime, dt.datetime]) -> None:
    start, end = (int(t.timestamp() * 1000) for t in when)
    p.update("jobs", job, {"appointment_start": start, "appointment_end": end})


def reschedule(gql: GraphQL, site: Site, job: str, when: tuple[dt.datetime, dt.datetime]) -> None:
    variables = {
        "id": global_id("Job", job),
        "t": global_id("Technician", site.techs["v"]),
        "s": when[0].isoformat(),
        "e": when[1].isoformat(),
    }
    assert gql.data(RESCHEDULE, variables, as_user="hq")["assignJob"]["errors"] == []


def server_start(site: Site, job: str) -> dt.datetime:
    return fetch(site.url, select(m.Job.appointment_start).where(m.Job.id == job))[0][0]


def test_a_push_lost_after_the_pull_past_the_dispatchers_change(gql: GraphQL, site: Site) -> None:
    p = phone(gql, site)
    p.pull()
    job = site.jobs["v1"]
    edit(p, job, window(2, 14))  # offline
    clerk = window(3, 9)
    reschedule(gql, site, job, clerk)
    p.pull()  # the sync pulls past the change (the phone keeps its edit) and the push is lost
    answer = p.sync()  # the next sync pushes with the newer cursor
    assert answer["conflicts"]["jobs"][job]["code"] == "CHANGED_ON_SERVER"
    assert server_start(site, job) == clerk[0]
    p.pull()
    assert p.local["jobs"][job]["appointment_start"] == int(clerk[0].timestamp() * 1000)


def test_a_lost_conflict_answer_and_the_edit_redone(gql: GraphQL, site: Site) -> None:
    p = phone(gql, site)
    p.pull()
    job = site.jobs["v2"]
    edit(p, job, window(2, 10))
    clerk = window(4, 9)
    reschedule(gql, site, job, clerk)
    p.pull()
    lost = post(p, "/sync/push", p.push_body())  # answered, but the answer never arrives
    assert lost.json()["conflicts"]["jobs"][job]["code"] == "CHANGED_ON_SERVER"
    again = p.sync()
    assert again["conflicts"]["jobs"][job]["code"] == "CHANGED_ON_SERVER"
    assert server_start(site, job) == clerk[0]
    # The engineer sees the dispatcher's window, agrees a new one, and it stands.
    p.sync()
    p.sync()
    assert p.local["jobs"][job]["appointment_start"] == int(clerk[0].timestamp() * 1000)
    redone = window(4, 15)
    edit(p, job, redone)
    assert p.sync()["conflicts"] == {}
    assert server_start(site, job) == redone[0]
