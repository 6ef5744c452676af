"""OptimizeRoutes and ApplyRoutePlan through the client documents, with the plan checked by
rules written here (windows, skills, shifts, lunch, travel), not by trusting the solver."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    add_job,
    add_technician,
    local,
    make_branch,
    set_rows,
)
from tests.factories import fetch, raw_id
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.dispatch import rules
from wellspring.domain.dispatch.route_apply import hold_day
from wellspring.domain.models import RoutePlan
from wellspring.domain.models.enums import JobStatus, Priority, RoutePlanStatus, TicketType
from wellspring.geo.travel import TravelModel
from wellspring.schema.core.ids import global_id

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
TOMORROW = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
T = TicketType


def doc(name: str) -> str:
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    """Three engineers and fourteen jobs tomorrow, four of which cannot be placed."""
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["people_square"], skills=[T.REPAIR, T.FILTER_CHANGE])
    add_technician(s, "b", home=PLACES["xujiahui"], skills=[T.REPAIR, T.WATER_TEST, T.RECHARGE])
    add_technician(
        s, "c", home=PLACES["wujiaochang"], skills=[T.REPAIR, T.FILTER_CHANGE, T.WATER_TEST]
    )
    add_technician(s, "off", home=PLACES["lujiazui"], work_days=[])  # no shift any day
    day = TOMORROW
    slots = [(9, 11), (9, 11), (10, 12), (11, 13), (13, 15), (13, 15), (14, 16), (15, 17)]
    places = list(PLACES.values())
    kinds = [T.REPAIR, T.FILTER_CHANGE, T.WATER_TEST, T.RECHARGE]
    for i, (start, end) in enumerate(slots):
        add_job(
            s,
            f"w{i}",
            at=places[i],
            kind=kinds[i % len(kinds)],
            window=(local(day, start), local(day, end)),
            priority=Priority.HIGH if i == 0 else Priority.NORMAL,
        )
    add_job(s, "free1", at=PLACES["putuo"], kind=T.REPAIR)  # unscheduled: any time
    add_job(s, "free2", at=PLACES["changning"], kind=T.FILTER_CHANGE)
    # Cannot be placed, each for its own reason:
    add_job(s, "nowhere", at=None, city="不存在市", district="不存在区", kind=T.REPAIR)
    add_job(
        s, "install", at=PLACES["huangpu"], kind=T.INSTALL, window=(local(day, 10), local(day, 12))
    )
    add_job(s, "night", at=PLACES["yangpu"], kind=T.REPAIR, window=(local(day, 21), local(day, 22)))
    add_job(
        s,
        "offshift",
        at=PLACES["lujiazui"],
        kind=T.REPAIR,
        status=JobStatus.ACCEPTED,
        technician="off",
        window=(local(day, 10), local(day, 12)),
    )
    return s


def optimize(gql: GraphQL, site: Site, day: dt.date, user: str = "hq") -> dict[str, Any]:
    variables = {"branchId": global_id("Branch", site.branch_id), "date": day.isoformat()}
    return gql.data(doc("OptimizeRoutes"), variables, as_user=user)["optimizeRoutes"]


def check_plan(plan: dict[str, Any], site: Site, skills: dict[str, set[str]]) -> None:
    """Every rule a dispatcher relies on, checked from the plan's own figures."""
    travel = TravelModel()
    job_places = site.places
    by_id = {job_id: name for name, job_id in site.jobs.items()}
    seen: set[str] = set()
    for route in plan["routes"]:
        tech = next(
            n
            for n, t in site.techs.items()
            if global_id("Technician", t) == route["technician"]["id"]
        )
        shift_start = local(TOMORROW, 8, 30)
        shift_end = local(TOMORROW, 17, 30)
        previous: dict[str, Any] | None = None
        lunch = when(route["lunchStartAt"]) if route["lunchStartAt"] else None
        assert lunch is not None, "every engineer with work gets a lunch break"
        assert (
            local(TOMORROW, 11, 30) <= lunch <= local(TOMORROW, 13, 30) - dt.timedelta(minutes=45)
        )
        lunch_end = lunch + dt.timedelta(minutes=rules.LUNCH_MINUTES)
        for stop in route["stops"]:
            job_name = by_id[raw_id(stop["job"]["id"])]
            assert job_name not in seen, f"{job_name} planned twice"
            seen.add(job_name)
            begins, leaves = when(stop["serviceStartAt"]), when(stop["departureAt"])
            arrives = when(stop["arrivalAt"])
            assert arrives <= begins < leaves
            assert shift_start <= arrives, (tech, job_name)
            assert leaves <= shift_end, (tech, job_name)
            job = stop["job"]
            if job["appointmentStart"]:
                assert when(job["appointmentStart"]) <= begins <= when(job["appointmentEnd"]), (
                    job_name
                )
            assert site.kinds[job_name] in skills[tech], (tech, job_name)
            # Nobody works through lunch.
            assert leaves <= lunch or begins >= lunch_end, (tech, job_name, lunch)
            if previous is not None:
                a = job_places[by_id[raw_id(previous["job"]["id"])]]
                b = job_places[job_name]
                leg = travel.estimate(a, b, city="上海市", hour=10)
                gap = (arrives - when(previous["departureAt"])).total_seconds()
                if when(previous["departureAt"]) <= lunch < arrives:
                    gap -= rules.LUNCH_MINUTES * 60
                assert gap >= leg.seconds - 1, (job_name, gap, leg.seconds)
                assert stop["travelSeconds"] == leg.seconds
            previous = stop
        assert [s["position"] for s in route["stops"]] == list(range(1, len(route["stops"]) + 1))


SKILLS = {
    "a": {"REPAIR", "FILTER_CHANGE"},
    "b": {"REPAIR", "WATER_TEST", "RECHARGE"},
    "c": {"REPAIR", "FILTER_CHANGE", "WATER_TEST"},
}


def test_plan_respects_windows_skills_shifts_and_lunch(gql: GraphQL, site: Site) -> None:
    result = optimize(gql, site, TOMORROW)
    assert result["errors"] == []
    plan = result["plan"]
    assert plan["status"] == "PROPOSED"
    check_plan(plan, site, SKILLS)
    placed = {raw_id(s["job"]["id"]) for r in plan["routes"] for s in r["stops"]}
    expected = {site.jobs[n] for n in [f"w{i}" for i in range(8)] + ["free1", "free2"]}
    assert placed == expected
    reasons = {raw_id(u["job"]["id"]): u["reason"] for u in plan["unplaced"]}
    assert reasons == {
        site.jobs["nowhere"]: "NO_COORDINATES",
        site.jobs["install"]: "NO_SKILLED_TECHNICIAN",
        site.jobs["night"]: "OUTSIDE_SHIFTS",
        site.jobs["offshift"]: "TECHNICIAN_OFF_SHIFT",
    }
    assert all(u["message"] for u in plan["unplaced"])
    assert plan["distanceMeters"] == sum(r["distanceMeters"] for r in plan["routes"])


def test_a_full_day_leaves_jobs_out_with_a_reason(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "solo", home=PLACES["people_square"], skills=[T.INSTALL])
    for i in range(6):  # six 90-minute installs in one 09:00-11:00 window: at most two fit
        add_job(
            s,
            f"i{i}",
            at=PLACES["jingan"],
            kind=T.INSTALL,
            window=(local(TOMORROW, 9), local(TOMORROW, 11)),
        )
    plan = optimize(gql, s, TOMORROW)["plan"]
    placed = [st for r in plan["routes"] for st in r["stops"]]
    assert 1 <= len(placed) <= 2
    assert {u["reason"] for u in plan["unplaced"]} == {"DAY_FULL"}
    assert len(placed) + len(plan["unplaced"]) == 6


def test_apply_puts_the_plan_on_the_jobs_and_my_jobs_follows_it(gql: GraphQL, site: Site) -> None:
    plan = optimize(gql, site, TOMORROW)["plan"]
    applied = gql.data(doc("ApplyRoutePlan"), {"planId": plan["id"]}, as_user="hq")[
        "applyRoutePlan"
    ]
    assert applied["errors"] == []
    assert applied["plan"]["status"] == "APPLIED"
    for route in applied["plan"]["routes"]:
        for stop in route["stops"]:
            job = stop["job"]
            assert job["routePosition"] == stop["position"]
            assert job["eta"] == job["plannedArrival"]
            assert job["status"] == "ASSIGNED"
    # The engineer sees the day in route order, with arrival times.
    route = applied["plan"]["routes"][0]
    tech = next(
        n for n, t in site.techs.items() if global_id("Technician", t) == route["technician"]["id"]
    )
    gql.tokens.pop(site.usernames[tech], None)
    token = gql.login(site.usernames[tech], PASSWORD)["token"]
    jobs = gql.client.post(
        "/graphql",
        json={"query": doc("MyJobs"), "variables": {"date": TOMORROW.isoformat()}},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]["myJobs"]
    routed = [j for j in jobs if j["routePosition"] is not None]
    assert [j["routePosition"] for j in routed] == sorted(j["routePosition"] for j in routed)
    assert {j["id"] for j in routed} == {s["job"]["id"] for s in route["stops"]}
    # Applying twice is refused; so is an outdated plan.
    again = gql.data(doc("ApplyRoutePlan"), {"planId": plan["id"]}, as_user="hq")["applyRoutePlan"]
    assert again["errors"][0]["code"] == "PLAN_NOT_PROPOSED"


def test_a_plan_made_stale_by_a_change_is_refused_whole(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    plan = optimize(gql, site, TOMORROW)["plan"]
    moved = raw_id(plan["routes"][0]["stops"][0]["job"]["id"])
    status = fetch(database_url, select(m.Job.status).where(m.Job.id == moved))[0][0]
    # Behind the API's back, so that the job's history stays as it was once restored.
    set_rows(database_url, m.Job, moved, status=JobStatus.CANCELLED)
    try:
        result = gql.data(doc("ApplyRoutePlan"), {"planId": plan["id"]}, as_user="hq")[
            "applyRoutePlan"
        ]
        assert result["plan"] is None
        assert result["errors"][0]["code"] == "PLAN_OUTDATED"
    finally:
        set_rows(database_url, m.Job, moved, status=status)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("past", "DATE_IN_PAST"),
        ("empty_branch", "NO_TECHNICIANS"),
        ("no_shift", "NO_SHIFTS"),
        ("no_jobs", "NOTHING_TO_PLAN"),
    ],
)
def test_bad_requests_are_payload_errors(
    gql: GraphQL, database_url: str, site: Site, case: str, code: str
) -> None:
    if case == "past":
        result = optimize(gql, site, TOMORROW - dt.timedelta(days=3))
    else:
        s = make_branch(database_url)
        if case == "no_shift":
            add_technician(s, "x", home=PLACES["jingan"], work_days=[])
            add_job(s, "j", at=PLACES["jingan"], window=(local(TOMORROW, 9), local(TOMORROW, 11)))
        if case == "no_jobs":
            add_technician(s, "x", home=PLACES["jingan"])
        result = optimize(gql, s, TOMORROW)
    assert result["plan"] is None
    assert [e["code"] for e in result["errors"]] == [code]
    assert result["errors"][0]["message"]


def test_only_dispatchers_of_the_branch_plan_it(gql: GraphQL, site: Site) -> None:
    variables = {"branchId": global_id("Branch", site.branch_id), "date": TOMORROW.isoformat()}
    for user in ("tech-sh-1", "clerk-sh", "customer-1", "agent-1"):
        body = gql.post(doc("OptimizeRoutes"), variables, as_user=user).json()
        result = (body.get("data") or {}).get("optimizeRoutes")
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert result is None or result["plan"] is None, user
        assert codes == ["FORBIDDEN"] or (result and result["errors"]), (user, body)
    gql.tokens.pop(site.clerk, None)
    token = gql.login(site.clerk, PASSWORD)["token"]
    mine = gql.client.post(
        "/graphql",
        json={"query": doc("OptimizeRoutes"), "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]["optimizeRoutes"]
    assert mine["errors"] == []
    assert mine["plan"]["status"] == "PROPOSED"


def test_a_plan_applied_twice_at_once_is_applied_once(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    """The other transaction applies the plan first (here: marks it applied, uncommitted).
    The request waits for its lock on the plan and then finds it applied (four applies at
    once used to all answer APPLIED and audit four times)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: no two of them overlap")
    plan = optimize(gql, site, TOMORROW)["plan"]

    async def hold(session: AsyncSession) -> None:
        await session.execute(
            update(RoutePlan)
            .where(RoutePlan.id == raw_id(plan["id"]))
            .values(status=RoutePlanStatus.APPLIED)
        )

    answer = race(database_url, gql, "hq", hold, doc("ApplyRoutePlan"), {"planId": plan["id"]})
    (error,) = answer["data"]["applyRoutePlan"]["errors"]
    assert error["code"] == "PLAN_NOT_PROPOSED"


def test_two_plans_of_one_day_applied_at_once_leave_one_applied(
    gql: GraphQL, database_url: str
) -> None:
    """The other transaction applies an earlier plan of the day (here: holds the day and
    marks it applied, uncommitted). Applied at once, neither found the other, and both stayed
    APPLIED; the request now waits for the day and supersedes the first."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: no two of them overlap")
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["people_square"])
    add_job(s, "j", at=PLACES["jingan"], kind=T.REPAIR)
    first, second = (optimize(gql, s, TOMORROW)["plan"] for _ in range(2))

    async def hold(session: AsyncSession) -> None:
        plan = await session.get(RoutePlan, raw_id(first["id"]))
        assert plan is not None
        await hold_day(session, plan)
        plan.status = RoutePlanStatus.APPLIED
        await session.flush()

    answer = race(database_url, gql, "hq", hold, doc("ApplyRoutePlan"), {"planId": second["id"]})
    assert answer["data"]["applyRoutePlan"]["errors"] == []
    statuses = fetch(database_url, select(RoutePlan.id, RoutePlan.status).where(
        RoutePlan.branch_id == s.branch_id, RoutePlan.day == TOMORROW))  # fmt: skip
    assert sorted((global_id("RoutePlan", i), st) for i, st in statuses) == sorted(
        [(first["id"], RoutePlanStatus.SUPERSEDED), (second["id"], RoutePlanStatus.APPLIED)]
    )


def test_accepted_jobs_stay_with_their_engineers_after_one_off_shift(
    gql: GraphQL, database_url: str
) -> None:
    """Engineers are taken in id order; one off shift ahead of the others must not shift the
    private skill that keeps an accepted job with its engineer (it moved the job to the next
    engineer, and every plan of the day was then refused as PLAN_OUTDATED)."""
    s = make_branch(database_url)
    for name, home in (("p", "people_square"), ("q", "xujiahui"), ("r", "wujiaochang")):
        add_technician(s, name, home=PLACES[home])
    off, middle, last = sorted(s.techs, key=lambda name: s.techs[name])
    set_rows(database_url, m.Technician, s.techs[off], work_days=[])
    for tech, place in ((middle, "jingan"), (last, "putuo")):
        add_job(s, tech, at=PLACES[place], status=JobStatus.ACCEPTED, technician=tech)
    plan = optimize(gql, s, TOMORROW)["plan"]
    on = {
        raw_id(stop["job"]["id"]): raw_id(route["technician"]["id"])
        for route in plan["routes"]
        for stop in route["stops"]
    }
    applied = gql.data(doc("ApplyRoutePlan"), {"planId": plan["id"]}, as_user="hq")
    assert applied["applyRoutePlan"]["errors"] == []
    assert on == {s.jobs[middle]: s.techs[middle], s.jobs[last]: s.techs[last]}
    assert plan["unplaced"] == []
