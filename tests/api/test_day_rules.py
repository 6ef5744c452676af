"""The dispatcher's day, checked (issue 14 §4): shifts and booked windows in AssignJob, on
shift in suggestions, ETAs without a plan, duplicate tickets, and routes that follow the vans
and spread the work. Districts, parts on jobs, deactivated rows and fault codes:
test_master_data_rules.py."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.api.seen import recorded
from tests.api.workflow_steps import doc, ids
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    Site,
    add_job,
    add_technician,
    local,
    make_branch,
    next_day,
    signed_in,
    stock_van,
)
from tests.factories import fetch, raw_id, scalars
from wellspring.domain import events
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.dispatch import positions, suggest
from wellspring.domain.models.enums import JobStatus, Role, TicketStatus, TicketType
from wellspring.schema.core.ids import global_id

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T = TicketType


def _assign(
    gql: GraphQL,
    site: Site,
    job: str,
    tech: str,
    window: tuple[dt.datetime, dt.datetime],
    **kw: Any,
) -> dict[str, Any]:
    user = kw.pop("user", None) or signed_in(gql, site.clerk)
    variables = {
        "jobId": global_id("Job", site.jobs[job]),
        "technicianId": global_id("Technician", site.techs[tech]),
        "appointmentStart": window[0].isoformat(),
        "appointmentEnd": window[1].isoformat(),
        **kw,
    }
    return dict(gql.post(doc("AssignJob"), variables, as_user=user).json())


def _codes(response: dict[str, Any]) -> list[str]:
    return [e["code"] for e in response["data"]["assignJob"]["errors"]]


def test_assign_job_keeps_to_the_engineers_days_hours_and_booked_windows(
    gql: GraphQL, database_url: str
) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"], work_days=[1, 2, 3, 4, 5])
    for name in ("j1", "j2", "j3"):
        add_job(s, name, at=PLACES["huangpu"])
    work, off = next_day({1, 2, 3, 4, 5}), next_day({7})

    evening = _assign(gql, s, "j1", "a", (local(work, 18), local(work, 19)))
    assert _codes(evening) == ["APPOINTMENT_OUTSIDE_SHIFT"]
    assert "08:30" in evening["data"]["assignJob"]["errors"][0]["message"]
    sunday = _assign(gql, s, "j1", "a", (local(off, 10), local(off, 12)))
    assert _codes(sunday) == ["APPOINTMENT_DAY_OFF"]
    assert _codes(_assign(gql, s, "j1", "a", (local(work, 10), local(work, 12)))) == []
    overlap = _assign(gql, s, "j2", "a", (local(work, 11), local(work, 13)))
    assert _codes(overlap) == ["APPOINTMENT_OVERLAP"]
    # Back to back is no overlap.
    assert _codes(_assign(gql, s, "j2", "a", (local(work, 12), local(work, 14)))) == []

    # The hotline may book but not overrule a shift; the branch's clerk may, on the record.
    hotline = _assign(
        gql, s, "j3", "a", (local(off, 10), local(off, 12)), allowOutsideShift=True, user="hotline"
    )
    assert hotline["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    overruled = _assign(gql, s, "j3", "a", (local(off, 10), local(off, 12)), allowOutsideShift=True)
    job = overruled["data"]["assignJob"]["job"]
    assert overruled["data"]["assignJob"]["errors"] == []
    assert job["status"] == "ASSIGNED"
    assert job["statusReason"] == "assigned outside the shift on purpose"
    audit = fetch(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "job.shift_overruled", m.AuditEntry.entity_id == s.jobs["j3"]
        ),
    )
    assert [row[0]["rule"] for row in audit] == ["APPOINTMENT_DAY_OFF"]


def test_a_reassignment_without_a_window_keeps_the_agreed_one(
    gql: GraphQL, database_url: str
) -> None:
    """The customer was told the window: another engineer goes at the same time. It was
    cleared, and the ticket stayed APPOINTED with no time to show the customer."""
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_technician(s, "b", home=PLACES["xujiahui"])
    add_job(s, "j", at=PLACES["huangpu"])
    day = next_day({1, 2, 3, 4, 5, 6, 7})
    agreed = (local(day, 10), local(day, 12))
    assert _codes(_assign(gql, s, "j", "a", agreed)) == []
    variables = {
        "jobId": global_id("Job", s.jobs["j"]),
        "technicianId": global_id("Technician", s.techs["b"]),
    }
    answer = gql.post(doc("AssignJob"), variables, as_user=signed_in(gql, s.clerk)).json()
    assert answer["data"]["assignJob"]["errors"] == []
    row = fetch(
        database_url,
        select(m.Job.technician_id, m.Job.appointment_start, m.Job.appointment_end).where(
            m.Job.id == s.jobs["j"]
        ),
    )[0]
    assert tuple(row) == (s.techs["b"], *agreed)
    ticket = select(m.Ticket.status).join(m.Job, m.Job.ticket_id == m.Ticket.id)
    assert scalars(database_url, ticket.where(m.Job.id == s.jobs["j"])) == [TicketStatus.APPOINTED]


def test_suggestions_are_off_shift_once_the_shift_is_over(database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"], skills=[T.REPAIR])
    add_job(s, "j", at=PLACES["huangpu"])  # no window: it is about today
    today = dt.datetime.now(SHANGHAI).date()

    async def on_shift(hour: int) -> bool:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                hq = await session.scalar(select(m.User).where(m.User.username == "hq"))
                actor = Actor(user_id=hq.id, username="hq", role=Role.HQ)  # type: ignore[union-attr]
                _job, found = await suggest.suggest_technicians(
                    session, actor, job_id=s.jobs["j"], now=local(today, hour)
                )
                return found[0].on_shift
        finally:
            await engine.dispose()

    assert asyncio.run(on_shift(10)) is True
    assert asyncio.run(on_shift(18)) is False


def test_an_engineer_on_the_way_has_an_eta_without_a_plan(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_job(s, "j", at=PLACES["wujiaochang"], technician="a", status=JobStatus.ACCEPTED)
    user = signed_in(gql, s.usernames["a"])
    job_id = global_id("Job", s.jobs["j"])
    started = gql.data(doc("StartTravel"), {"id": job_id}, as_user=user)["startTravel"]
    assert started["errors"] == []

    def eta() -> dt.datetime | None:
        value = scalars(database_url, select(m.Job.eta).where(m.Job.id == s.jobs["j"]))[0]
        return value if value is None else value.replace(tzinfo=value.tzinfo or dt.UTC)

    from_home = eta()
    assert from_home is not None  # from the home base, by the travel model
    near = {"latitude": 31.2950, "longitude": 121.5100}  # a few hundred metres away
    moved = gql.data(doc("UpdateLocation"), near, as_user=user)["updateLocation"]
    assert moved["errors"] == []
    assert [j["id"] for j in moved["etasChanged"]] == [job_id]
    closer = eta()
    assert closer is not None
    assert closer < from_home


def test_a_position_update_names_the_visits_on_the_way_from_the_stops_it_read(
    gql: GraphQL, database_url: str
) -> None:
    """The position event names the tickets the engineer travels to, and those come from
    the stops the ETAs read: the engineer's jobs are read once (issue 19 §4)."""
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_job(s, "going", at=PLACES["wujiaochang"], technician="a", status=JobStatus.ACCEPTED)
    add_job(s, "later", at=PLACES["lujiazui"], technician="a", status=JobStatus.ACCEPTED)
    user = signed_in(gql, s.usernames["a"])
    started = gql.data(doc("StartTravel"), {"id": global_id("Job", s.jobs["going"])}, as_user=user)
    assert started["startTravel"]["errors"] == []
    ticket = scalars(database_url, select(m.Job.ticket_id).where(m.Job.id == s.jobs["going"]))

    async def update() -> tuple[list[str], list[str]]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                tech = await session.get(m.Technician, s.techs["a"])
                assert tech is not None
                actor = Actor(
                    user_id=tech.user_id,
                    username=s.usernames["a"],
                    role=Role.TECHNICIAN,
                    technician_id=tech.id,
                )
                with recorded(engine.sync_engine) as statements:
                    await positions.update_location(
                        session, actor, latitude=31.2950, longitude=121.5100
                    )
                told = [
                    e.data["en_route_ticket_ids"]
                    for e in events.pending(session)
                    if e.kind is events.EventKind.ENGINEER_POSITION
                ]
                await session.rollback()
                return told[0], [q for q in statements if "FROM jobs" in q]
        finally:
            await engine.dispose()

    told, job_reads = asyncio.run(update())
    assert told == ticket
    assert len(job_reads) == 1


def test_a_second_open_ticket_of_a_type_on_a_device_is_a_warning(
    gql: GraphQL, database_url: str
) -> None:
    o = ids(database_url)
    ticket = {"type": "FILTER_CHANGE", "customerId": o["customer"], "deviceId": o["device"]}
    first = gql.data(
        doc("OpenTicket"), {"input": {**ticket, "allowDuplicate": True}}, as_user="hotline"
    )
    assert first["openTicket"]["errors"] == []
    again = gql.data(doc("OpenTicket"), {"input": ticket}, as_user="hotline")["openTicket"]
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_OPEN_TICKET"]
    assert again["ticket"] is None
    existing = again["existingTicket"]
    assert existing is not None
    assert existing["number"] in again["errors"][0]["message"]
    forced = gql.data(
        doc("OpenTicket"), {"input": {**ticket, "allowDuplicate": True}}, as_user="hotline"
    )["openTicket"]
    assert forced["errors"] == []
    assert forced["ticket"]["id"] != existing["id"]


def test_routes_follow_the_vans_and_spread_the_work(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["people_square"], skills=[T.REPAIR])
    add_technician(s, "b", home=PLACES["hongqiao"], skills=[T.REPAIR])
    day = next_day({1, 2, 3, 4, 5, 6, 7})
    near_a = ["huangpu", "jingan", "lujiazui", "people_square"]
    for i, place in enumerate(near_a):  # all nearer a: travel alone would give a all four
        add_job(s, f"n{i}", at=PLACES[place], window=(local(day, 9), local(day, 17)))
    variables = {"branchId": global_id("Branch", s.branch_id), "date": day.isoformat()}
    plan = gql.data(doc("OptimizeRoutes"), variables, as_user="hq")["optimizeRoutes"]["plan"]
    counts = sorted(len(r["stops"]) for r in plan["routes"])
    assert counts == [2, 2], counts

    # A job whose parts only b's van holds goes to b; one nobody can serve is flagged.
    part = scalars(database_url, select(m.Part.id).order_by(m.Part.sku).limit(2))
    t = make_branch(database_url)
    add_technician(t, "a", home=PLACES["people_square"], skills=[T.REPAIR])
    add_technician(t, "b", home=PLACES["hongqiao"], skills=[T.REPAIR])
    stock_van(t, "a", part[1], 0)
    stock_van(t, "b", part[0], 3)
    wants = {"expected_parts": [{"part_id": part[0], "quantity": 2}]}
    nobody = {"expected_parts": [{"part_id": part[1], "quantity": 50}]}
    add_job(t, "needs", at=PLACES["people_square"], details=wants)
    add_job(t, "short", at=PLACES["people_square"], details=nobody)
    variables["branchId"] = global_id("Branch", t.branch_id)
    plan = gql.data(doc("OptimizeRoutes"), variables, as_user="hq")["optimizeRoutes"]["plan"]
    stops = {
        raw_id(st["job"]["id"]): (raw_id(r["technician"]["id"]), st["partsShort"])
        for r in plan["routes"]
        for st in r["stops"]
    }
    assert stops[t.jobs["needs"]] == (t.techs["b"], False)
    assert stops[t.jobs["short"]][1] is True
