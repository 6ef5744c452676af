"""The tracking page in a real browser when it is asked too often (429): it says so and to
try again shortly, never that the link is dead, and asks nothing more before Retry-After has
passed. Its own server, with a limit a few polls reach (the other page tests' server keeps
the default). Skipped with, and mandatory like, tests/e2e/test_tracking_page.py."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.api.test_tracking_refusals import visible
from tests.conftest import GraphQL, make_settings
from tests.e2e.live import ROOT
from tests.e2e.test_tracking_page import ARGS, CHROMIUM, _serve, off_loop, sync_api
from tests.tracking_world import customer_one, share, token_of, visit
from wellspring.api.app import create_app

PER_TOKEN = 4  # the page, then three polls; the fourth poll is refused


def _clear_of_a_minute_boundary() -> None:
    left = 60 - time.time() % 60  # the limits count in fixed one-minute windows
    if left < 15:
        time.sleep(left + 0.05)


def test_a_page_asked_too_often_says_so_and_waits(gql: GraphQL, database_url: str) -> None:
    o = off_loop(customer_one, database_url)
    ticket_id, _job = off_loop(visit, gql, o, upto="StartTravel")
    token = token_of(off_loop(share, gql, ticket_id)["url"])
    settings = make_settings(
        database_url,
        tracking_per_token_per_minute=PER_TOKEN,
        tracking_poll_seconds=0.5,
        tracking_websocket_path="",  # the page polls
        web_modules=str(ROOT / "web" / "node_modules"),
    )
    polls: list[tuple[float, int]] = []
    with _serve(create_app(settings)) as base, sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
            page = context.new_page()

            def heard(response: Any) -> None:
                if response.url.split("?")[0].endswith("/state"):
                    polls.append((time.monotonic(), response.status))

            page.on("response", heard)
            _clear_of_a_minute_boundary()
            page.goto(f"{base}/t/{token}")
            assert page.locator("#stage").inner_text() == "工程师在路上"
            page.locator("#live").get_by_text("请求过于频繁，请稍后再试。").wait_for(timeout=10_000)
            refused = [at for at, code in polls if code == 429]
            assert len(refused) == 1
            time.sleep(2.5)  # five poll intervals: none is made before Retry-After (60 s)
            assert [code for _at, code in polls].count(429) == 1
            assert polls[-1][0] == refused[0]
            # The visit stays on screen: nothing said the link was dead.
            assert page.locator("#stage").inner_text() == "工程师在路上"
            assert "链接不可用" not in page.locator("main").inner_text()

            # Opening the page again meanwhile: the 429 page says the same, in Chinese only.
            response = page.goto(f"{base}/t/{token}")
            assert response is not None
            assert response.status == 429
            assert response.headers["retry-after"] == "60"
            assert page.locator("h1").inner_text() == "请求过于频繁"
            main = page.locator("main").inner_text()
            assert "请稍后再试" in main
            assert "60 秒后" in main
            assert "链接不可用" not in main
            assert not re.search(r"[A-Za-z]", visible(page.content()))
            context.close()
        finally:
            chromium.close()
