"""Parts recorded on a job reassigned under the phone, with the real client (docs/sync.md,
"Final rejections").

Recorded while the engineer held the job (or after it went to another, before the phone
learned it), they are taken from the van. Recorded after the job was cancelled, they are
refused for good (JOB_CLOSED, as JOB_NOT_HELD): the client drops the record and keeps its
reason, instead of pushing it, and having it refused, on every sync forever.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from graphql_relay import to_global_id
from sqlalchemy import select

from tests.e2e.live import GraphQL, Phone
from tests.e2e.phone_day import DISPATCHER, ENGINEER, OTHER_ENGINEER, Dispatcher, clean_sync
from tests.factories import fetch
from wellspring.domain import models as m


def now_ms(seconds: float = 0) -> int:
    return int((dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).timestamp() * 1000)


def test_parts_on_a_job_reassigned_under_the_phone(server: tuple[str, str], tmp_path: Path) -> None:
    url, base = server
    gql = GraphQL(base)
    technicians = dict(
        fetch(
            url,
            select(m.User.username, m.Technician.id).join(
                m.Technician, m.Technician.user_id == m.User.id
            ),
        )
    )
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))
    clean_sync(phone)
    job = min(
        (j for j in phone.records("jobs").values() if j["status"] in ("ASSIGNED", "ACCEPTED")),
        key=lambda j: j["number"],
    )["id"]
    model = fetch(
        url,
        select(m.DeviceModel.code)
        .join(m.Device, m.Device.device_model_id == m.DeviceModel.id)
        .join(m.Ticket, m.Ticket.device_id == m.Device.id)
        .join(m.Job, m.Job.ticket_id == m.Ticket.id)
        .where(m.Job.id == job),
    )
    code = model[0][0] if model else None
    active = select(m.Part).where(m.Part.is_active.is_(True)).order_by(m.Part.sku)
    fitting = [
        p.id
        for (p,) in fetch(url, active)
        if not p.compatible_models or code is None or code in p.compatible_models
    ]
    part = next(p for p in fitting if p in phone.records("parts"))
    line = {"job_id": job, "part_id": part, "quantity": 1, "old_part_returned": False}

    held = phone.create("part_consumptions", {**line, "recorded_at": now_ms(-60)})["id"]
    Dispatcher(gql, technicians).assign(job, OTHER_ENGINEER, None)
    ticket = to_global_id("Ticket", phone.records("jobs")[job]["ticket_id"])
    gql.payload("CancelTicket", {"id": ticket, "reason": "客户取消"}, DISPATCHER)
    late = phone.create("part_consumptions", {**line, "recorded_at": now_ms(1)})["id"]
    report = phone.sync()

    assert held not in report["rejected"].get("part_consumptions", {}), report
    assert report["rejected"]["part_consumptions"][late]["code"] == "JOB_CLOSED", report
    assert report["rejectedIds"] == {}, report  # nothing handed back to stay pending
    assert [(f["table"], f["id"], f["code"]) for f in report["finalRejected"]] == [
        ("part_consumptions", late, "JOB_CLOSED")
    ]
    entries = fetch(url, select(m.StockEntry.client_id).where(m.StockEntry.job_id == job))
    assert [c for (c,) in entries] == [f"{held}:000"]

    # Dropped on the phone, kept with its reason for the engineer; nothing goes out again.
    state = phone.dump()
    assert state["hasUnsyncedChanges"] is False
    assert late not in {r["id"] for r in state["tables"]["part_consumptions"]}
    kept = json.loads((tmp_path / "phone" / "final-rejections.json").read_text(encoding="utf-8"))
    assert [(k["id"], k["code"]) for k in kept] == [(late, "JOB_CLOSED")]
    again = clean_sync(phone)
    assert again["pushed"] == {}


def test_a_move_on_a_job_reassigned_under_the_phone_is_dropped_and_notes_are_kept(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """A note written while the engineer held the job reaches it; the move made offline (it
    would move the other engineer's job) is refused for good, JOB_NOT_HELD, and dropped by the
    client, instead of NOT_FOUND on every sync forever."""
    url, base = server
    gql = GraphQL(base)
    technicians = dict(
        fetch(
            url,
            select(m.User.username, m.Technician.id).join(
                m.Technician, m.Technician.user_id == m.User.id
            ),
        )
    )
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))
    clean_sync(phone)
    job = min(
        (j for j in phone.records("jobs").values() if j["status"] in ("ASSIGNED", "ACCEPTED")),
        key=lambda j: j["number"],
    )["id"]
    note = phone.create(
        "job_notes", {"job_id": job, "body": "客户要求改天上门", "recorded_at": now_ms(-60)}
    )["id"]
    move = phone.create(
        "job_events",
        {"job_id": job, "action": "FAIL", "reason": "客户不在", "recorded_at": now_ms(-30)},
    )["id"]
    Dispatcher(gql, technicians).assign(job, OTHER_ENGINEER, None)
    report = phone.sync()

    assert report["rejected"] == {"job_events": {move: report["rejected"]["job_events"][move]}}
    assert report["rejected"]["job_events"][move]["code"] == "JOB_NOT_HELD", report
    assert report["rejectedIds"] == {}, report
    assert [(f["table"], f["id"], f["code"]) for f in report["finalRejected"]] == [
        ("job_events", move, "JOB_NOT_HELD")
    ]
    assert fetch(url, select(m.JobNote.job_id).where(m.JobNote.id == note)) == [(job,)]
    assert fetch(url, select(m.Job.status).where(m.Job.id == job))[0][0].value == "ASSIGNED"

    state = phone.dump()
    assert state["hasUnsyncedChanges"] is False
    assert move not in {r["id"] for r in state["tables"]["job_events"]}
    again = clean_sync(phone)
    assert again["pushed"] == {}
    assert note not in phone.records("job_notes")  # gone with the job


def test_a_move_on_the_engineers_own_job_cancelled_under_the_phone_is_dropped(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """The office cancels a job the engineer still holds while the phone is offline: the move
    recorded on it can never apply (a closed job never moves again). It is refused for good,
    JOB_CLOSED, and dropped by the client with its reason, instead of INVALID_TRANSITION on
    every sync forever."""
    url, base = server
    gql = GraphQL(base)
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))
    clean_sync(phone)
    job = min(
        (j for j in phone.records("jobs").values() if j["status"] in ("ASSIGNED", "ACCEPTED")),
        key=lambda j: j["number"],
    )
    move = phone.create(
        "job_events",
        {"job_id": job["id"], "action": "FAIL", "reason": "客户不在", "recorded_at": now_ms(-30)},
    )["id"]
    ticket = to_global_id("Ticket", job["ticket_id"])
    gql.payload("CancelTicket", {"id": ticket, "reason": "客户取消"}, DISPATCHER)
    report = phone.sync()

    assert report["rejected"]["job_events"][move]["code"] == "JOB_CLOSED", report
    assert report["rejectedIds"] == {}, report
    assert [(f["table"], f["id"], f["code"]) for f in report["finalRejected"]] == [
        ("job_events", move, "JOB_CLOSED")
    ]
    assert fetch(url, select(m.Job.status).where(m.Job.id == job["id"]))[0][0].value == "CANCELLED"
    state = phone.dump()
    assert state["hasUnsyncedChanges"] is False
    assert move not in {r["id"] for r in state["tables"]["job_events"]}
    again = clean_sync(phone)
    assert again["pushed"] == {}
