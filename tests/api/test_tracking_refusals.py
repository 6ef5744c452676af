"""What the tracking page answers when it shows no visit: too many requests (429) says so
and when to try again, never that the link is dead; no token and any other path under
``/t`` answer the page's own not-found (404) in the page's language, as an unknown token
does, never Starlette's plain-text English "Not Found"."""

from __future__ import annotations

import re
import time

from starlette.testclient import TestClient

from tests.conftest import make_settings
from wellspring.api.app import create_app

UNKNOWN = "/t/" + "A" * 32


def visible(html: str) -> str:
    """The page's text as read, less the language switch (the other language's own name)."""
    html = re.sub(r'<a class="lang"[^>]*>.*?</a>', "", html)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _clear_of_a_minute_boundary() -> None:
    left = 60 - time.time() % 60  # the limits count in fixed one-minute windows
    if left < 5:
        time.sleep(left + 0.05)


def test_too_many_requests_says_so_and_when_to_try_again(database_url: str) -> None:
    settings = make_settings(database_url, tracking_per_token_per_minute=1)
    with TestClient(create_app(settings)) as client:
        _clear_of_a_minute_boundary()
        assert client.get(UNKNOWN, headers={"Accept-Language": "zh-CN"}).status_code == 404
        zh = client.get(UNKNOWN, headers={"Accept-Language": "zh-CN"})
        en = client.get(UNKNOWN + "?lang=en", headers={"Accept-Language": "zh-CN"})
    for page in (zh, en):
        assert page.status_code == 429
        assert page.headers["retry-after"] == "60"
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        # The page comes back by itself once Retry-After has passed.
        assert '<meta http-equiv="refresh" content="60">' in page.text
    assert '<html lang="zh-CN">' in zh.text
    assert "<title>请求过于频繁</title>" in zh.text
    assert "请求过于频繁，请稍后再试。" in zh.text
    assert "60 秒后" in zh.text
    assert "链接不可用" not in zh.text
    assert "无效" not in zh.text
    assert not re.search(r"[A-Za-z]", visible(zh.text)), visible(zh.text)
    assert '<html lang="en">' in en.text
    assert "<title>Too many requests</title>" in en.text
    assert "please try again shortly" in en.text
    assert "Link not available" not in en.text
    assert "not valid" not in en.text


def test_no_token_and_other_paths_under_t_answer_the_pages_not_found(database_url: str) -> None:
    with TestClient(create_app(make_settings(database_url))) as client:
        expected = {
            lang: client.get(UNKNOWN, headers={"Accept-Language": lang}) for lang in ("zh-CN", "en")
        }
        assert expected["zh-CN"].status_code == expected["en"].status_code == 404
        for path in ("/t/", "/t", "/t/a/b", UNKNOWN + "/", UNKNOWN + "/state/x", "/t/%20"):
            for lang, same in expected.items():
                page = client.get(path, headers={"Accept-Language": lang}, follow_redirects=False)
                assert page.status_code == 404, (path, lang)
                assert page.headers["content-type"].startswith("text/html"), path
                assert page.text == same.text, (path, lang)
                assert page.headers["content-security-policy"]
                assert page.headers["referrer-policy"] == "no-referrer"
        english = client.get("/t/?lang=en", headers={"Accept-Language": "zh-CN"})
        assert "Link not available" in english.text
    zh = expected["zh-CN"].text
    assert "链接不可用" in zh
    assert not re.search(r"[A-Za-z]", visible(zh)), visible(zh)
