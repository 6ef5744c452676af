"""The app, or a bench's own Starlette app, under uvicorn in a process of its own, for the
benches that measure over HTTP (``tickets``, ``dispatch``): started on a free port, waited
for until ``/healthz`` answers, and stopped whatever happens in the block."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .database import BENCH_VAR, ROOT

_STARTUP_SECONDS = 60.0
_HTTP_TIMEOUT = 120.0  # a cold count over a large table can take a while


@dataclass(frozen=True)
class Endpoint:
    """How one server is asked for a page: its path and the JSON body for a page size."""

    name: str
    app: str
    path: str
    body: Callable[[int, str | None], dict[str, Any]]


def settings_env(url: str, secret: str) -> dict[str, str]:
    return {
        "WELLSPRING_DATABASE_URL": url,
        "WELLSPRING_MODE": "production",
        "WELLSPRING_SECRET_KEY": secret,
        "WELLSPRING_LOG_JSON": "true",
    }


@dataclass(frozen=True)
class Server:
    endpoint: Endpoint
    port: int
    pid: int = 0

    def post(self, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=_HTTP_TIMEOUT)
        try:
            conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        if response.status != 200:
            raise SystemExit(f"{self.endpoint.name} {path}: HTTP {response.status}: {text[:2000]}")
        answer: dict[str, Any] = json.loads(text)
        if "errors" in answer:
            raise SystemExit(f"{self.endpoint.name} {path}: {text[:2000]}")
        return answer

    def page(self, token: str, first: int, after: str | None = None) -> dict[str, Any]:
        return self.post(self.endpoint.path, self.endpoint.body(first, after), token)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def serve(endpoint: Endpoint, env: dict[str, str]) -> Iterator[Server]:
    """Run ``endpoint``'s app under uvicorn until the block ends, whatever happens in it."""
    port = free_port()
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    log_path = BENCH_VAR / f"server-{endpoint.name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        endpoint.app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"{endpoint.name} server did not come up; {log_path}:\n{_tail(log_path)}"
                )
            time.sleep(0.1)
        yield Server(endpoint, port, process.pid)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def server_env(url: str, secret: str) -> dict[str, str]:
    # Only this run's settings: a stray WELLSPRING_* variable must not change what is measured.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLSPRING_")}
    return env | settings_env(url, secret)
