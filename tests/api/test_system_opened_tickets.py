"""Tickets the system opens (issue 12): a failing water test opens a filter change through
either door (a phone's push, a GraphQL report), once per device, and those tickets and the
complaint a low call-back score opens are due as the SLA settings say."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.phone_times_site import (
    FAILING_WATER,
    REPAIR,
    H,
    engineer,
    fresh_devices,
    move,
    ms,
    ticket_of,
    ticket_steps,
)
from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import PLACES, Site, add_job, add_technician, make_branch
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.models.enums import Channel, JobStatus, TicketStatus, TicketType
from wellspring.schema.core.ids import global_id


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    """A job on site for each door (a phone's push, a GraphQL report) and SLA setting, each on
    a device no filter change was ever opened for."""
    s = make_branch(database_url)
    add_technician(s, "t", home=PLACES["people_square"])
    doors = ("water_push", "water_report", "sla_push", "sla_report")
    for name, device in zip(doors, fresh_devices(database_url, len(doors)), strict=True):
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
