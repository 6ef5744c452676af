"""An ASGI app called directly in this process, as a server would call it, with no HTTP client
and no socket: what a request costs the app alone, at one request in flight or several.

A TestClient or an httpx transport costs more CPU per request than the app's own page and
runs one request at a time; the app's cost under load, with requests interleaved on one
event loop, is what the Tickets bench's ratio measures (bench/README.md, "The ratio in
process"). ``Caller`` holds one app, its path, body and bearer token.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message

# The client a server would name; the app logs and throttles by it.
_CLIENT = ("127.0.0.1", 50000)


@dataclass(frozen=True)
class Caller:
    app: ASGIApp
    path: str
    body: bytes
    token: str

    def _scope(self) -> dict[str, Any]:
        headers = [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {self.token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
        ]
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": _CLIENT,
            "server": ("127.0.0.1", 8000),
        }

    async def call(self) -> None:
        """One request; a status other than 200 stops the bench with the answer."""
        sent = False
        answer: list[Message] = []

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": self.body, "more_body": False}
            await asyncio.Event().wait()  # the client stays connected until the answer
            raise AssertionError("unreachable")

        async def send(message: Message) -> None:
            answer.append(message)

        await self.app(self._scope(), receive, send)
        status = answer[0].get("status") if answer else None
        if status != 200:
            body = b"".join(m.get("body", b"") for m in answer[1:])
            raise SystemExit(f"{self.path} answered {status}: {body[:2000]!r}")

    async def cpu_per_request(self, concurrency: int, requests: int) -> float:
        """Process CPU milliseconds per request, ``concurrency`` requests in flight at once
        (after five warm-up requests from each)."""

        async def worker(n: int) -> None:
            for _ in range(n):
                await self.call()

        await asyncio.gather(*(worker(5) for _ in range(concurrency)))
        each = max(requests // concurrency, 1)
        started = time.process_time()
        await asyncio.gather(*(worker(each) for _ in range(concurrency)))
        return (time.process_time() - started) / (each * concurrency) * 1000
