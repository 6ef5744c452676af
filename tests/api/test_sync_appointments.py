"""A window the engineer agrees with the customer on the phone (a sync push of the job's
appointment) is the ticket's appointment (预约), as when a clerk agrees it: the ticket is
APPOINTED, its history says who and when, and the customer is told."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race_at
from tests.api.sync_site import sync_branch, sync_phone
from tests.conftest import GraphQL
from tests.dispatch_site import PLACES, Site, add_job, local
from tests.factories import execute, fetch, in_rollback, scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.models.enums import JobStatus, TicketStatus
from wellspring.domain.notifications import routing


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    return sync_branch(database_url)


def window(days: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
    return local(day, hour), local(day, hour + 2)


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def agree(p: Phone, job: str, when: tuple[dt.datetime, dt.datetime] | None) -> dict[str, Any]:
    values: dict[str, int | None] = {"appointment_start": None, "appointment_end": None}
    if when is not None:
        values = {"appointment_start": ms(when[0]), "appointment_end": ms(when[1])}
    p.update("jobs", job, values)
    return p.sync()


def fresh_job(site: Site, name: str) -> tuple[str, str]:
    """A job of engineer "a", assigned without a window: (job id, ticket id)."""
    job = add_job(site, name, at=PLACES["jingan"], technician="a", status=JobStatus.ASSIGNED)
    return job, scalars(site.url, select(m.Job.ticket_id).where(m.Job.id == job))[0]


def last_step(url: str, ticket: str) -> Any:
    return fetch(
        url,
        select(
            m.TicketStatusChange.from_status,
            m.TicketStatusChange.to_status,
            m.TicketStatusChange.actor_id,
            m.TicketStatusChange.reason,
        )
        .where(m.TicketStatusChange.ticket_id == ticket)
        .order_by(m.TicketStatusChange.created_at.desc(), m.TicketStatusChange.at.desc())
        .limit(1),
    )[0]


def told(url: str, job: str) -> list[dict[str, Any]]:
    """The job's events waiting to be routed to people, oldest first."""
    rows = fetch(
        url,
        select(m.OutboxMessage.kind, m.OutboxMessage.payload)
        .where(m.OutboxMessage.channel == "FANOUT")
        .order_by(m.OutboxMessage.created_at),
    )
    return [p for kind, p in rows if p.get("job_id") == job and kind.startswith("JOB_")]


def engineer_user(site: Site) -> str:
    return scalars(
        site.url, select(m.Technician.user_id).where(m.Technician.id == site.techs["a"])
    )[0]


def test_the_window_agreed_on_the_phone_appoints_the_ticket_and_tells_the_customer(
    gql: GraphQL, site: Site
) -> None:
    job, ticket = fresh_job(site, "agreed")
    p = sync_phone(gql, site, "a")
    p.pull()
    first = window(2, 14)
    answer = agree(p, job, first)
    assert (answer["rejected"], answer["conflicts"]) == ({}, {})
    status = scalars(site.url, select(m.Ticket.status).where(m.Ticket.id == ticket))[0]
    assert status is TicketStatus.APPOINTED
    engineer = engineer_user(site)
    assert last_step(site.url, ticket) == (
        TicketStatus.ASSIGNED,
        TicketStatus.APPOINTED,
        engineer,
        "@AGREED",
    )
    events = [e for e in told(site.url, job) if e["kind"] in ("JOB_ASSIGNED", "JOB_RESCHEDULED")]
    assert [e["kind"] for e in events] == ["JOB_ASSIGNED"]  # the appointment, with its window
    assert events[0]["actor_id"] == engineer
    assert events[0]["data"]["appointment_start"] == first[0].isoformat()

    async def who(session: AsyncSession) -> list[routing.Audience]:
        return [r.audience for r in await routing.recipients(session, events[0])]

    # The customer hears it (by SMS: the test's customer has no app); the engineer does not.
    assert in_rollback(site.url, who) == [routing.Audience.CUSTOMER]

    # Moved again on the phone: the ticket stays APPOINTED, a new history row, a new time.
    again = window(3, 9)
    assert agree(p, job, again)["rejected"] == {}
    assert last_step(site.url, ticket)[:2] == (TicketStatus.APPOINTED, TicketStatus.APPOINTED)
    kinds = [e["kind"] for e in told(site.url, job)]
    assert kinds.count("JOB_RESCHEDULED") == 1

    # The same window again (a replay) changes nothing and tells no one.
    steps = scalars(
        site.url, select(m.TicketStatusChange.id).where(m.TicketStatusChange.ticket_id == ticket)
    )
    assert agree(p, job, again)["rejected"] == {}
    after = scalars(
        site.url, select(m.TicketStatusChange.id).where(m.TicketStatusChange.ticket_id == ticket)
    )
    assert [e["kind"] for e in told(site.url, job)] == kinds
    assert sorted(after) == sorted(steps)


def test_the_phone_cannot_take_back_an_agreed_window(gql: GraphQL, site: Site) -> None:
    job, ticket = fresh_job(site, "kept")
    p = sync_phone(gql, site, "a")
    p.pull()
    agreed = window(2, 10)
    agree(p, job, agreed)
    answer = agree(p, job, None)
    assert answer["rejected"]["jobs"][job]["code"] == "APPOINTMENT_WINDOW_INVALID"
    start = scalars(site.url, select(m.Job.appointment_start).where(m.Job.id == job))[0]
    assert start == agreed[0]
    status = scalars(site.url, select(m.Ticket.status).where(m.Ticket.id == ticket))[0]
    assert status is TicketStatus.APPOINTED


@pytest.mark.usefixtures("postgresql_only")
def test_a_window_agreed_while_the_ticket_is_being_cancelled_is_refused(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    """The cancellation commits while the push reads the job: the push waited for it and
    refused the window. It read the job before and failed at its versioned UPDATE (a 500)."""
    job, ticket = fresh_job(site, "cancelled")
    p = sync_phone(gql, site, "a")
    p.pull()
    when = window(2, 15)
    p.update("jobs", job, {"appointment_start": ms(when[0]), "appointment_end": ms(when[1])})

    def moved(job_to: JobStatus, ticket_to: TicketStatus) -> list[Any]:
        return [
            update(model).where(model.id == row).values(status=to, revision=model.revision + 1)
            for model, row, to in ((m.Ticket, ticket, ticket_to), (m.Job, job, job_to))
        ]

    async def hold(session: AsyncSession) -> None:  # the dispatcher's cancel, uncommitted
        for statement in moved(JobStatus.CANCELLED, TicketStatus.CANCELLED):
            await session.execute(statement)

    try:
        answer = race_at(database_url, "/sync/push", p.push_body(), p.headers(), hold)
    finally:  # no history says cancelled: the shared database is put back as it was
        for statement in moved(JobStatus.ASSIGNED, TicketStatus.ASSIGNED):
            execute(database_url, statement)
    assert answer["rejected"]["jobs"][job]["code"] == "INVALID_TRANSITION"
    start = scalars(site.url, select(m.Job.appointment_start).where(m.Job.id == job))[0]
    assert start is None


def test_a_window_from_the_phone_keeps_to_the_engineers_hours(gql: GraphQL, site: Site) -> None:
    """As a dispatcher's booking: a window at 03:00 or thirty days long was applied and shown
    on the customer's page."""
    job, _ticket = fresh_job(site, "hours")
    p = sync_phone(gql, site, "a")
    p.pull()
    night = window(2, 3)
    assert agree(p, job, night)["rejected"]["jobs"][job]["code"] == "APPOINTMENT_OUTSIDE_SHIFT"
    start = window(2, 9)[0]
    month = (start, start + dt.timedelta(days=30))
    assert agree(p, job, month)["rejected"]["jobs"][job]["code"] == "APPOINTMENT_WINDOW_INVALID"
    assert scalars(site.url, select(m.Job.appointment_start).where(m.Job.id == job)) == [None]
