"""Moves, notes and water tests a phone recorded offline on a job the dispatcher reassigned
before the phone synced (docs/sync.md, "Merge rules"; parts: test_reassigned_parts.py).

They used to be refused NOT_FOUND on every sync, forever. Now notes and water tests made while
the engineer held the job (by the phone's time) are kept on the job, as the parts are: they
are facts of the site. A move would move a job someone else holds now: refused for good
(JOB_NOT_HELD), as is a note or a test made before the engineer held the job (JOB_NOT_HELD)
or after it closed (JOB_CLOSED). The client drops those (sync-client/drive.mjs FINAL_CODES).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.api.discrepancy_world import phone, token
from tests.api.test_reassigned_parts import cancel, now_ms, reassign, user_of
from tests.conftest import GraphQL
from tests.dispatch_site import PLACES, Site, _session_do, add_job, add_technician, make_branch, run
from tests.factories import fetch, scalars, unique
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import DeviceStatus, JobStatus, SupplyMode, TicketType
from wellspring.schema.core.ids import global_id

PASSING = {"tds": 12.0, "ph": 7.2}
FAILING = {"tds": 320.0, "ph": 7.1}


def own_device(s: Site) -> str:
    """A device of a model of its own, at the site's customer: the job's water tests go on it."""

    async def work(session: Any) -> str:
        model = m.DeviceModel(
            code=unique("RM"), name="改派测试机型", supply_mode=SupplyMode.MONTHLY
        )
        session.add(model)
        await session.flush()
        device = m.Device(
            serial_number=unique("SN"),
            device_model_id=model.id,
            status=DeviceStatus.INSTALLED,
            branch_id=s.branch_id,
            customer_id=s.customer_id,
            supply_mode=SupplyMode.MONTHLY,
        )
        session.add(device)
        await session.flush()
        return str(device.id)

    return str(run(_session_do(s.url, work)))


def site_with_two(url: str) -> tuple[Site, str, str]:
    """Engineers "a" (holding the accepted job, on a device of its own) and "b"."""
    s = make_branch(url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_technician(s, "b", home=PLACES["xujiahui"])
    device = own_device(s)
    job = add_job(
        s,
        "visit",
        at=PLACES["jingan"],
        technician="a",
        status=JobStatus.ACCEPTED,
        device_id=device,
    )
    return s, job, device


def phone_of(gql: GraphQL, s: Site, who: str) -> Phone:
    return Phone(gql.client, token(gql, s.usernames[who]))


def codes(answer: dict[str, Any], table: str) -> dict[str, tuple[str, str | None]]:
    return {i: (r["code"], r["field"]) for i, r in answer["rejected"].get(table, {}).items()}


def job_state(url: str, job: str) -> tuple[str, str | None]:
    [(status, tech)] = fetch(url, select(m.Job.status, m.Job.technician_id).where(m.Job.id == job))
    return status.value, tech


def test_notes_and_water_tests_made_while_held_reach_the_job_and_moves_are_dropped(
    gql: GraphQL, database_url: str
) -> None:
    """a arrives, tests the water (failing) and writes notes offline, one after the job went
    to b (the phone did not know yet); the dispatcher gave the job to b meanwhile. The
    readings and notes are kept on the job, for the office and for b; the arrival does not
    move b's job: a final JOB_NOT_HELD, the same on every push."""
    s, job, device = site_with_two(database_url)
    p = phone(gql, s)
    p.pull()
    arrive = p.create("job_events", {"job_id": job, "action": "ARRIVE", "recorded_at": now_ms(-4)})
    test = p.create(
        "water_tests", {"job_id": job, "passed": True, "recorded_at": now_ms(-3), **FAILING}
    )
    held = p.create(
        "job_notes", {"job_id": job, "body": "滤芯已发黑，建议更换", "recorded_at": now_ms(-2)}
    )
    reassign(gql, s, job, s.techs["b"])
    late = p.create(
        "job_notes", {"job_id": job, "body": "客户说下午再来", "recorded_at": now_ms(0.02)}
    )
    body = p.push_body()
    answer = p.sync()

    assert set(answer["rejected"]) == {"job_events"}
    assert codes(answer, "job_events") == {arrive: ("JOB_NOT_HELD", "job_id")}
    assert "someone else holds now" in answer["rejected"]["job_events"][arrive]["message"]
    assert answer["experimentalRejectedIds"] == {"job_events": [arrive]}
    assert job_state(database_url, job) == ("ASSIGNED", s.techs["b"])  # b's job did not move
    assert fetch(database_url, select(m.JobEvent.id).where(m.JobEvent.job_id == job)) == []

    # The readings are on the device and the job, judged by the server; failing, they ask
    # for a filter change as any failing test does.
    [(passed, on_job)] = fetch(
        database_url,
        select(m.WaterTest.passed, m.WaterTest.job_id).where(m.WaterTest.id == test),
    )
    assert (passed, on_job) == (False, job)
    filters = scalars(
        database_url,
        select(m.Ticket.id).where(
            m.Ticket.device_id == device, m.Ticket.type == TicketType.FILTER_CHANGE
        ),
    )
    assert len(filters) == 1

    # The office reads the notes on the job, by their author; b's phone gets them too.
    seen = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Job { technicianName "
        "notes { id body authorName } } } }",
        {"id": global_id("Job", job)},
        token=token(gql, s.clerk),
    )["node"]
    assert seen["technicianName"] == "工程师b"
    assert [(n["body"], n["authorName"]) for n in seen["notes"]] == [
        ("滤芯已发黑，建议更换", "工程师a"),
        ("客户说下午再来", "工程师a"),
    ]
    b = phone_of(gql, s, "b")
    b.pull()
    assert set(b.local["job_notes"]) == {held, late}
    assert set(b.local["water_tests"]) == {test}
    assert set(b.local["job_events"]) == set()

    # The push again (its answer lost): nothing new, the move refused as before.
    again = p.push(body)
    assert codes(again, "job_events") == {arrive: ("JOB_NOT_HELD", "job_id")}
    assert set(again["rejected"]) == {"job_events"}
    assert len(scalars(database_url, select(m.JobNote.id).where(m.JobNote.job_id == job))) == 2
    assert len(scalars(database_url, select(m.WaterTest.id).where(m.WaterTest.job_id == job))) == 1

    # a's phone holds nothing of the job any more, its own records included.
    p.pull()
    for table in ("jobs", "job_notes", "water_tests"):
        assert not {i for i, r in p.local.get(table, {}).items() if job in (i, r.get("job_id"))}
    audit = scalars(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "job.note_added",
            m.AuditEntry.entity_id == job,
            m.AuditEntry.actor_id == user_of(database_url, s.techs["a"]),
        ),
    )
    assert [d.get("job_held_by") for d in audit] == [s.techs["b"], s.techs["b"]]


def test_records_made_before_the_job_was_held_or_after_it_closed_are_refused_for_good(
    gql: GraphQL, database_url: str
) -> None:
    """Made (by the phone's time) before a ever held the job: JOB_NOT_HELD; after the job,
    reassigned since, was cancelled: JOB_CLOSED; a move on it: JOB_NOT_HELD. Nothing is kept,
    and every push answers the same."""
    s, job, _device = site_with_two(database_url)
    p = phone(gql, s)
    p.pull()
    early_note = p.create(
        "job_notes", {"job_id": job, "body": "提前记录", "recorded_at": now_ms(-90)}
    )
    early_test = p.create(
        "water_tests", {"job_id": job, "passed": True, "recorded_at": now_ms(-90), **PASSING}
    )
    reassign(gql, s, job, s.techs["b"])
    cancel(gql, s, job)
    late_note = p.create(
        "job_notes", {"job_id": job, "body": "取消后记录", "recorded_at": now_ms(0.02)}
    )
    late_test = p.create(
        "water_tests", {"job_id": job, "passed": True, "recorded_at": now_ms(0.02), **PASSING}
    )
    fail = p.create(
        "job_events",
        {"job_id": job, "action": "FAIL", "reason": "客户不在家", "recorded_at": now_ms(-1)},
    )
    body = p.push_body()
    for answer in (p.sync(), p.push(body)):
        assert codes(answer, "job_notes") == {
            early_note: ("JOB_NOT_HELD", "job_id"),
            late_note: ("JOB_CLOSED", "job_id"),
        }
        assert codes(answer, "water_tests") == {
            early_test: ("JOB_NOT_HELD", "job_id"),
            late_test: ("JOB_CLOSED", "job_id"),
        }
        assert codes(answer, "job_events") == {fail: ("JOB_NOT_HELD", "job_id")}
        assert (
            "made before the job was yours"
            in answer["rejected"]["job_notes"][early_note]["message"]
        )
        assert "is closed" in answer["rejected"]["water_tests"][late_test]["message"]
    assert job_state(database_url, job) == ("CANCELLED", s.techs["b"])
    assert scalars(database_url, select(m.JobNote.id).where(m.JobNote.job_id == job)) == []
    assert scalars(database_url, select(m.WaterTest.id).where(m.WaterTest.job_id == job)) == []


def test_the_engineer_who_holds_the_job_is_not_judged_as_a_former_holder(
    gql: GraphQL, database_url: str
) -> None:
    """Given back to a before the sync: a's records apply as on any job of theirs (a water
    test before the arrival is the state machine's INVALID_TRANSITION, kept pending)."""
    s, job, _device = site_with_two(database_url)
    p = phone(gql, s)
    p.pull()
    early = p.create(
        "water_tests", {"job_id": job, "passed": True, "recorded_at": now_ms(-5), **PASSING}
    )
    reassign(gql, s, job, s.techs["b"])
    reassign(gql, s, job, s.techs["a"])
    accept = p.create("job_events", {"job_id": job, "action": "ACCEPT", "recorded_at": now_ms()})
    answer = p.sync()
    assert codes(answer, "water_tests") == {early: ("INVALID_TRANSITION", None)}
    assert accept not in answer["rejected"].get("job_events", {})
    assert job_state(database_url, job) == ("ACCEPTED", s.techs["a"])


def test_a_move_on_the_engineers_own_job_cancelled_since_is_refused_for_good(
    gql: GraphQL, database_url: str
) -> None:
    """The office cancelled a's job while the phone was offline: its arrival can never apply
    (no move leaves a closed job), so it is JOB_CLOSED, final, the client drops it and keeps
    the reason, instead of INVALID_TRANSITION pending on every sync. A move the state machine
    refuses on an open job stays INVALID_TRANSITION, pending for the engineer to correct."""
    s, job, _device = site_with_two(database_url)
    open_job = add_job(s, "open", at=PLACES["jingan"], technician="a", status=JobStatus.ACCEPTED)
    p = phone(gql, s)
    p.pull()
    arrive = p.create("job_events", {"job_id": job, "action": "ARRIVE", "recorded_at": now_ms(-2)})
    early = p.create(
        "job_events", {"job_id": open_job, "action": "COMPLETE", "recorded_at": now_ms(-1)}
    )
    cancel(gql, s, job)
    body = p.push_body()
    for answer in (p.sync(), p.push(body)):
        assert codes(answer, "job_events") == {
            arrive: ("JOB_CLOSED", "job_id"),
            early: ("INVALID_TRANSITION", None),
        }
        assert "is closed" in answer["rejected"]["job_events"][arrive]["message"]
    assert job_state(database_url, job) == ("CANCELLED", s.techs["a"])
    assert job_state(database_url, open_job) == ("ACCEPTED", s.techs["a"])
    assert fetch(database_url, select(m.JobEvent.id).where(m.JobEvent.job_id == job)) == []
