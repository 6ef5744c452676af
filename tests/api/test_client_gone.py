"""A client that leaves while sending its body (a phone losing its network mid-upload) is no
fault of ours: the request is logged as 499, with no traceback, not as a 500."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient
from starlette.types import Message

from tests.api.raw_asgi import post_raw
from tests.conftest import GraphQL
from wellspring.api.pbx_webhook import PATH as PBX_PATH

DOORS = ["/graphql", "/sync/pull", "/sync/push", "/media/upload", PBX_PATH]


def _post_then_leave(client: TestClient, path: str, token: str) -> list[Message]:
    """What the app sends for a POST that declares 1,000 bytes, sends 7 and disconnects."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"1000"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"x-sync-client", b"leaving-phone"),
    ]
    parts: list[Message] = [
        {"type": "http.request", "body": b'{"quer', "more_body": True},
        {"type": "http.disconnect"},
    ]
    return post_raw(client, path, headers, parts)


@pytest.mark.parametrize("path", DOORS)
def test_a_client_gone_mid_body_is_logged_as_499_without_a_traceback(
    app_client: TestClient, gql: GraphQL, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = gql.token("tech-sh-1")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        sent = _post_then_leave(app_client, path, token)
    assert [m for m in sent if m["type"] == "http.response.start"] == []  # no one to answer
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    (line,) = [r for r in caplog.records if r.name == "wellspring.access"]
    assert getattr(line, "status", None) == 499
