"""The tracking page in a real browser (issue 17): Debian's Chromium driven by Python
playwright, against a live server on 127.0.0.1 with fake map tiles on 127.0.0.1; every other
request is aborted and must not happen.

SQLite only: the page's server side (links, view, state) runs on both engines in
tests/api/test_tracking.py; what this adds is the browser (rendering, the script's polling,
the map, fonts, accessibility), which does not depend on the engine, and a second browser run
would cost its time twice on a shared 2-core machine. Skipped with a notice without chromium
or web/node_modules; mandatory with CI=true.
"""

from __future__ import annotations

import asyncio
import io
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from PIL import Image
from sqlalchemy import update
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.api.workflow_steps import payload
from tests.conftest import GraphQL, make_settings
from tests.e2e.live import ROOT, free_port
from tests.factories import execute
from tests.tracking_world import customer_one, move_engineer, share, token_of, visit
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.tracking.links import token_hash

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
LEAFLET = ROOT / "web" / "node_modules" / "leaflet" / "dist" / "leaflet.js"
ARTIFACTS = ROOT / "var" / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
if os.environ.get("WELLSPRING_TEST_DB", "sqlite") != "sqlite":
    pytest.skip("the browser runs once, on SQLite (see the docstring)", allow_module_level=True)
if not (CHROMIUM.exists() and AXE.exists() and LEAFLET.exists()):
    if os.environ.get("CI") == "true":
        raise RuntimeError("chromium and web/node_modules are mandatory with CI=true")
    pytest.skip(
        "NOTICE: /usr/bin/chromium or web/node_modules missing (apt-get install chromium "
        "fonts-noto-cjk; make): the tracking page's browser tests are skipped",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 232, 240)).save(out, "PNG")
    return out.getvalue()


TILE = _tile()


class _Tiles(BaseHTTPRequestHandler):
    served: list[str] = []

    def do_GET(self) -> None:
        self.served.append(self.path)
        if self.path.startswith("/broken/"):
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *_args: Any) -> None:
        pass


@dataclass
class Browser:
    base: str
    browser: Any
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def page(self, locale: str) -> Any:
        context = self.browser.new_context(
            viewport={"width": 390, "height": 844}, locale=locale, device_scale_factor=1
        )

        def gate(route: Any) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: self.console.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.console.append(str(error)))
        return page


# A stand-in for the subscriptions door (built elsewhere): it speaks graphql-transport-ws,
# acknowledges only the tokens a test lists, and then says "something changed" every 300 ms.
# Any other token's socket is closed after connection_init, so those pages poll.
LIVE_TOKENS: set[str] = set()
HEARD: list[dict[str, Any]] = []


async def _fake_visit_events(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="graphql-transport-ws")
    init = await websocket.receive_json()
    HEARD.append(init)
    if (init.get("payload") or {}).get("trackingToken") not in LIVE_TOKENS:
        await websocket.close(code=4403)
        return
    await websocket.send_json({"type": "connection_ack"})
    subscribe = await websocket.receive_json()
    HEARD.append(subscribe)
    event = {"data": {"visitEvents": {"__typename": "VisitEvent"}}}
    try:
        while True:
            await asyncio.sleep(0.3)
            await websocket.send_json({"id": subscribe["id"], "type": "next", "payload": event})
    except (WebSocketDisconnect, RuntimeError):
        return


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="tracking-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the tracking test server did not come up")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser(database_url: str) -> Iterator[Browser]:
    tiles = ThreadingHTTPServer(("127.0.0.1", free_port()), _Tiles)
    thread = threading.Thread(target=tiles.serve_forever, daemon=True)
    thread.start()
    template = f"http://127.0.0.1:{tiles.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
    settings = make_settings(
        database_url,
        map_tiles=template,
        tracking_poll_seconds=0.5,
        tracking_websocket_path="/fake-visit-events",
        web_modules=str(ROOT / "web" / "node_modules"),
    )
    app = create_app(settings)
    app.router.routes.append(WebSocketRoute("/fake-visit-events", _fake_visit_events))
    try:
        with _serve(app) as base, sync_api.sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                yield Browser(base, chromium)
            finally:
                chromium.close()
    finally:
        tiles.shutdown()
    assert _Tiles.served, "the map asked the fake tile server for nothing"


def off_loop(fn: Any, *args: Any, **kw: Any) -> Any:
    """Run a helper in a thread of its own: playwright's sync API keeps an event loop running
    in this one, and the database helpers start their own (asyncio.run)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kw).result()


def _marker(page: Any) -> tuple[float, float]:
    marker = page.locator(".engineer-marker")
    marker.wait_for(state="attached")
    return float(marker.get_attribute("data-lat")), float(marker.get_attribute("data-lon"))


def _axe(page: Any) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})"
        ".then(r => r.violations.map(v => v.impact + ' ' + v.id))"
    )
    return [v for v in result if v.split()[0] in ("serious", "critical")]


def test_a_customer_follows_the_engineer_until_arrival(
    browser: Browser, gql: GraphQL, database_url: str
) -> None:
    o = off_loop(customer_one, database_url)
    ticket_id, job_id = off_loop(visit, gql, o, upto="StartTravel")
    off_loop(move_engineer, gql, 31.2, 121.44)
    token = token_of(off_loop(share, gql, ticket_id)["url"])
    page = browser.page("zh-CN")
    page.goto(f"{browser.base}/t/{token}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#stage").inner_text() == "工程师在路上"
    assert page.locator("#eta").inner_text() != "—"
    # The timeline in the order things happened (APPOINTED showed the window's start, ahead
    # of setting off); the agreed window is shown apart, as the window.
    times = page.locator("#timeline .step.reached .time").all_inner_texts()
    assert len(times) == 3
    assert "" not in times
    assert times == sorted(times), times
    assert page.locator("#window").inner_text() != "—"
    assert page.locator("#map").get_attribute("data-map") == "leaflet"
    first = _marker(page)
    assert first == (31.2, 121.44)
    page.locator(".leaflet-tile-loaded").first.wait_for()
    # Chinese text is drawn with a CJK font, not boxes.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '工程师')")
    width = page.evaluate(
        "(() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = '16px \"Noto Sans CJK SC\"'; const a = c.measureText('工程师').width;"
        " c.font = '16px monospace'; return [a, c.measureText('工程师').width]; })()"
    )
    assert width[0] > 30
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tracking-zh-390.png"), full_page=True)
    assert _axe(page) == []

    off_loop(move_engineer, gql, 31.215, 121.46)
    page.wait_for_function(
        "() => document.querySelector('.engineer-marker')?.dataset.lat === '31.215'", timeout=10_000
    )
    assert _marker(page) == (31.215, 121.46)
    off_loop(payload, gql, "ArriveOnSite", {"id": job_id}, "tech-sh-1")
    page.wait_for_function("() => !document.querySelector('.engineer-marker')", timeout=10_000)
    assert page.locator("#stage").inner_text() == "已到达"
    assert not page.locator("#map-note").is_hidden()
    page.context.close()
    assert browser.console == []
    assert browser.blocked == []


def test_a_customer_rates_the_visit_and_old_links_are_refused(
    browser: Browser, gql: GraphQL, database_url: str
) -> None:
    o = off_loop(customer_one, database_url)
    ticket_id, _job = off_loop(visit, gql, o, upto="CompleteJob")
    token = token_of(off_loop(share, gql, ticket_id)["url"])
    page = browser.page("en-US")
    page.goto(f"{browser.base}/t/{token}")
    assert page.locator("#stage").inner_text() == "Done"
    assert page.locator("#rate").is_visible()
    page.get_by_label("4").check()
    page.get_by_label("Comment (optional)").fill("On time, thank you")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tracking-en-390.png"), full_page=True)
    assert _axe(page) == []
    page.get_by_role("button", name="Send").click()
    page.locator("#rated").get_by_text("Thank you for your rating!").wait_for()
    assert page.locator("#rate-form").is_hidden()
    assert "4/5" in page.locator("#rated").inner_text()

    # The switch to Chinese keeps the same link.
    page.get_by_role("link", name="中文").click()
    page.wait_for_url(f"**/t/{token}?lang=zh")
    assert page.locator("#stage").inner_text() == "已完成"

    revoked = token_of(off_loop(share, gql, ticket_id)["url"])
    off_loop(payload, gql, "RevokeTrackingLinks", {"input": {"ticketId": ticket_id}}, "hotline")
    other, _job = off_loop(visit, gql, o)
    expired = token_of(off_loop(share, gql, other)["url"])
    stmt = (
        update(m.TrackingLink)
        .where(m.TrackingLink.token_hash == token_hash(expired))
        .values(expires_at=m.utcnow())
    )
    off_loop(execute, database_url, stmt)
    texts = []
    # Leave the live page first: its polling may start a navigation of its own that would
    # abort ours (net::ERR_ABORTED, seen on a loaded machine).
    page.goto("about:blank")
    # No token, or a path no link makes, is the same page (it was a plain-text "Not Found").
    for refused in (revoked, expired, "", f"{token}/x"):
        response = page.goto(f"{browser.base}/t/{refused}")
        assert response is not None
        assert response.status == 404
        texts.append(page.locator("main").inner_text())
    assert len(set(texts)) == 1, texts
    assert "链接不可用" in texts[0] or "Link not available" in texts[0]
    page.context.close()
    # The refusals' 404s are the only console errors a refused page may log.
    assert [c for c in browser.console if "404" not in c] == []
    assert browser.blocked == []


def test_the_svg_map_takes_over_when_tiles_fail(
    browser: Browser, gql: GraphQL, database_url: str
) -> None:
    o = off_loop(customer_one, database_url)
    ticket_id, _job = off_loop(visit, gql, o, upto="StartTravel")
    off_loop(move_engineer, gql, 31.21, 121.45)
    token = token_of(off_loop(share, gql, ticket_id)["url"])
    page = browser.page("zh-CN")
    page.route("**/tiles/**", lambda route: route.fulfill(status=503, body=b""))
    page.goto(f"{browser.base}/t/{token}")
    page.wait_for_function("() => document.querySelector('#map svg circle.engineer-marker')")
    assert _marker(page) == (31.21, 121.45)
    page.context.close()
    browser.console.clear()  # the failed tiles are logged on purpose here


def test_the_page_subscribes_to_visit_events_over_graphql_transport_ws(
    browser: Browser, gql: GraphQL, database_url: str
) -> None:
    o = off_loop(customer_one, database_url)
    ticket_id, _job = off_loop(visit, gql, o, upto="StartTravel")
    off_loop(move_engineer, gql, 31.2, 121.44)
    token = token_of(off_loop(share, gql, ticket_id)["url"])
    LIVE_TOKENS.add(token)
    page = browser.page("en-US")
    page.goto(f"{browser.base}/t/{token}")
    page.locator("#live").get_by_text("Live").wait_for()
    init, subscribe = [h for h in HEARD if h.get("type") == "connection_init"][-1], HEARD[-1]
    assert init == {"type": "connection_init", "payload": {"trackingToken": token}}
    assert subscribe["type"] == "subscribe"
    assert "VisitEvents" in subscribe["payload"]["query"]
    assert subscribe["payload"]["variables"] == {"ticketId": ticket_id}
    off_loop(move_engineer, gql, 31.205, 121.445)
    page.wait_for_function(
        "() => document.querySelector('.engineer-marker')?.dataset.lat === '31.205'"
    )
    page.context.close()
    assert browser.console == []
    assert browser.blocked == []
