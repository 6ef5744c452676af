"""A client that leaves while sending its body (a phone losing its network mid-upload) is no
fault of ours: the request is logged as 499, with no traceback, not as a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from starlette.types import Message

from tests.conftest import GraphQL, make_settings
from wellspring.api.app import create_app
from wellspring.api.pbx_webhook import PATH as PBX_PATH

DOORS = ["/graphql", "/sync/pull", "/sync/push", "/media/upload", PBX_PATH]


@pytest.fixture(scope="module")
def app_client(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    media = tmp_path_factory.mktemp("media")
    settings = make_settings(database_url, media_root=str(media), pbx_webhook_secret="secret")
    with TestClient(create_app(settings)) as client:
        yield client


def _post_then_leave(client: TestClient, path: str, token: str) -> list[Message]:
    """What the app sends for a POST that declares 1,000 bytes, sends 7 and disconnects,
    called in the app's loop as a server would."""
    parts: list[Message] = [
        {"type": "http.request", "body": b'{"quer', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return parts.pop(0) if len(parts) > 1 else parts[0]

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [
        (b"host", b"testserver"),
        (b"content-type", b"application/json"),
        (b"content-length", b"1000"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"x-sync-client", b"leaving-phone"),
    ]

    async def call() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(call)
    return sent


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
