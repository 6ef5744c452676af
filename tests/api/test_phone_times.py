"""The phone's time is the time of the work (issue 12).

An engineer works at "10:00" (four hours before the test runs) and syncs at "14:00" (now):
history, job times, the follow-up's due time and the overdue judgement use the work's time,
through both doors (sync push, GraphQL). Times are relative to now, never to a time of day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    _session_do,
    add_job,
    add_technician,
    make_branch,
    run,
    set_rows,
)
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.models.enums import (
    Channel,
    DeviceStatus,
    JobStatus,
    TicketStatus,
    TicketType,
)
from wellspring.domain.workflow.clock_rules import (
    CLAMPED_BEFORE_PREVIOUS,
    CLAMPED_FUTURE,
    CLAMPED_TOO_OLD,
)
from wellspring.i18n import EN, ZH, message
from wellspring.schema.core.ids import global_id

from .workflow_steps import doc

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
REPAIR = {"faultSymptom": "不出水", "faultCode": "E02", "repairLevel": "LEVEL_1"}
FAILING_WATER = {"tds": 320.0, "ph": 7.1}


def ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def from_ms(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def fresh_devices(url: str, n: int) -> list[str]:
    """Installed devices no filter-change ticket was ever opened for."""
    changed = select(m.Ticket.device_id).where(
        m.Ticket.type == TicketType.FILTER_CHANGE, m.Ticket.device_id.is_not(None)
    )
    return scalars(
        url,
        select(m.Device.id)
        .where(m.Device.status == DeviceStatus.INSTALLED, m.Device.id.not_in(changed))
        .order_by(m.Device.id.desc())
        .limit(n),
    )


def age(site: Site, name: str, delta: dt.timedelta) -> None:
    """Move the job's and its ticket's past back by ``delta`` (assigned long ago)."""
    job_id = site.jobs[name]

    async def work(session: Any) -> None:
        job = await session.get(m.Job, job_id)
        histories = (
            select(m.JobStatusChange).where(m.JobStatusChange.job_id == job_id),
            select(m.TicketStatusChange).where(m.TicketStatusChange.ticket_id == job.ticket_id),
        )
        for history in histories:
            for row in (await session.execute(history)).scalars():
                row.at = row.at - delta
                row.received_at = row.received_at - delta

    run(_session_do(site.url, work))


def ticket_of(site: Site, name: str) -> str:
    return str(scalars(site.url, select(m.Job.ticket_id).where(m.Job.id == site.jobs[name]))[0])


def job_steps(url: str, job_id: str) -> dict[JobStatus, m.JobStatusChange]:
    rows = scalars(url, select(m.JobStatusChange).where(m.JobStatusChange.job_id == job_id))
    return {row.to_status: row for row in rows}


def ticket_steps(url: str, ticket_id: str) -> dict[TicketStatus, m.TicketStatusChange]:
    rows = scalars(
        url, select(m.TicketStatusChange).where(m.TicketStatusChange.ticket_id == ticket_id)
    )
    return {row.to_status: row for row in rows}


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "t", home=PLACES["people_square"])
    devices = fresh_devices(database_url, 5)
    plain = devices[0]
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
    doors = ("water_push", "water_report", "sla_push", "sla_report")
    for name, device in zip(doors, devices[1:], strict=True):
        add_job(
            s,
            name,
            at=PLACES["jingan"],
            technician="t",
            status=JobStatus.ON_SITE,
            device_id=device,
            kind=TicketType.REPAIR,
        )
    return s


def engineer(gql: GraphQL, site: Site) -> str:
    username = site.usernames["t"]
    if username not in gql.tokens:
        gql.sign_in(username, PASSWORD)
    return gql.token(username)


def clerk(gql: GraphQL, site: Site) -> str:
    if site.clerk not in gql.tokens:
        gql.sign_in(site.clerk, PASSWORD)
    return gql.token(site.clerk)


def move(
    gql: GraphQL, site: Site, name: str, variables: dict[str, Any], *, who: str = "t"
) -> dict[str, Any]:
    token = engineer(gql, site) if who == "t" else clerk(gql, site)
    data = gql.data(doc(name), variables, token=token)
    result = next(iter(data.values()))
    assert result["errors"] == [], result["errors"]
    return result


def ticket_view(gql: GraphQL, site: Site, ticket_id: str, locale: str = "en") -> dict[str, Any]:
    response = gql.post(
        doc("Ticket"),
        {"id": global_id("Ticket", ticket_id)},
        token=clerk(gql, site),
        locale=locale,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["ticket"]


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


def filter_tickets(url: str, ticket_id: str) -> list[m.Ticket]:
    return scalars(
        url,
        select(m.Ticket).where(
            m.Ticket.linked_ticket_id == ticket_id, m.Ticket.type == TicketType.FILTER_CHANGE
        ),
    )


def sla_hours(url: str, ticket: m.Ticket) -> dt.timedelta:
    """From the ticket's opening (its first history row) to its due time."""
    opened = ticket_steps(url, ticket.id)[TicketStatus.CREATED].at
    assert ticket.due_at is not None
    return ticket.due_at - opened


def push_water(gql: GraphQL, site: Site, job: str, readings: dict[str, float]) -> None:
    p = Phone(gql.client, engineer(gql, site))
    p.pull()
    values = {"job_id": site.jobs[job], "passed": False, "recorded_at": ms(dt.datetime.now(dt.UTC))}
    p.create("water_tests", {**values, **readings})
    assert p.push()["rejected"] == {}


def test_a_failing_water_test_opens_a_filter_change_through_either_door(
    gql: GraphQL, site: Site
) -> None:
    push_water(gql, site, "water_push", FAILING_WATER)
    pushed = filter_tickets(site.url, ticket_of(site, "water_push"))
    assert len(pushed) == 1
    assert pushed[0].channel is Channel.SYSTEM
    assert sla_hours(site.url, pushed[0]) == 24 * H  # a HIGH ticket's default
    # Again for the same device: the waiting filter change stands, no second one.
    push_water(gql, site, "water_push", FAILING_WATER)
    assert len(filter_tickets(site.url, ticket_of(site, "water_push"))) == 1
    tests = scalars(
        site.url, select(m.WaterTest.passed).where(m.WaterTest.job_id == site.jobs["water_push"])
    )
    assert tests == [False, False]

    job = global_id("Job", site.jobs["water_report"])
    report = {**REPAIR, "waterTest": FAILING_WATER}
    move(gql, site, "CompleteJob", {"input": {"jobId": job, "report": report}})
    reported = filter_tickets(site.url, ticket_of(site, "water_report"))
    assert len(reported) == 1
    assert reported[0].details["failures"] == ["tds"]


@pytest.fixture
def sla_client(database_url: str) -> Iterator[TestClient]:
    """An app whose settings shorten the SLA of the tickets the system opens."""
    hours = {"FILTER_CHANGE": {"HIGH": 3}, "COMPLAINT": {"HIGH": 5}}
    app = create_app(make_settings(database_url, sla_hours=hours))
    with TestClient(app) as test_client:
        yield test_client


def test_tickets_the_system_opens_follow_the_sla_settings(
    sla_client: TestClient, site: Site
) -> None:
    gql = GraphQL(sla_client)
    push_water(gql, site, "sla_push", FAILING_WATER)
    pushed = filter_tickets(site.url, ticket_of(site, "sla_push"))
    assert [sla_hours(site.url, t) for t in pushed] == [3 * H]

    job = global_id("Job", site.jobs["sla_report"])
    report = {**REPAIR, "waterTest": FAILING_WATER}
    move(gql, site, "CompleteJob", {"input": {"jobId": job, "report": report}})
    reported = filter_tickets(site.url, ticket_of(site, "sla_report"))
    assert [sla_hours(site.url, t) for t in reported] == [3 * H]

    # A score of 1 on the call back opens a complaint, due in the configured 5 hours.
    variables = {
        "input": {
            "ticketId": global_id("Ticket", ticket_of(site, "sla_report")),
            "score": 1,
            "dissatisfaction": "SLOW_REPAIR",
            "comment": "太慢",
        }
    }
    complaint = move(gql, site, "RecordFollowUp", variables, who="clerk")["complaint"]
    assert complaint["type"] == "COMPLAINT"
    opened = scalars(
        site.url,
        select(m.Ticket).where(
            m.Ticket.linked_ticket_id == ticket_of(site, "sla_report"),
            m.Ticket.type == TicketType.COMPLAINT,
        ),
    )
    assert [sla_hours(site.url, t) for t in opened] == [5 * H]
