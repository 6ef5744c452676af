"""The phone's time is the time of the work (issue 12).

An engineer works at "10:00" (four hours before the test runs) and syncs at "14:00" (now):
history, job times, the follow-up's due time and the overdue judgement use the work's time,
through both doors (sync push, GraphQL). Times are relative to now, never to a time of day.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from tests.api.phone_times_site import (
    MIN,
    REPAIR,
    H,
    age,
    clerk,
    engineer,
    fresh_devices,
    from_ms,
    job_steps,
    move,
    ms,
    ticket_of,
    ticket_steps,
    ticket_view,
)
from tests.conftest import GraphQL
from tests.dispatch_site import PLACES, Site, add_job, add_technician, make_branch, set_rows
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus, TicketStatus, TicketType
from wellspring.domain.workflow.clock_rules import (
    CLAMPED_BEFORE_PREVIOUS,
    CLAMPED_FUTURE,
    CLAMPED_TOO_OLD,
)
from wellspring.i18n import EN, ZH, message
from wellspring.schema.core.ids import global_id

from .workflow_steps import doc


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "t", home=PLACES["people_square"])
    plain = fresh_devices(database_url, 1)[0]
    for name in ("sync", "gql", "late", "future", "before", "old", "push_future"):
        add_job(
            s,
            name,
            at=PLACES["jingan"],
            technician="t",
            status=JobStatus.ASSIGNED,
            device_id=plain,
            kind=TicketType.REPAIR,
        )
    for name in ("sync", "gql", "late"):
        age(s, name, 6 * H)  # assigned before the work began
    age(s, "old", dt.timedelta(days=20))
    add_job(
        s, "open", at=PLACES["jingan"], technician="t", status=JobStatus.ASSIGNED, device_id=plain
    )
    return s


def test_a_visit_synced_four_hours_late_keeps_the_time_it_was_done(
    gql: GraphQL, site: Site
) -> None:
    before_sync = dt.datetime.now(dt.UTC)
    done = from_ms(ms(before_sync - 4 * H))  # "10:00", to the phone's millisecond
    times = {
        "ACCEPT": done - 30 * MIN,
        "START_TRAVEL": done - 20 * MIN,
        "ARRIVE": done - 10 * MIN,
        "COMPLETE": done,
    }
    job_id = site.jobs["sync"]
    p = Phone(gql.client, engineer(gql, site))
    p.pull()
    events = {}
    for action, at in times.items():
        report = json.dumps(REPAIR) if action == "COMPLETE" else None
        values = {"job_id": job_id, "action": action, "reason": None, "report_json": report}
        events[action] = p.create("job_events", {**values, "recorded_at": ms(at)})
    answer = p.push()
    assert answer["rejected"] == {}

    job = scalars(site.url, select(m.Job).where(m.Job.id == job_id))[0]
    assert job.status is JobStatus.COMPLETED
    assert job.accepted_at == times["ACCEPT"]
    assert job.started_travel_at == times["START_TRAVEL"]
    assert job.arrived_at == times["ARRIVE"]
    assert job.completed_at == done
    steps = job_steps(site.url, job_id)
    for action, status in (
        ("ACCEPT", JobStatus.ACCEPTED),
        ("START_TRAVEL", JobStatus.EN_ROUTE),
        ("ARRIVE", JobStatus.ON_SITE),
        ("COMPLETE", JobStatus.COMPLETED),
    ):
        row = steps[status]
        assert row.at == row.occurred_at == row.reported_at == times[action], action
        assert row.received_at >= before_sync, action  # learned at the sync, kept apart
        assert row.time_flag == ""
    ticket_id = job.ticket_id
    history = ticket_steps(site.url, ticket_id)
    assert history[TicketStatus.ON_SITE].at == times["ARRIVE"]
    assert history[TicketStatus.COMPLETED].at == done
    assert history[TicketStatus.FOLLOW_UP_DUE].at == done + dt.timedelta(microseconds=1)
    assert history[TicketStatus.COMPLETED].received_at >= before_sync
    ticket = scalars(site.url, select(m.Ticket).where(m.Ticket.id == ticket_id))[0]
    assert ticket.completed_at == done
    due = scalars(site.url, select(m.FollowUp.due_at).where(m.FollowUp.ticket_id == ticket_id))
    assert due == [done + 24 * H]
    event = scalars(site.url, select(m.JobEvent).where(m.JobEvent.id == events["COMPLETE"]))[0]
    assert event.recorded_at == event.occurred_at == done
    assert event.received_at >= before_sync
    assert event.time_flag == ""

    # Due an hour after the work was done (and hours before now): done in time, not overdue.
    set_rows(site.url, m.Ticket, ticket_id, due_at=done + H)
    view = ticket_view(gql, site, ticket_id)
    assert view["overdue"] is False
    assert view["completedAt"] == done.astimezone(dt.timezone(8 * H)).isoformat()


def test_graphql_moves_take_the_recorded_time_and_complete_job_its_completed_at(
    gql: GraphQL, site: Site
) -> None:
    before_sync = dt.datetime.now(dt.UTC)
    done = before_sync - 4 * H
    job = global_id("Job", site.jobs["gql"])
    move(gql, site, "AcceptJob", {"id": job, "recordedAt": (done - 30 * MIN).isoformat()})
    move(gql, site, "StartTravel", {"id": job, "recordedAt": (done - 20 * MIN).isoformat()})
    move(gql, site, "ArriveOnSite", {"id": job, "recordedAt": (done - 10 * MIN).isoformat()})
    variables = {"input": {"jobId": job, "report": REPAIR, "completedAt": done.isoformat()}}
    assert move(gql, site, "CompleteJob", variables)["job"]["status"] == "COMPLETED"

    row = scalars(site.url, select(m.Job).where(m.Job.id == site.jobs["gql"]))[0]
    assert (row.accepted_at, row.arrived_at, row.completed_at) == (
        done - 30 * MIN,
        done - 10 * MIN,
        done,
    )
    ticket_id = row.ticket_id
    due = scalars(site.url, select(m.FollowUp.due_at).where(m.FollowUp.ticket_id == ticket_id))
    assert due == [done + 24 * H]
    set_rows(site.url, m.Ticket, ticket_id, due_at=done + H)
    view = ticket_view(gql, site, ticket_id)
    assert view["overdue"] is False
    completed = next(h for h in view["history"] if h["to"] == "COMPLETED")
    assert dt.datetime.fromisoformat(completed["occurredAt"]) == done
    assert completed["at"] == completed["occurredAt"]
    assert dt.datetime.fromisoformat(completed["receivedAt"]) >= before_sync
    assert completed["reportedAt"] == completed["occurredAt"]
    assert completed["timeFlag"] is None
    arrived = next(h for h in view["jobs"][0]["history"] if h["to"] == "ON_SITE")
    assert dt.datetime.fromisoformat(arrived["occurredAt"]) == done - 10 * MIN

    # Without a recorded time the server's clock is the time of the work, as before.
    other = global_id("Job", site.jobs["open"])
    move(gql, site, "AcceptJob", {"id": other})
    accepted = job_steps(site.url, site.jobs["open"])[JobStatus.ACCEPTED]
    assert accepted.at == accepted.received_at >= before_sync
    assert accepted.reported_at is None


def test_overdue_means_not_finished_by_the_due_time_in_the_flag_and_the_filter(
    gql: GraphQL, site: Site
) -> None:
    now = dt.datetime.now(dt.UTC)
    done = now - 4 * H
    late = global_id("Job", site.jobs["late"])
    move(gql, site, "AcceptJob", {"id": late, "recordedAt": (done - H).isoformat()})
    move(gql, site, "StartTravel", {"id": late, "recordedAt": (done - 50 * MIN).isoformat()})
    move(gql, site, "ArriveOnSite", {"id": late, "recordedAt": (done - 40 * MIN).isoformat()})
    variables = {"input": {"jobId": late, "report": REPAIR, "completedAt": done.isoformat()}}
    move(gql, site, "CompleteJob", variables)
    set_rows(site.url, m.Ticket, ticket_of(site, "late"), due_at=done - H)  # done an hour late
    on_time = [ticket_of(site, n) for n in ("sync", "gql")]  # done before their due times
    set_rows(site.url, m.Ticket, ticket_of(site, "future"), due_at=now - H)  # owed, past due
    set_rows(site.url, m.Ticket, ticket_of(site, "before"), due_at=now + H)  # owed, in time

    expected = {
        ticket_of(site, "late"): True,
        on_time[0]: False,
        on_time[1]: False,
        ticket_of(site, "future"): True,
        ticket_of(site, "before"): False,
    }
    for ticket_id, overdue in expected.items():
        assert ticket_view(gql, site, ticket_id)["overdue"] is overdue, ticket_id

    def listed(overdue: bool) -> set[str]:
        variables = {
            "filter": {"customerId": global_id("Customer", site.customer_id), "overdue": overdue},
            "first": 100,
        }
        data = gql.data(doc("Tickets"), variables, token=clerk(gql, site))
        return {e["node"]["id"] for e in data["tickets"]["edges"]}

    wanted = {global_id("Ticket", t): o for t, o in expected.items()}
    assert {t for t, o in wanted.items() if o} <= listed(True)
    assert not {t for t, o in wanted.items() if not o} & listed(True)
    assert {t for t, o in wanted.items() if not o} <= listed(False)


@pytest.mark.parametrize(
    ("name", "offset", "flag"),
    [
        ("future", 2 * H, CLAMPED_FUTURE),
        ("before", -3 * H, CLAMPED_BEFORE_PREVIOUS),  # assigned an hour ago
        ("old", -dt.timedelta(days=10), CLAMPED_TOO_OLD),  # assigned twenty days ago
    ],
)
def test_a_wrong_phone_time_is_clamped_kept_and_flagged_in_both_languages(
    gql: GraphQL, site: Site, name: str, offset: dt.timedelta, flag: str
) -> None:
    job_id = site.jobs[name]
    ticket_id = ticket_of(site, name)
    previous = max(
        *(r.at for r in job_steps(site.url, job_id).values()),
        *(r.at for r in ticket_steps(site.url, ticket_id).values()),
    )
    sent = dt.datetime.now(dt.UTC) + offset
    move(gql, site, "AcceptJob", {"id": global_id("Job", job_id), "recordedAt": sent.isoformat()})
    row = job_steps(site.url, job_id)[JobStatus.ACCEPTED]
    assert row.time_flag == flag
    assert row.reported_at == sent  # the phone's value, beside the kept one
    kept = {
        CLAMPED_FUTURE: row.received_at,
        CLAMPED_BEFORE_PREVIOUS: previous + dt.timedelta(microseconds=1),
        CLAMPED_TOO_OLD: row.received_at - dt.timedelta(days=7),
    }[flag]
    assert row.at == kept
    accepted_at = scalars(site.url, select(m.Job.accepted_at).where(m.Job.id == job_id))[0]
    assert accepted_at == kept
    for locale in (ZH, EN):
        view = ticket_view(gql, site, ticket_id, locale)
        job = next(j for j in view["jobs"] if j["id"] == global_id("Job", job_id))
        entry = next(h for h in job["history"] if h["to"] == "ACCEPTED")
        assert entry["timeFlag"] == {"code": flag, "message": message(flag, locale)}
        assert dt.datetime.fromisoformat(entry["reportedAt"]) == sent
        assert dt.datetime.fromisoformat(entry["occurredAt"]) == kept


def test_a_pushed_move_from_a_phone_clock_ahead_is_kept_at_the_sync_and_flagged(
    gql: GraphQL, site: Site
) -> None:
    job_id = site.jobs["push_future"]
    p = Phone(gql.client, engineer(gql, site))
    p.pull()
    ahead = ms(dt.datetime.now(dt.UTC) + 3 * H)
    event = p.create(
        "job_events", {"job_id": job_id, "action": "ACCEPT", "reason": None, "recorded_at": ahead}
    )
    assert p.push()["rejected"] == {}
    row = scalars(site.url, select(m.JobEvent).where(m.JobEvent.id == event))[0]
    assert row.recorded_at == from_ms(ahead)
    assert row.occurred_at == row.received_at
    assert row.time_flag == CLAMPED_FUTURE
    step = job_steps(site.url, job_id)[JobStatus.ACCEPTED]
    assert (step.at, step.time_flag) == (row.occurred_at, CLAMPED_FUTURE)
