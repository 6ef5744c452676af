"""Customers follow their visit (issue 17): links, the view, ratings, requests, the page."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from typing import Any

from graphql_relay import from_global_id
from sqlalchemy import select, update
from starlette.testclient import TestClient

from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL, make_settings
from tests.factories import execute, fetch, scalars
from tests.tracking_world import customer_one, move_engineer, share, token_of, visit
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models.enums import FollowUpSource, TicketStatus
from wellspring.domain.tracking import ticket_for_token

TRACK = doc("TrackVisit")


def track(gql: GraphQL, token: str, **kw: Any) -> Any:
    return gql.data(TRACK, {"token": token}, **kw)["trackVisit"]


def test_a_link_follows_the_visit_and_shows_the_position_only_on_the_way(
    gql: GraphQL, database_url: str
) -> None:
    o = customer_one(database_url)
    ticket_id, job_id = visit(gql, o)
    shared = share(gql, ticket_id)
    assert shared["url"].startswith("/t/")
    token = token_of(shared["url"])
    assert len(token) >= 32  # 192 bits in base64url
    # Only the hash is stored.
    hashes = scalars(database_url, select(m.TrackingLink.token_hash))
    assert token not in hashes
    assert len(hashes[0]) == 64

    seen = track(gql, token)
    assert seen["stage"] == "APPOINTED"
    assert seen["ticketId"] == ticket_id
    assert seen["windowStart"] is not None
    assert seen["engineerPosition"] is None
    assert seen["hotline"]
    full = scalars(database_url, select(m.User.display_name).where(m.User.username == "tech-sh-1"))
    assert seen["engineer"]["name"] == full[0][1:]  # the given name, never the surname
    assert seen["engineer"]["phone"] is None
    assert [s["reached"] for s in seen["steps"]] == [True, True, False, False, False]

    # Before setting off, a position is not shown.
    move_engineer(gql, 31.2, 121.44)
    assert track(gql, token)["engineerPosition"] is None
    ok(payload(gql, "AcceptJob", {"id": job_id}, "tech-sh-1"))
    ok(payload(gql, "StartTravel", {"id": job_id}, "tech-sh-1"))
    move_engineer(gql, 31.20123, 121.44987)
    seen = track(gql, token)
    assert seen["stage"] == "EN_ROUTE"
    assert seen["engineerPosition"] == {"latitude": 31.201, "longitude": 121.45}
    assert seen["eta"] is not None
    ok(payload(gql, "ArriveOnSite", {"id": job_id}, "tech-sh-1"))
    seen = track(gql, token)
    assert seen["stage"] == "ON_SITE"
    assert seen["engineerPosition"] is None
    assert seen["positionAt"] is None


def test_only_the_visit_the_engineer_set_off_for_last_shows_them_moving(
    gql: GraphQL, database_url: str
) -> None:
    """Two jobs left on the way (the engineer set off for the next visit without marking the
    last arrival): both customers' pages showed one position, one of them following the
    engineer to someone else's home."""
    o = customer_one(database_url)
    earlier, _ = visit(gql, o, upto="StartTravel")
    later, _ = visit(gql, o, upto="StartTravel")
    move_engineer(gql, 31.21, 121.45)
    seen = {
        ticket: gql.client.get(f"/t/{token_of(share(gql, ticket)['url'])}/state").json()
        for ticket in (earlier, later)
    }
    assert seen[later]["position"] == {"lat": 31.21, "lon": 121.45}
    assert seen[earlier]["stage"] == "EN_ROUTE"
    assert seen[earlier]["position"] is None


def test_the_page_and_its_polled_state(gql: GraphQL, database_url: str) -> None:
    o = customer_one(database_url)
    ticket_id, _job = visit(gql, o, upto="StartTravel")
    token = token_of(share(gql, ticket_id)["url"])
    client = gql.client
    page = client.get(f"/t/{token}", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Engineer on the way" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    zh = client.get(f"/t/{token}?lang=zh", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in zh.text
    assert "工程师在路上" in zh.text
    state = client.get(f"/t/{token}/state?lang=en")
    assert state.status_code == 200
    body = state.json()
    assert body["stage"] == "EN_ROUTE"
    assert body["stageLabel"] == "Engineer on the way"
    assert set(body) >= {"steps", "window", "eta", "engineer", "hotline", "position"}
    etag = state.headers["etag"]
    again = client.get(f"/t/{token}/state?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304
    listed = client.get(f"/t/{token}/state?lang=en", headers={"If-None-Match": f'"x", {etag}'})
    assert listed.status_code == 304
    # Any text holding the tag answered 304 (a substring test).
    junk = client.get(f"/t/{token}/state?lang=en", headers={"If-None-Match": f"junk{etag}junk"})
    assert junk.status_code == 200
    move_engineer(gql, 31.215, 121.46)
    moved = client.get(f"/t/{token}/state?lang=en", headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.json()["position"] == {"lat": 31.215, "lon": 121.46}
    assert client.get("/static/tracking.js").status_code == 200


def test_unknown_expired_and_revoked_links_look_alike(gql: GraphQL, database_url: str) -> None:
    o = customer_one(database_url)
    ticket_id, _job = visit(gql, o)
    revoked = token_of(share(gql, ticket_id)["url"])
    expired = token_of(share(gql, ticket_id)["url"])
    kept = token_of(share(gql, ticket_id, user="clerk-sh")["url"])
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    execute(
        database_url,
        update(m.TrackingLink)
        .where(m.TrackingLink.token_hash == _hash(expired))
        .values(expires_at=stale),
    )
    # Revoking stops every link of the ticket; share anew afterwards.
    result = ok(payload(gql, "RevokeTrackingLinks", {"input": {"ticketId": ticket_id}}, "hotline"))
    assert result["revokedCount"] == 3
    fresh = token_of(share(gql, ticket_id)["url"])
    assert track(gql, fresh)["stage"] == "APPOINTED"
    # What the subscriptions door asks (connection_init's trackingToken).
    opened = {t: _ticket_for(database_url, t) for t in (fresh, revoked, expired, "x" * 40)}
    assert list(opened.values()) == [from_global_id(ticket_id)[1], None, None, None]
    assert _ticket_for(database_url, "") is None
    client = gql.client
    pages = {}
    for name, token in (("revoked", revoked), ("expired", expired), ("kept", kept)):
        assert track(gql, token) is None, name
        page = client.get(f"/t/{token}", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 404
        pages[name] = page.text
        assert client.get(f"/t/{token}/state").status_code == 404
    unknown = client.get("/t/" + "A" * 32, headers={"Accept-Language": "zh-CN"})
    assert unknown.status_code == 404
    assert set(pages.values()) == {unknown.text}
    assert "链接不可用" in unknown.text
    english = client.get("/t/not-a-token", headers={"Accept-Language": "en"})
    assert "Link not available" in english.text


def test_a_link_ends_a_day_after_the_visit(gql: GraphQL, database_url: str) -> None:
    o = customer_one(database_url)
    ticket_id, _job = visit(gql, o, upto="CompleteJob")
    shared = share(gql, ticket_id)
    token = token_of(shared["url"])
    assert track(gql, token)["canRate"] is True
    raw = from_global_id(ticket_id)[1]
    completed = scalars(database_url, select(m.Ticket.completed_at).where(m.Ticket.id == raw))[0]
    assert dt.datetime.fromisoformat(shared["expiresAt"]) == completed + dt.timedelta(hours=24)
    execute(
        database_url,
        update(m.Ticket)
        .where(m.Ticket.id == raw)
        .values(completed_at=completed - dt.timedelta(hours=25)),
    )
    assert track(gql, token) is None
    again = payload(gql, "ShareTrackingLink", {"input": {"ticketId": ticket_id}}, "hotline")
    assert [e["code"] for e in again["errors"]] == ["VISIT_OVER"]


def _ticket_for(database_url: str, token: str) -> str | None:
    async def read() -> str | None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                return await ticket_for_token(session, token, now=dt.datetime.now(dt.UTC))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _hash(token: str) -> str:
    from wellspring.domain.tracking.links import token_hash

    return token_hash(token)


def test_a_rating_is_the_follow_up_score_and_a_low_one_opens_the_complaint(
    gql: GraphQL, database_url: str
) -> None:
    o = customer_one(database_url)
    early, _job = visit(gql, o, upto="ArriveOnSite")
    early_token = token_of(share(gql, early)["url"])
    rate = doc("RateVisit")
    not_yet = gql.data(rate, {"input": {"token": early_token, "score": 5}})["rateVisit"]
    assert [e["code"] for e in not_yet["errors"]] == ["NOT_YET_RATABLE"]

    ticket_id, _job = visit(gql, o, upto="CompleteJob")
    token = token_of(share(gql, ticket_id)["url"])
    out = gql.data(rate, {"input": {"token": token, "score": 9}}, locale="zh-CN")["rateVisit"]
    assert [e["code"] for e in out["errors"]] == ["SCORE_OUT_OF_RANGE"]
    rated = gql.data(rate, {"input": {"token": token, "score": 2, "comment": "太慢"}})
    rated = rated["rateVisit"]
    assert rated["errors"] == []
    assert rated["complaintOpened"] is True
    assert rated["visit"] == {"stage": "DONE", "canRate": False, "score": 2}
    raw = from_global_id(ticket_id)[1]
    follow_up = fetch(
        database_url,
        select(m.FollowUp.score, m.FollowUp.source, m.FollowUp.dissatisfaction).where(
            m.FollowUp.ticket_id == raw
        ),
    )
    assert [tuple(r) for r in follow_up] == [(2, FollowUpSource.CUSTOMER, "OTHER")]
    status = scalars(database_url, select(m.Ticket.status).where(m.Ticket.id == raw))
    assert status == [TicketStatus.CLOSED]
    complaints = scalars(
        database_url, select(m.Ticket.type).where(m.Ticket.linked_ticket_id == raw)
    )
    assert [str(t) for t in complaints] == ["COMPLAINT"]
    twice = gql.data(rate, {"input": {"token": token, "score": 5}})["rateVisit"]
    assert [e["code"] for e in twice["errors"]] == ["ALREADY_RATED"]
    # The hotline's list shows who already answered.
    query = (
        "query($after: String) { followUpsDue(includeAnswered: true, first: 100, after: $after)"
        " { pageInfo { hasNextPage endCursor } nodes { source ticket { id } } } }"
    )
    answered: dict[str, str] = {}
    after = None
    while True:
        page = gql.data(query, {"after": after}, as_user="hotline")["followUpsDue"]
        answered |= {n["ticket"]["id"]: n["source"] for n in page["nodes"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert answered[ticket_id] == "CUSTOMER"
    due = gql.data(doc("FollowUpsDue"), {"first": 100}, as_user="hotline")["followUpsDue"]
    assert ticket_id not in {e["node"]["ticket"]["id"] for e in due["edges"]}


def test_asking_to_reschedule_opens_an_inquiry_and_moves_nothing(
    gql: GraphQL, database_url: str
) -> None:
    o = customer_one(database_url)
    ticket_id, job_id = visit(gql, o)
    token = token_of(share(gql, ticket_id)["url"])
    asked = gql.data(
        doc("RequestVisitChange"),
        {"input": {"token": token, "kind": "RESCHEDULE", "note": "明天下午"}},
    )["requestVisitChange"]
    assert asked["errors"] == []
    assert asked["visit"]["stage"] == "APPOINTED"
    raw = from_global_id(ticket_id)[1]
    inquiry = fetch(
        database_url,
        select(m.Ticket.type, m.Ticket.details, m.Ticket.handler_id).where(
            m.Ticket.linked_ticket_id == raw
        ),
    )
    # For the hotline to take: nobody handles it yet (never the customer).
    assert [(str(t), d["visit_request"], h) for t, d, h in inquiry] == [
        ("INQUIRY", "RESCHEDULE", None)
    ]
    job = scalars(database_url, select(m.Job.status).where(m.Job.id == from_global_id(job_id)[1]))
    assert [str(s) for s in job] == ["ASSIGNED"]
    both = gql.data(
        doc("RequestVisitChange"),
        {"input": {"token": token, "ticketId": ticket_id, "kind": "CANCEL"}},
    )["requestVisitChange"]
    assert [e["code"] for e in both["errors"]] == ["INVALID_ARGUMENT"]


def test_a_refused_ask_names_the_input_the_customer_sent(gql: GraphQL, database_url: str) -> None:
    """A long note is the note (not the rating's comment); a visit already on site is
    refused on the token that named it, never on a ticketId nobody sent."""
    o = customer_one(database_url)
    ticket_id, _job = visit(gql, o, upto="ArriveOnSite")
    token = token_of(share(gql, ticket_id)["url"])
    ask = doc("RequestVisitChange")
    long = {"token": token, "kind": "RESCHEDULE", "note": "再改" * 1000}
    (error,) = gql.data(ask, {"input": long}, locale="zh-CN")["requestVisitChange"]["errors"]
    assert (error["code"], error["field"]) == ("VALUE_TOO_LONG", "note")
    assert error["message"].startswith("备注")
    over = gql.data(ask, {"input": {"token": token, "kind": "RESCHEDULE"}})["requestVisitChange"]
    assert [(e["code"], e["field"]) for e in over["errors"]] == [("VISIT_OVER", "token")]


def test_the_customer_signed_in_follows_rates_and_asks_for_their_own_visits(
    gql: GraphQL, database_url: str
) -> None:
    o = customer_one(database_url)
    ticket_id, _job = visit(gql, o, upto="CompleteJob")
    mine = gql.data(doc("VisitTracking"), {"ticketId": ticket_id}, as_user="customer-1")
    assert mine["visitTracking"]["stage"] == "DONE"
    account = gql.data(doc("MyAccount"), {"first": 20}, as_user="customer-1")
    customer = account["customers"]["nodes"][0]
    assert customer["id"] == o["customer"]
    devices = customer["devicesConnection"]["nodes"]
    assert devices
    assert {"supplyExpiresOn", "bucketBalance"} <= set(devices[0])
    # Another customer's visit reads as missing.
    other = gql.data(
        "{ tickets(filter: {open: true}, first: 1) { nodes { id } } }", as_user="hotline"
    )["tickets"]["nodes"][0]["id"]
    if other != ticket_id:
        hidden = gql.data(doc("VisitTracking"), {"ticketId": other}, as_user="customer-1")
        assert hidden["visitTracking"] is None
    rated = gql.data(
        doc("RateVisit"), {"input": {"ticketId": ticket_id, "score": 5}}, as_user="customer-1"
    )["rateVisit"]
    assert rated["errors"] == []
    assert rated["visit"]["score"] == 5
    refused = gql.post(doc("RateVisit"), {"input": {"ticketId": ticket_id, "score": 5}})
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    staff = gql.post(doc("TrackVisit"), {"token": "x" * 40}, as_user="hotline").json()
    assert staff["data"]["trackVisit"] is None


def _clear_of_a_minute_boundary() -> None:
    """The limits count in fixed one-minute windows (``domain/tracking/throttle.py``): a burst
    that straddled two windows would be counted in halves (seen once in CI, at hh:mm:59.99)."""
    left = 60 - time.time() % 60
    if left < 5:
        time.sleep(left + 0.05)


def test_requests_per_token_and_per_address_are_limited(database_url: str) -> None:
    settings = make_settings(database_url, tracking_per_token_per_minute=3)
    with TestClient(create_app(settings)) as client:
        _clear_of_a_minute_boundary()
        codes = [client.get("/t/" + "B" * 32 + "/state").status_code for _ in range(5)]
        assert codes[:3] == [404, 404, 404]
        assert codes[3:] == [429, 429]
        limited = client.get("/t/" + "B" * 32, headers={"Accept-Language": "en"})
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "60"
        body = client.post(
            "/graphql",
            json={
                "query": "query($t: String!) { trackVisit(token: $t) { stage } }",
                "variables": {"t": "B" * 32},
            },
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "TRACKING_RATE_LIMITED"
    settings = make_settings(database_url, tracking_per_address_per_minute=2)
    with TestClient(create_app(settings)) as client:
        _clear_of_a_minute_boundary()
        codes = [client.get(f"/t/{'C' * 30}{n:02d}/state").status_code for n in range(3)]
        assert codes == [404, 404, 429]


def test_leaflet_answers_404_until_it_is_installed_and_is_served_once_it_is(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, web_modules=str(tmp_path))  # no leaflet in it
    with TestClient(create_app(settings)) as client:
        for path in ("leaflet.js", "leaflet.css", "images/marker-icon.png", ""):
            assert client.get(f"/static/vendor/leaflet/{path}").status_code == 404, path
        assert client.head("/static/vendor/leaflet/leaflet.js").status_code == 404
        dist = tmp_path / "leaflet" / "dist"
        dist.mkdir(parents=True)
        (dist / "leaflet.js").write_text("/* Leaflet */", encoding="utf-8")
        served = client.get("/static/vendor/leaflet/leaflet.js")  # no restart
        assert (served.status_code, served.text) == (200, "/* Leaflet */")


def test_names_and_map_points_as_the_page_shows_them() -> None:
    from wellspring.api.tracking_state import _point
    from wellspring.domain.tracking.view import Point, first_name
    from wellspring.geo.coords import CoordSystem, wgs84_to_gcj02

    assert first_name("张伟") == "伟"
    assert first_name("欧阳娜娜") == "阳娜娜"  # one-character surnames are assumed
    assert first_name("Li Ming") == "Li"
    assert first_name("  ") == ""
    assert first_name("Anna") == "Anna"
    point = Point(31.2, 121.44)
    assert _point(point, CoordSystem.WGS84) == {"lat": 31.2, "lon": 121.44}
    lat, lon = wgs84_to_gcj02(31.2, 121.44)
    assert _point(point, CoordSystem.GCJ02) == {"lat": round(lat, 5), "lon": round(lon, 5)}
    assert _point(None, CoordSystem.GCJ02) is None
