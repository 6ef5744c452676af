"""A POST handed to the app as a server hands it: header bytes as they came, the body in the
parts the client sent, in the app's own loop (the test client re-encodes headers and never
leaves mid-body)."""

from __future__ import annotations

from starlette.testclient import TestClient
from starlette.types import Message

WHOLE_EMPTY_BODY: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]


def post_raw(
    client: TestClient,
    path: str,
    headers: list[tuple[bytes, bytes]],
    parts: list[Message] = WHOLE_EMPTY_BODY,
) -> list[Message]:
    """What the app sends; ``parts`` are received in turn, the last one again once they are
    used (a disconnect stays a disconnect)."""
    waiting = list(parts)
    sent: list[Message] = []

    async def receive() -> Message:
        return waiting.pop(0) if len(waiting) > 1 else waiting[0]

    async def send(message: Message) -> None:
        sent.append(message)

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
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(call)
    return sent
