"""The real phone client (WatermelonDB 0.28.0, sync-client/drive.mjs) against a live server.

One engineer's phone goes through a day: first pull, offline work pushed, the dispatcher
changing things on the server, a conflict, a job taken away. Every step is one run of the
driver, which fails on any ``[Sync]`` diagnostic of the client or any off-contract answer
(docs/sync.md is the contract). The server is the real app under uvicorn on a fresh database
(SQLite, or PostgreSQL with ``WELLSPRING_TEST_DB=postgresql``).

Contract checks that do not stop the scenario (a value the server sends back differently,
a push that should have been refused) are collected and reported together at the end, so one
run shows every deviation.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.e2e.live import GraphQL, Phone, free_port
from tests.e2e.phone_day import (
    CJK,
    ENGINEER,
    OPEN,
    OTHER_ENGINEER,
    RECENT,
    SERVER_SET,
    TO_ON_SITE,
    Dispatcher,
    Findings,
    check_integrity,
    clean_sync,
    ms,
    my_jobs,
    phone_van,
    pulled_ids,
    raw_id,
    require_client,
    server_job,
    van_stock,
    window,
)
from tests.factories import fetch
from wellspring.domain import models as m
from wellspring.domain.models.enums import LedgerKind

# ---------------------------------------------------------------------------------------------
# The scenario


def test_a_phone_day_against_the_live_server(server: tuple[str, str], tmp_path: Path) -> None:
    url, base = server
    gql = GraphQL(base)
    findings = Findings()
    technicians = dict(
        fetch(
            url,
            select(m.User.username, m.Technician.id).join(
                m.Technician, m.Technician.user_id == m.User.id
            ),
        )
    )
    tech_id = technicians[ENGINEER]
    dispatcher = Dispatcher(gql, technicians)
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))

    # a. First pull: everything arrives in `created`; the phone's jobs are the engineer's.
    first = clean_sync(phone)
    assert first["pullRequest"] == {"lastPulledAt": None, "schemaVersion": 7, "migration": None}
    assert first["newLastPulledAt"]
    assert first["pushed"] == {}
    assert all(not s["updated"] and not s["deleted"] for s in first["pulled"].values()), first
    installation = first["installationId"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", installation)
    state = phone.dump()
    assert state["installationId"] == installation
    assert state["hasUnsyncedChanges"] is False
    check_integrity(state)
    jobs = {j["id"]: j for j in state["tables"]["jobs"]}
    server_open = my_jobs(gql)
    assert server_open, "the demo engineer has no open jobs"
    phone_open = {i: j for i, j in jobs.items() if j["status"] in OPEN}
    assert phone_open.keys() == server_open.keys()
    for job_id, mine in server_open.items():
        held = phone_open[job_id]
        assert (held["number"], held["status"], held["revision"]) == (
            mine["number"],
            mine["status"],
            mine["revision"],
        )
        for column, field in (
            ("appointment_start", "appointmentStart"),
            ("appointment_end", "appointmentEnd"),
            ("eta", "eta"),
            ("planned_arrival", "plannedArrival"),
        ):
            assert held[column] == ms(mine[field]), (job_id, column, held[column], mine[field])
        assert held["route_position"] == mine["routePosition"]
        assert held["ticket_id"] == raw_id(mine["ticket"]["id"])
    # Closed jobs: the engineer's completed, failed or cancelled in the last 7 days (a job
    # within a minute of that edge may go either way: the pull's clock is not the test's).
    edge = ms(m.utcnow() - RECENT) or 0
    closed: dict[str, int] = {
        job_id: (ms(at) or 0) - edge
        for job_id, status, at in fetch(
            url,
            select(
                m.Job.id, m.Job.status, func.coalesce(m.Job.completed_at, m.Job.updated_at)
            ).where(m.Job.technician_id == tech_id, m.Job.deleted_at.is_(None)),
        )
        if status.value not in OPEN
    }
    near_edge = {j for j, margin in closed.items() if abs(margin) < 60_000}
    phone_closed = {i for i, j in jobs.items() if j["status"] not in OPEN}
    assert phone_closed - near_edge == {j for j, margin in closed.items() if margin >= 60_000}
    assert phone_van(state) == van_stock(gql)
    parts = fetch(url, select(func.count()).select_from(m.Part).where(m.Part.deleted_at.is_(None)))
    assert len(state["tables"]["parts"]) == parts[0][0]

    # b. Offline work: a note and an ACCEPT on an ASSIGNED job; on another job the events up
    # to ON_SITE, a part from the van and a water test. Then one sync pushes them.
    assigned = sorted(
        (j for j in phone_open.values() if j["status"] == "ASSIGNED"), key=lambda j: j["number"]
    )
    assert assigned, "the demo engineer has no ASSIGNED job"
    job_a = assigned.pop(0)["id"]
    in_field = sorted(
        (j for j in phone_open.values() if j["status"] in ("ACCEPTED", "EN_ROUTE", "ON_SITE")),
        key=lambda j: (-list(TO_ON_SITE).index(j["status"]), j["number"]),
    )
    job_b = (in_field or assigned)[0]["id"]
    if not in_field:
        assigned.pop(0)
    assert len(assigned) >= 3, "the demo engineer needs three more ASSIGNED jobs"
    job_c, job_d, job_e = (j["id"] for j in assigned[:3])
    tickets = {t["id"]: t for t in state["tables"]["tickets"]}

    clock = int(time.time() * 1000) - 5 * 60_000  # five minutes ago, then 10 s per action
    made: dict[str, dict[str, dict[str, Any]]] = {}

    def create(table: str, fields: dict[str, Any]) -> str:
        nonlocal clock
        clock += 10_000
        record = phone.create(table, {**fields, "recorded_at": clock})
        assert record["_status"] == "created"
        made.setdefault(table, {})[record["id"]] = record
        return str(record["id"])

    note = create("job_notes", {"job_id": job_a, "body": "门禁密码 1234 / gate code 1234"})
    create("job_events", {"job_id": job_a, "action": "ACCEPT", "reason": None})
    for action in TO_ON_SITE[jobs[job_b]["status"]]:
        create("job_events", {"job_id": job_b, "action": action, "reason": None})
    good = {sid: row for sid, row in van_stock(gql).items() if row[1] == "GOOD" and row[2] > 0}
    assert good, "the demo engineer's van holds no good part"
    part_id: str = sorted(good.values())[0][0]
    consumption = create(
        "part_consumptions",
        {"job_id": job_b, "part_id": part_id, "quantity": 1, "old_part_returned": True},
    )
    water = None
    if tickets[jobs[job_b]["ticket_id"]]["device_id"]:
        water = create(
            "water_tests",
            # `passed` is the server's verdict: the phone's false must come back true.
            {"job_id": job_b, "tds": 35.5, "ph": 7.2, "temperature": 18.0, "passed": False},
        )
    van_before = van_stock(gql)
    assert phone.dump()["hasUnsyncedChanges"] is True

    pushed = clean_sync(phone)
    assert {t: set(s["created"]) for t, s in pushed["pushed"].items()} == {
        t: set(records) for t, records in made.items()
    }
    assert all(not s["updated"] and not s["deleted"] for s in pushed["pushed"].values())

    # c. The server applied them, through the same services as the GraphQL mutations.
    assert server_job(url, job_a).status.value == "ACCEPTED"
    assert server_job(url, job_b).status.value == "ON_SITE"
    assert my_jobs(gql)[job_a]["status"] == "ACCEPTED"
    notes = fetch(url, select(m.JobNote.job_id, m.JobNote.body).where(m.JobNote.id == note))
    assert notes == [(job_a, made["job_notes"][note]["body"])]
    events = fetch(url, select(m.JobEvent.id).where(m.JobEvent.id.in_(list(made["job_events"]))))
    assert {e for (e,) in events} == set(made["job_events"])
    entries = fetch(
        url,
        select(m.StockEntry.job_id, m.StockEntry.part_id, m.StockEntry.delta).where(
            m.StockEntry.client_id == f"{consumption}:000",
            m.StockEntry.kind == LedgerKind.CONSUMPTION,
        ),
    )
    assert entries == [(job_b, part_id, -1)]
    van_after = van_stock(gql)
    bins = {(p, b): q for p, b, q in van_after.values()}
    before = {(p, b): q for p, b, q in van_before.values()}
    assert bins[(part_id, "GOOD")] == before[(part_id, "GOOD")] - 1
    assert bins[(part_id, "DEFECTIVE")] == before.get((part_id, "DEFECTIVE"), 0) + 1
    if water:
        tests = fetch(url, select(m.WaterTest.passed).where(m.WaterTest.id == water))
        assert tests == [(True,)]

    # ... and the next sync brings them back once, as `updated` (never `created`), with the
    # server's state of the jobs and the van; the phone's copies end up synced.
    echo = clean_sync(phone)
    assert echo["pushed"] == {}
    for table, records in made.items():
        assert pulled_ids(echo, table, "updated") >= set(records), (table, echo["pulled"])
        assert not pulled_ids(echo, table, "created") & set(records), (table, echo["pulled"])
    assert {job_a, job_b} <= pulled_ids(echo, "jobs", "updated")
    state = phone.dump()
    assert state["hasUnsyncedChanges"] is False
    check_integrity(state)
    held = {t: {r["id"]: r for r in rows} for t, rows in state["tables"].items()}
    assert held["jobs"][job_a]["status"] == "ACCEPTED"
    assert held["jobs"][job_b]["status"] == "ON_SITE"
    for table, records in made.items():
        for rid, created in records.items():
            copy = held[table][rid]
            assert (copy["_status"], copy["_changed"]) == ("synced", ""), copy
            for column, value in created.items():
                if column in ("_status", "_changed") or (table, column) in SERVER_SET:
                    continue
                if (table, column) == ("job_events", "reason") and value is None:
                    # The server stores "no reason" as "" and sends that back (docs: `reason`?).
                    value_ok = copy[column] in (None, "")
                else:
                    value_ok = copy[column] == value
                findings.expect(
                    value_ok,
                    f"c. {table}#{rid}.{column}: the phone pushed {value!r}, the pull after the "
                    f"push overwrote it with {copy[column]!r}",
                )
    if water:
        assert held["water_tests"][water]["passed"] is True
    assert phone_van(state) == van_stock(gql)

    # d. The dispatcher reschedules one of the engineer's jobs: the phone gets the new window.
    new_window = window(3, 9)
    assigned_c = dispatcher.assign(job_c, ENGINEER, new_window)
    assert assigned_c["appointmentStart"] is not None
    moved = clean_sync(phone)
    assert job_c in pulled_ids(moved, "jobs", "updated")
    job = phone.records("jobs")[job_c]
    assert (job["appointment_start"], job["appointment_end"]) == tuple(map(ms, new_window))
    assert job["_status"] == "synced"

    # e. Conflicts over an appointment (docs/sync.md, merge rules): the phone's window applies
    # unless the dispatcher assigned or rescheduled the job after what the phone had seen when
    # it made the edit. Then the server keeps its own: the push lists the record under
    # `conflicts` (not rejected, so the client marks it synced), and the next pull brings the
    # dispatcher's window over the phone's copy. That is "resolved on the next sync".
    #
    # e1. The engineer agrees a window offline; the dispatcher reschedules before the phone
    # syncs. The sync's pull carries the dispatcher's change and the client's merge keeps its
    # own columns, so the push is judged against the installation's edit baseline: the cursor
    # of its last pull made with nothing waiting (test_phone_conflicts.py loses messages too).
    phone_window_d = tuple(map(ms, window(4, 14)))
    phone.update(
        "jobs",
        job_d,
        {"appointment_start": phone_window_d[0], "appointment_end": phone_window_d[1]},
    )
    dispatcher_window_d = tuple(map(ms, window(5, 10)))
    dispatcher.assign(job_d, ENGINEER, window(5, 10))
    offline = phone.sync()
    conflict = offline["conflicts"].get("jobs", {}).get(job_d, {})
    findings.expect(
        conflict.get("code") == "CHANGED_ON_SERVER",
        f"e1. the phone's offline window for job {job_d} was not settled for the dispatcher: "
        f"conflicts={offline['conflicts']} rejected={offline['rejected']}",
    )
    assert offline["rejectedIds"] == {}, offline
    server_d = server_job(url, job_d)
    assert (ms(server_d.appointment_start), ms(server_d.appointment_end)) == dispatcher_window_d
    resolved = clean_sync(phone)
    assert job_d in pulled_ids(resolved, "jobs", "updated")
    held_d = {j["id"]: j for j in phone.dump()["tables"]["jobs"]}[job_d]
    assert (held_d["appointment_start"], held_d["appointment_end"]) == dispatcher_window_d
    assert held_d["_status"] == "synced"

    # e2. The dispatcher reschedules while the phone is in the middle of a sync (after its
    # pull, before its push): the same rule, the same outcome.
    phone_window_e = tuple(map(ms, window(4, 16)))
    dispatcher_window_e = tuple(map(ms, window(6, 10)))
    phone.update(
        "jobs",
        job_e,
        {"appointment_start": phone_window_e[0], "appointment_end": phone_window_e[1]},
    )
    racing = phone.run_held_sync(lambda: dispatcher.assign(job_e, ENGINEER, window(6, 10)))
    reason = racing["conflicts"]["jobs"][job_e]
    assert racing["rejectedIds"] == {}, racing
    assert reason["code"] == "CHANGED_ON_SERVER", reason
    assert reason["field"] == "appointment_start"
    assert not CJK.search(reason["message"]), reason  # Accept-Language: en
    server_e = server_job(url, job_e)
    assert (ms(server_e.appointment_start), ms(server_e.appointment_end)) == dispatcher_window_e
    resolving = clean_sync(phone)
    assert job_e in pulled_ids(resolving, "jobs", "updated")
    quiet = clean_sync(phone)
    assert quiet["pulled"] == {}, quiet
    assert quiet["pushed"] == {}, quiet
    state = phone.dump()
    assert state["hasUnsyncedChanges"] is False
    check_integrity(state)
    held_jobs = {j["id"]: j for j in state["tables"]["jobs"]}
    server_now = my_jobs(gql)
    assert held_jobs.keys() >= server_now.keys()
    for job_id, mine in server_now.items():
        held_job = held_jobs[job_id]
        assert held_job["_status"] == "synced"
        assert (held_job["status"], held_job["revision"]) == (mine["status"], mine["revision"])
        assert held_job["appointment_start"] == ms(mine["appointmentStart"]), job_id
        assert held_job["appointment_end"] == ms(mine["appointmentEnd"]), job_id
    assert held_jobs[job_e]["appointment_start"] == dispatcher_window_e[0]

    # f. The dispatcher gives job C to another engineer: it goes from the phone, with its
    # ticket and what only that ticket reached.
    ticket_c = held_jobs[job_c]["ticket_id"]
    dispatcher.assign(job_c, OTHER_ENGINEER, None)
    gone = clean_sync(phone)
    assert job_c in pulled_ids(gone, "jobs", "deleted"), phone.steps[-1].explain()
    state = phone.dump()
    assert job_c not in {j["id"] for j in state["tables"]["jobs"]}
    if not any(j["ticket_id"] == ticket_c for j in state["tables"]["jobs"]):
        assert ticket_c in pulled_ids(gone, "tickets", "deleted")
        assert ticket_c not in {t["id"] for t in state["tables"]["tickets"]}
    check_integrity(state)
    assert state["hasUnsyncedChanges"] is False
    assert job_c not in my_jobs(gql)

    assert not findings.items, "contract deviations:\n- " + "\n- ".join(findings.items)


def test_the_driver_refuses_to_run_against_nothing(tmp_path: Path) -> None:
    """No server: the driver fails with exit 1 and a report, never a silent success."""
    require_client()
    phone = Phone(tmp_path / "phone", f"http://127.0.0.1:{free_port()}", "no-token")
    step = phone.run("sync", expect=1)
    assert step.report["ok"] is False
    assert step.report["error"]
    assert (tmp_path / "phone" / "installation-id").is_file()
