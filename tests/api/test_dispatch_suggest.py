"""SuggestTechnicians, UpdateLocation and ETAs through the client documents."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from starlette.testclient import TestClient

from tests.api.suggest_site import suggest, suggest_branch
from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    add_job,
    add_technician,
    make_branch,
    set_rows,
    signed_in,
)
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.clock import FixedClock
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine
from wellspring.domain.dispatch.nearby import in_cells, skill_pattern
from wellspring.domain.models.enums import JobStatus, TicketType
from wellspring.geo import cells
from wellspring.geo.coords import wgs84_to_gcj02
from wellspring.geo.distance import km
from wellspring.schema.core.ids import global_id

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
T = TicketType


def doc(name: str) -> str:
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


def as_engineer(
    gql: GraphQL, site: Site, name: str, document: str, variables: dict[str, Any]
) -> Any:
    username = signed_in(gql, site.usernames[name])
    return gql.data(doc(document), variables, as_user=username)


def ranked_by_name(gql: GraphQL, site: Site) -> dict[str, dict[str, Any]]:
    result = suggest(gql, site.jobs["repair"])
    return dict(zip(names(site, result), result["suggestions"], strict=True))


def names(site: Site, result: dict[str, Any]) -> list[str]:
    by_id = {global_id("Technician", t): n for n, t in site.techs.items()}
    return [by_id[s["technician"]["id"]] for s in result["suggestions"]]


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    return suggest_branch(database_url)


def test_ranking_weighs_travel_skills_load_shift_and_van_stock(gql: GraphQL, site: Site) -> None:
    result = suggest(gql, site.jobs["repair"])
    assert result["errors"] == []
    ranked = names(site, result)
    # Skills are required; the engineer 300 km away lies outside every ring searched.
    assert "unskilled" not in ranked
    assert "remote" not in ranked
    # Parts in the van outweigh a short drive; load and a day off push engineers down.
    assert ranked.index("stocked") < ranked.index("near")
    assert ranked.index("near") < ranked.index("busy")
    assert ranked[-1] == "offday"
    top = {n: s for n, s in zip(ranked, result["suggestions"], strict=True)}
    assert top["stocked"]["partsReady"] is True
    assert top["near"]["partsReady"] is False
    assert top["near"]["missingParts"][0]["needed"] == 2
    assert top["near"]["missingParts"][0]["inVan"] == 0
    assert top["busy"]["load"] == 3
    assert top["offday"]["onShift"] is False
    assert top["near"]["skillsMatched"] == ["REPAIR"]
    assert top["near"]["positionSource"] == "HOME"
    assert top["near"]["distanceKm"] < 0.5
    assert top["far"]["travelMinutes"] > top["near"]["travelMinutes"]
    scores = [s["score"] for s in result["suggestions"]]
    assert scores == sorted(scores)


def test_the_jobs_own_engineer_is_weighed_without_it(gql: GraphQL, site: Site) -> None:
    """A load is the engineer's *other* open jobs that day: asked about one of busy's three
    jobs, busy carries two."""
    result = suggest(gql, site.jobs["load0"])
    by_name = dict(zip(names(site, result), result["suggestions"], strict=True))
    assert by_name["busy"]["load"] == 2
    assert by_name["near"]["load"] == 0


def test_limit_and_bad_input(gql: GraphQL, site: Site) -> None:
    assert len(suggest(gql, site.jobs["repair"], limit=2)["suggestions"]) == 2
    assert suggest(gql, site.jobs["repair"], limit=0)["errors"][0]["code"] == "LIMIT_OUT_OF_RANGE"
    nowhere = suggest(gql, site.jobs["nowhere"])
    assert nowhere["errors"][0]["code"] == "JOB_WITHOUT_COORDINATES"
    assert nowhere["suggestions"] == []
    # A job of another branch looks missing to a clerk of Shanghai.
    body = gql.post(
        doc("SuggestTechnicians"),
        {"jobId": global_id("Job", site.jobs["repair"])},
        as_user="clerk-sh",
    ).json()
    assert body["data"]["suggestTechnicians"]["errors"][0]["code"] == "NOT_FOUND"
    # Engineers do not choose engineers.
    body = gql.post(
        doc("SuggestTechnicians"),
        {"jobId": global_id("Job", site.jobs["repair"])},
        as_user="tech-sh-1",
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_branch_without_engineers(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_job(s, "lonely", at=PLACES["jingan"])
    assert suggest(gql, s.jobs["lonely"])["errors"][0]["code"] == "NO_TECHNICIANS"


def test_a_branch_whose_engineers_lack_the_skill_says_so(gql: GraphQL, database_url: str) -> None:
    """It answered an empty list, and the dispatcher could not tell why."""
    s = make_branch(database_url)
    add_technician(s, "filters", home=PLACES["jingan"], skills=[TicketType.FILTER_CHANGE])
    add_job(s, "repair", at=PLACES["jingan"], kind=TicketType.REPAIR)
    body = gql.post(doc("SuggestTechnicians"), {"jobId": global_id("Job", s.jobs["repair"])},
                    as_user="hq", locale="zh-CN").json()  # fmt: skip
    [error] = body["data"]["suggestTechnicians"]["errors"]
    assert (error["code"], error["field"]) == ("NO_SKILLED_TECHNICIANS", "jobId")
    assert "技能" in error["message"]


def test_a_fresh_phone_position_wins_and_a_stale_one_falls_back(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    # "far" drives into People's Square; the phone reports in GCJ-02 (a Chinese map SDK).
    lat, lon = wgs84_to_gcj02(31.2320, 121.4730)
    mutation = (
        doc("UpdateLocation")
        .replace("$accuracy: Float)", "$accuracy: Float, $sys: CoordSystem)")
        .replace("accuracy: $accuracy}", "accuracy: $accuracy, coordSystem: $sys}")
    )
    username = site.usernames["far"]
    gql.sign_in(username, PASSWORD)
    result = gql.data(
        mutation,
        {"latitude": lat, "longitude": lon, "accuracy": 12.0, "sys": "GCJ02"},
        as_user=username,
    )
    position = result["updateLocation"]["position"]
    assert result["updateLocation"]["errors"] == []
    assert (
        km((position["latitude"], position["longitude"]), (31.2320, 121.4730)) < 0.001
    )  # stored WGS-84
    assert position["fresh"] is True
    top = ranked_by_name(gql, site)
    assert top["far"]["positionSource"] == "PHONE"
    assert top["far"]["distanceKm"] < 0.2
    # An hour later the fix is stale: the engineer is placed at home again.
    set_rows(
        database_url,
        m.Technician,
        site.techs["far"],
        position_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    top = ranked_by_name(gql, site)
    assert top["far"]["positionSource"] == "HOME"
    assert top["far"]["distanceKm"] > 10


def test_update_location_refuses_bad_fixes_and_old_ones(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    bad = as_engineer(gql, site, "near", "UpdateLocation", {"latitude": 91.0, "longitude": 121.0})
    assert bad["updateLocation"]["errors"][0]["code"] == "INVALID_COORDINATES"
    assert bad["updateLocation"]["errors"][0]["field"] == "latitude"
    east = as_engineer(gql, site, "near", "UpdateLocation", {"latitude": 0.0, "longitude": 181.0})
    assert [(e["code"], e["field"]) for e in east["updateLocation"]["errors"]] == [
        ("INVALID_COORDINATES", "longitude")
    ]
    vague = as_engineer(
        gql,
        site,
        "near",
        "UpdateLocation",
        {"latitude": 31.2, "longitude": 121.4, "accuracy": 50_000.0},
    )
    assert vague["updateLocation"]["errors"][0]["code"] == "INVALID_ACCURACY"
    ok = as_engineer(
        gql, site, "near", "UpdateLocation", {"latitude": 31.2330, "longitude": 121.4750}
    )
    at = ok["updateLocation"]["position"]["at"]
    late = (
        doc("UpdateLocation")
        .replace("$accuracy: Float)", "$accuracy: Float, $at: DateTime)")
        .replace("accuracy: $accuracy}", "accuracy: $accuracy, recordedAt: $at}")
    )
    earlier = (dt.datetime.fromisoformat(at) - dt.timedelta(minutes=5)).isoformat()
    stale = gql.data(
        late, {"latitude": 31.0, "longitude": 121.0, "at": earlier}, as_user=site.usernames["near"]
    )
    # A fix taken before the one we hold (an offline queue draining) changes nothing.
    assert stale["updateLocation"]["position"]["latitude"] == pytest.approx(31.2330)
    body = gql.post(
        doc("UpdateLocation"), {"latitude": 31.2, "longitude": 121.4}, as_user="hq"
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Stale again, so that the module's ranking test finds "near" at home in any order.
    stale_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    set_rows(database_url, m.Technician, site.techs["near"], position_at=stale_at)


def test_etas_follow_the_engineer_through_the_day(database_url: str) -> None:
    """Plan today, apply, then start travel, move and arrive: the remaining stops' ETAs move.

    The app runs on a clock fixed at 10:00 tomorrow, whatever the hour the test runs (after
    the rows the site writes at the real time, so each history stays in order).
    """
    tomorrow = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    clock = FixedClock(dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=SHANGHAI))
    with TestClient(create_app(make_settings(database_url), clock=clock)) as test_client:
        _follow_the_engineer(GraphQL(test_client), database_url, clock)


def _follow_the_engineer(gql: GraphQL, database_url: str, clock: FixedClock) -> None:
    s = make_branch(database_url)
    add_technician(
        s,
        "solo",
        home=PLACES["people_square"],
        skills=[T.REPAIR],
        shift=(dt.time(0, 0), dt.time(23, 59)),
    )
    now = clock.now().astimezone(SHANGHAI)
    window = (now.astimezone(dt.UTC), (now + dt.timedelta(hours=4)).astimezone(dt.UTC))
    for name in ("lujiazui", "zhangjiang", "yangpu"):
        add_job(
            s, name, at=PLACES[name], window=window, technician="solo", status=JobStatus.ASSIGNED
        )
    variables = {"branchId": global_id("Branch", s.branch_id), "date": now.date().isoformat()}
    plan = gql.data(doc("OptimizeRoutes"), variables, as_user="hq")["optimizeRoutes"]["plan"]
    assert plan is not None
    applied = gql.data(doc("ApplyRoutePlan"), {"planId": plan["id"]}, as_user="hq")[
        "applyRoutePlan"
    ]
    stops = applied["plan"]["routes"][0]["stops"]
    assert len(stops) == 3
    first, second = stops[0]["job"]["id"], stops[1]["job"]["id"]

    def jobs() -> dict[str, dict[str, Any]]:
        mine = as_engineer(gql, s, "solo", "MyJobs", {"date": now.date().isoformat()})["myJobs"]
        return {j["id"]: j for j in mine}

    before = jobs()
    for name in ("AcceptJob", "StartTravel"):
        clock.advance(dt.timedelta(minutes=2))  # each step after the last, as in a real day
        result = as_engineer(gql, s, "solo", name, {"id": first})
        assert next(iter(result.values()))["errors"] == []
    # The phone reports from far out (Minhang): every remaining stop is now later.
    moved = as_engineer(
        gql,
        s,
        "solo",
        "UpdateLocation",
        {"latitude": PLACES["minhang"][0], "longitude": PLACES["minhang"][1]},
    )
    assert {j["id"] for j in moved["updateLocation"]["etasChanged"]} >= {first, second}
    after = jobs()
    assert after[first]["eta"] > before[first]["eta"]
    assert after[second]["eta"] > before[second]["eta"]
    clock.advance(dt.timedelta(minutes=20))
    arrived = as_engineer(gql, s, "solo", "ArriveOnSite", {"id": first})
    assert arrived["arriveOnSite"]["errors"] == []
    on_site = jobs()
    # The ETA of the visit in progress is its arrival; the next one counts from its end.
    assert dt.datetime.fromisoformat(on_site[first]["eta"]) == clock.now()
    assert dt.datetime.fromisoformat(on_site[second]["eta"]) > clock.now() + dt.timedelta(
        minutes=60
    )


def test_the_nearest_engineer_search_reads_cells_not_the_branch(database_url: str) -> None:
    """The query plan uses the three cell indexes (SQLite: a multi-index OR; PostgreSQL: a
    bitmap OR), never a scan of the branch's or all engineers; each engineer's load is
    counted from the partial index of open jobs alone."""
    ring = cells.disk(cells.cell(*PLACES["people_square"]), 2)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    day = {"start": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
    skill = skill_pattern("REPAIR")
    stmt = in_cells(backend).params(
        branch="branch-id", skill=skill, ring=ring, end=day["start"], **day
    )
    if backend == "sqlite":
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row) for row in _fetch_raw(database_url, "EXPLAIN QUERY PLAN " + sql))
        for index in ("position_cell", "site_cell", "home_cell"):
            assert f"ix_technicians_{index}" in plan, plan
        assert "ix_technicians_branch_id" not in plan, plan
        # Each engineer's load: through an index of the engineer's jobs (SQLite picks its
        # own; PostgreSQL's plan is checked below), never a scan of jobs.
        assert "SEARCH jobs USING" in plan, plan
    else:
        sql = str(
            # SQLAlchemy leaves the psycopg2 dialect's constructor unannotated.
            stmt.compile(
                dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                compile_kwargs={"literal_binds": True},
            )
        )
        # Few engineers in the test database: tell the planner what a big table would.
        plan = " ".join(
            str(row)
            for row in _fetch_raw(database_url, "SET enable_seqscan = off", "EXPLAIN " + sql)
        )
        for index in ("position_cell", "site_cell", "home_cell"):
            assert f"ix_technicians_{index}" in plan, plan
        assert "Index Only Scan using ix_jobs_open_by_technician" in plan, plan


def _fetch_raw(url: str, *statements: str) -> list[Any]:
    """The rows of the last statement, all run on one connection."""

    async def run() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                rows: list[Any] = []
                for statement in statements:
                    result = await conn.execute(text(statement))
                    if result.returns_rows:
                        rows = list(result.all())
                return rows
        finally:
            await engine.dispose()

    return asyncio.run(run())
