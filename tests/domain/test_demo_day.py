"""The demo is a working day around the "now" it is given: visits under way began minutes ago,
appointments lie ahead today and tomorrow, few tickets are overdue, the engineers out on a
visit have fresh positions, and customer codes follow the domain's numbering."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from tests.conftest import make_database
from tests.factories import fetch
from wellspring.api import migrations
from wellspring.demo import load_demo_data
from wellspring.demo.clock import CHINA, Clock
from wellspring.domain import models as m
from wellspring.domain import numbering
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import (
    TICKET_OPEN_STATUSES,
    JobStatus,
    TicketStatus,
    TicketType,
)
from wellspring.domain.tickets import is_overdue

# A Tuesday morning at an odd minute, months away from the day the generator was written, and
# in the past: a phone fix is never stamped later than the server's clock.
NOW = dt.datetime(2026, 6, 9, 10, 37, 12, tzinfo=CHINA).astimezone(dt.UTC)
TODAY = NOW.astimezone(CHINA).date()


def _aware(ticket: m.Ticket) -> m.Ticket:
    if ticket.due_at is not None:
        ticket.due_at = _utc(ticket.due_at)
    return ticket


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC times, PostgreSQL aware ones."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def day_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, drop = make_database(tmp_path_factory.mktemp("demo-day"), "day")

    async def load() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                await load_demo_data(session, scale=200, now=NOW)
        finally:
            await engine.dispose()

    try:
        migrations.upgrade(url)
        asyncio.run(load())
        yield url
    finally:
        drop()


def test_nothing_happens_after_now_and_the_history_reaches_it(day_url: str) -> None:
    for column, reach in (
        (m.TicketStatusChange.at, dt.timedelta(hours=3)),
        (m.JobStatusChange.at, dt.timedelta(hours=3)),
        (m.Ticket.created_at, dt.timedelta(days=1)),
        (m.Device.installed_at, dt.timedelta(days=30)),
        (m.Customer.created_at, dt.timedelta(days=60)),
    ):
        latest = fetch(day_url, select(func.max(column)))[0][0]
        assert latest is not None, column
        assert NOW - reach < _utc(latest) <= NOW, column


def test_few_open_tickets_are_overdue(day_url: str) -> None:
    tickets = [t for (t,) in fetch(day_url, select(m.Ticket))]
    open_ = [t for t in tickets if t.status in TICKET_OPEN_STATUSES]
    overdue = [t for t in open_ if is_overdue(_aware(t), NOW)]
    assert len(open_) >= 20
    assert 0 < len(overdue) <= len(open_) // 5, (len(overdue), len(open_))


def test_appointments_lie_ahead_today_and_tomorrow(day_url: str) -> None:
    rows = fetch(
        day_url,
        select(m.Job.appointment_start)
        .join(m.Ticket, m.Ticket.id == m.Job.ticket_id)
        .where(m.Ticket.status == TicketStatus.APPOINTED),
    )
    starts = [_utc(start) for (start,) in rows]
    assert starts
    assert all(start > NOW for start in starts)
    days = {start.astimezone(CHINA).date() for start in starts}
    assert {TODAY, TODAY + dt.timedelta(days=1)} <= days
    assert max(days) <= TODAY + dt.timedelta(days=4)


def test_visits_under_way_began_this_morning_with_fresh_positions(day_url: str) -> None:
    rows = fetch(
        day_url,
        select(m.Job.status, m.Job.started_travel_at, m.Technician)
        .join(m.Technician, m.Technician.id == m.Job.technician_id)
        .where(m.Job.status.in_((JobStatus.EN_ROUTE, JobStatus.ON_SITE))),
    )
    assert {status for status, _, _ in rows} == {JobStatus.EN_ROUTE, JobStatus.ON_SITE}
    max_age = DomainConfig().dispatch.position_max_age
    for _, set_out, tech in rows:
        assert NOW - dt.timedelta(hours=3) < _utc(set_out) < NOW
        assert tech.position_at is not None
        assert tech.position_cell
        assert dt.timedelta(0) < NOW - _utc(tech.position_at) <= max_age


def test_customer_codes_follow_the_domain_numbering(day_url: str) -> None:
    codes = [code for (code,) in fetch(day_url, select(m.Customer.code))]
    assert len(codes) == 200
    pattern = re.compile(r"C\d{10}")
    assert all(pattern.fullmatch(code) for code in codes)
    # The next customer opened through the API carries on after the demo's last one.

    async def next_code() -> str:
        engine = create_engine(day_url)
        try:
            async with transaction(session_factory(engine)) as session:
                return await numbering.next_number(session, numbering.CUSTOMER)
        finally:
            await engine.dispose()

    code = asyncio.run(next_code())
    assert code == numbering.format_number(numbering.CUSTOMER, 201)
    assert code not in codes


def test_the_clock_rolls_to_tomorrow_when_today_s_windows_have_begun() -> None:
    evening = Clock(dt.datetime(2026, 6, 9, 18, 5, tzinfo=CHINA).astimezone(dt.UTC))
    assert evening.slots_left(evening.today) == ()
    first_day, first_hour = evening.upcoming_slots()[0]
    assert (first_day, first_hour) == (evening.today + dt.timedelta(days=1), 9)


def test_finished_tickets_carry_their_completion_time(day_url: str) -> None:
    completed = {
        ticket_id: _utc(at)
        for ticket_id, at in fetch(
            day_url,
            select(m.TicketStatusChange.ticket_id, m.TicketStatusChange.at).where(
                m.TicketStatusChange.to_status == TicketStatus.COMPLETED
            ),
        )
    }
    tickets = {t.id: t for (t,) in fetch(day_url, select(m.Ticket))}
    assert completed  # the demo has finished work
    for ticket_id, at in completed.items():
        stored = tickets[ticket_id].completed_at
        assert stored is not None, ticket_id
        assert _utc(stored) == at, ticket_id


def test_every_demo_visit_goes_to_an_engineer_with_its_skill(day_url: str) -> None:
    """Complaint and card-cancel visits went to engineers without the skill, where no one in
    the branch had it, so the dispatcher's suggestions disagreed with the demo's own picks."""
    rows = fetch(
        day_url,
        select(m.Ticket.type, m.Technician.skills)
        .join(m.Job, m.Job.ticket_id == m.Ticket.id)
        .join(m.Technician, m.Technician.id == m.Job.technician_id),
    )
    assert TicketType.COMPLAINT in {type_ for type_, _ in rows}  # never an engineer's skill
    unskilled = {(type_, tuple(skills)) for type_, skills in rows if type_ not in skills}
    assert not unskilled
