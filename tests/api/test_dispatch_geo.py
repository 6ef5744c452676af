"""Coordinates: geocoding through the configured geocoder (a fake one at its wire), centroids
and client datums for new addresses, and re-planning a day already under way."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import PLACES, Site, add_job, add_technician, make_branch
from tests.factories import fetch
from tests.fake_geocoder import FakeServer, Reply
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.dispatch import locate, routes
from wellspring.domain.models.enums import JobStatus, Role, TicketType
from wellspring.geo.coords import CoordSystem, wgs84_to_bd09
from wellspring.geo.distance import km
from wellspring.schema.core.ids import global_id

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


def doc(name: str) -> str:
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


@pytest.fixture
def geo_gql(database_url: str, fake_server: FakeServer) -> Iterator[GraphQL]:
    """An app whose settings point Nominatim at the fake server."""
    settings = make_settings(
        database_url,
        geocoder="nominatim",
        geocoder_user_agent="tests",
        geocoder_domain=fake_server.domain,
        geocoder_scheme="http",
        geocoder_timeout_seconds=0.5,
    )
    with TestClient(create_app(settings)) as test_client:
        yield GraphQL(test_client)


def _address(site: Site, job: str) -> str:
    return str(
        fetch(
            site.url,
            select(m.Ticket.address_id)
            .join(m.Job, m.Job.ticket_id == m.Ticket.id)
            .where(m.Job.id == site.jobs[job]),
        )[0][0]
    )


def geocode(gql: GraphQL, address_id: str) -> dict[str, Any]:
    variables = {"addressId": global_id("Address", address_id)}
    return gql.data(doc("GeocodeAddress"), variables, as_user="hq")["geocodeAddress"]


def test_without_a_geocoder_nothing_is_asked(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_job(s, "j", at=None, district="静安区")
    assert geocode(gql, _address(s, "j"))["errors"][0]["code"] == "GEOCODER_NOT_CONFIGURED"


def test_geocoded_once_then_from_the_cache(
    geo_gql: GraphQL, database_url: str, fake_server: FakeServer
) -> None:
    s = make_branch(database_url)
    add_job(s, "j", at=None, district="静安区")
    add_job(s, "k", at=None, district="静安区")  # the same text: the cache answers
    fake_server.reply = Reply(body=[{"lat": "31.2290", "lon": "121.4480", "display_name": "静安"}])
    first = geocode(geo_gql, _address(s, "j"))
    assert first["errors"] == []
    assert first["address"]["latitude"] == pytest.approx(31.2290)
    assert first["address"]["isApproximate"] is False
    assert first["address"]["coordinateOrigin"] == "NOMINATIM"
    second = geocode(geo_gql, _address(s, "k"))
    assert second["address"]["longitude"] == pytest.approx(121.4480)
    assert len(fake_server.requests) == 1


def test_a_geocoder_down_or_slow_leaves_the_address_alone(
    geo_gql: GraphQL, database_url: str, fake_server: FakeServer
) -> None:
    s = make_branch(database_url)
    add_job(s, "slow", at=None, district="徐汇区", details={})
    address_id = _address(s, "slow")
    before = fetch(
        database_url,
        select(m.Address.latitude, m.Address.version).where(m.Address.id == address_id),
    )
    for reply in (Reply(body=[], delay=2.0), Reply(status=503, body={"error": "down"})):
        fake_server.reply = reply
        result = geocode(geo_gql, address_id)
        assert result["errors"][0]["code"] == "GEOCODER_UNAVAILABLE"
        assert result["address"] is None
    after = fetch(
        database_url,
        select(m.Address.latitude, m.Address.version).where(m.Address.id == address_id),
    )
    assert after == before
    fake_server.reply = Reply(body=[])
    assert geocode(geo_gql, address_id)["errors"][0]["code"] == "ADDRESS_NOT_FOUND"


def _point(values: dict[str, object]) -> tuple[float, float]:
    lat, lon = values["latitude"], values["longitude"]
    assert isinstance(lat, float), values
    assert isinstance(lon, float), values
    return lat, lon


def test_new_addresses_get_client_coordinates_in_wgs84_or_a_centroid() -> None:
    base = {"province": "上海市", "city": "上海市", "district": "浦东新区"}
    lat, lon = wgs84_to_bd09(*PLACES["lujiazui"])
    baidu = locate.coordinates_for_new_address(
        {**base, "latitude": lat, "longitude": lon}, CoordSystem.BD09
    )
    assert km(_point(baidu), PLACES["lujiazui"]) < 0.001
    assert baidu["coordinate_source"] == "client"
    assert baidu["is_approximate"] is False
    centroid = locate.coordinates_for_new_address({**base, "latitude": None, "longitude": None})
    assert centroid["is_approximate"] is True
    assert centroid["coordinate_source"] == "centroid"
    assert km(_point(centroid), PLACES["lujiazui"]) < 25
    unknown = locate.coordinates_for_new_address(
        {"province": "火星", "city": "火星", "district": "?"}
    )
    assert unknown["latitude"] is None


def test_replanning_keeps_work_under_way_fixed(database_url: str) -> None:
    """At 10:00: one engineer on site, another en route; the plan starts from those facts."""
    s = make_branch(database_url)
    add_technician(s, "onsite", home=PLACES["people_square"], skills=[TicketType.REPAIR])
    add_technician(s, "driving", home=PLACES["xujiahui"], skills=[TicketType.REPAIR])
    today = dt.datetime.now(SHANGHAI).date()
    now = dt.datetime.combine(today, dt.time(10, 0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    window = (now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    add_job(
        s,
        "visit",
        at=PLACES["lujiazui"],
        technician="onsite",
        status=JobStatus.ON_SITE,
        window=window,
    )
    add_job(
        s,
        "drive",
        at=PLACES["hongqiao"],
        technician="driving",
        status=JobStatus.EN_ROUTE,
        window=window,
    )
    later = (now + dt.timedelta(hours=2), now + dt.timedelta(hours=5))
    for name in ("jingan", "putuo", "zhangjiang", "yangpu"):
        add_job(s, name, at=PLACES[name], window=later)

    async def plan() -> m.RoutePlan:
        engine = create_engine(database_url)
        try:
            async with transaction(session_factory(engine)) as session:
                hq = (
                    await session.execute(select(m.User).where(m.User.username == "hq"))
                ).scalar_one()
                visit = await session.get(m.Job, s.jobs["visit"])
                assert visit is not None
                visit.arrived_at = now - dt.timedelta(minutes=20)
                actor = Actor(user_id=hq.id, username="hq", role=Role.HQ)
                return await routes.optimize_routes(
                    session, actor, branch_id=s.branch_id, day=today, now=now
                )
        finally:
            await engine.dispose()

    result = asyncio.run(plan())
    by_tech = {r["technician_id"]: r["stops"] for r in result.routes}
    onsite, driving = by_tech[s.techs["onsite"]], by_tech[s.techs["driving"]]
    assert onsite[0]["job_id"] == s.jobs["visit"]
    assert onsite[0]["fixed"] is True
    assert driving[0]["job_id"] == s.jobs["drive"]
    assert driving[0]["fixed"] is True
    # The on-site engineer leaves when the 60-minute repair that began at 09:40 ends.
    assert dt.datetime.fromisoformat(onsite[0]["departure_at"]) == now + dt.timedelta(minutes=40)
    for stops in (onsite, driving):
        for before, after in pairwise(stops):
            assert after["fixed"] is False
            assert dt.datetime.fromisoformat(after["arrival_at"]) >= dt.datetime.fromisoformat(
                before["departure_at"]
            )
    placed = {st["job_id"] for r in result.routes for st in r["stops"]}
    assert placed == set(s.jobs.values())
    assert result.unplaced == []
