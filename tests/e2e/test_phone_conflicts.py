"""The conflict baseline with the real phone client (docs/sync.md, "Merge rules").

Issue 12's two reproductions, each a lost message in the middle of a sync: the dispatcher's
change must win, reported as a conflict, and an edit the engineer redoes after seeing it
must stand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.e2e.live import GraphQL, Phone
from tests.e2e.phone_day import (
    ENGINEER,
    Dispatcher,
    clean_sync,
    ms,
    server_job,
    window,
)
from tests.factories import fetch
from wellspring.domain import models as m


def conflict(report: dict[str, Any], job: str) -> str | None:
    code: str | None = report["conflicts"].get("jobs", {}).get(job, {}).get("code")
    return code


def lossy_sync(phone: Phone, lose: str) -> dict[str, Any]:
    """A sync whose push (``push``) or push answer (``push-answer``) is lost on the way."""
    phone.env["SYNC_LOSE"] = lose
    try:
        step = phone.run("sync", expect=1)
    finally:
        del phone.env["SYNC_LOSE"]
    report = step.report
    assert f"SYNC_LOSE={lose}" in (report["error"] or ""), step.explain()
    assert report["diagnostics"] == [], step.explain()
    return report


def held_window(phone: Phone, job: str) -> tuple[int, int, str]:
    held = phone.records("jobs")[job]
    return held["appointment_start"], held["appointment_end"], held["_status"]


def server_window(url: str, job: str) -> tuple[int | None, int | None]:
    row = server_job(url, job)
    return ms(row.appointment_start), ms(row.appointment_end)


def edit(phone: Phone, job: str, when: tuple[dt.datetime, dt.datetime]) -> tuple[int, int]:
    start, end = ms(when[0]), ms(when[1])
    assert start is not None
    assert end is not None
    phone.update("jobs", job, {"appointment_start": start, "appointment_end": end})
    return start, end


def test_a_lost_message_never_lets_a_stale_edit_overwrite_the_dispatcher(
    server: tuple[str, str],
    tmp_path: Path,
) -> None:
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
    dispatcher = Dispatcher(gql, technicians)
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))
    first = clean_sync(phone)
    assert first["unsyncedChanges"] is False
    assigned = sorted(
        (j for j in phone.records("jobs").values() if j["status"] == "ASSIGNED"),
        key=lambda j: j["number"],
    )
    assert len(assigned) >= 2, "the demo engineer needs two ASSIGNED jobs"
    job_1, job_2 = assigned[0]["id"], assigned[1]["id"]

    # 1. The phone pulls past the dispatcher's change, and the connection drops before the
    # push. The next sync pushes the stale edit with the newer cursor: a conflict.
    edit(phone, job_1, window(2, 14))  # offline
    clerk_1 = window(3, 9)
    dispatcher.assign(job_1, ENGINEER, clerk_1)
    dropped = lossy_sync(phone, "push")
    assert dropped["unsyncedChanges"] is True
    assert job_1 in dropped["pulled"]["jobs"]["updated"]
    assert dropped["newLastPulledAt"] > dropped["lastPulledAt"]
    assert held_window(phone, job_1)[2] == "updated"  # the client kept its own window
    again = phone.sync()
    assert conflict(again, job_1) == "CHANGED_ON_SERVER", again
    assert again["rejectedIds"] == {}
    clerk_ms = (ms(clerk_1[0]), ms(clerk_1[1]))
    assert server_window(url, job_1) == clerk_ms
    clean_sync(phone)
    assert held_window(phone, job_1) == (*clerk_ms, "synced")

    # 2. The push reaches the server and is answered CHANGED_ON_SERVER; the answer is lost.
    # The edit is still pending and goes out again: a conflict again, never applied.
    edit(phone, job_2, window(2, 10))
    clerk_2 = window(4, 9)
    dispatcher.assign(job_2, ENGINEER, clerk_2)
    lost = lossy_sync(phone, "push-answer")
    assert conflict(lost["lostAnswer"], job_2) == "CHANGED_ON_SERVER", lost
    assert held_window(phone, job_2)[2] == "updated"
    retried = phone.sync()
    assert conflict(retried, job_2) == "CHANGED_ON_SERVER", retried
    clerk_ms = (ms(clerk_2[0]), ms(clerk_2[1]))
    assert server_window(url, job_2) == clerk_ms
    clean_sync(phone)
    assert held_window(phone, job_2) == (*clerk_ms, "synced")

    # 3. The engineer, now holding the dispatcher's window, agrees a new one: it stands.
    clean_sync(phone)  # a background sync with nothing waiting
    redone = edit(phone, job_2, window(4, 15))
    final = phone.sync()
    assert final["conflicts"] == {}, final
    assert server_window(url, job_2) == redone
    quiet = clean_sync(phone)
    assert quiet["pushed"] == {}
    assert phone.dump()["hasUnsyncedChanges"] is False
