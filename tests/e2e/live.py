"""A live server on 127.0.0.1 and the real phone client (sync-client/drive.mjs) around it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from wellspring.api.app import create_app
from wellspring.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SYNC_CLIENT = ROOT / "sync-client"
CLIENTS = ROOT / "clients"
# Direct connections only: a proxy from the environment must not see calls to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    """(status, parsed JSON body) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http://127.0.0.1
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """uvicorn serving the real app in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="wellspring-e2e", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if http("GET", f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {base} did not come up")
            time.sleep(0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def document(name: str) -> str:
    """A client document from clients/ (the same text the apps send)."""
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


class GraphQL:
    """GraphQL over HTTP against the live server, one token per username."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.tokens: dict[str, str] = {}

    def token(self, username: str, password: str = "demo") -> str:
        if username not in self.tokens:
            login = self.data(document("Login"), {"username": username, "password": password})
            assert login["login"]["token"], login
            self.tokens[username] = login["login"]["token"]
        return self.tokens[username]

    def data(self, query: str, variables: dict[str, Any] | None = None, user: str = "") -> Any:
        headers = {"Accept-Language": "en"}
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        status, body = http(
            "POST", f"{self.base}/graphql", {"query": query, "variables": variables or {}}, headers
        )
        assert status == 200, body
        assert "errors" not in body, body
        return body["data"]

    def payload(self, name: str, variables: dict[str, Any], user: str) -> Any:
        """The single payload of a mutation document, its user errors checked empty."""
        result = next(iter(self.data(document(name), variables, user).values()))
        assert result["errors"] == [], result["errors"]
        return result


@dataclass
class Step:
    """One run of drive.mjs: exit code, its JSON report, stderr."""

    command: list[str]
    code: int
    report: dict[str, Any]
    stderr: str
    seconds: float

    def explain(self) -> str:
        return (
            f"node drive.mjs {' '.join(self.command)} -> exit {self.code} in {self.seconds:.1f} s\n"
            f"--- report ---\n{json.dumps(self.report, indent=1, ensure_ascii=False)[:20000]}\n"
            f"--- stderr ---\n{self.stderr[-20000:]}"
        )


class Phone:
    """An engineer's phone: the real WatermelonDB client with its state in ``state_dir``."""

    def __init__(self, state_dir: Path, base: str, token: str) -> None:
        node = shutil.which("node")
        assert node, "node is not on PATH"
        self.node = node
        self.state_dir = state_dir
        self.env = {**os.environ, "SYNC_URL": base, "SYNC_TOKEN": token, "SYNC_LOCALE": "en"}
        for name in ("SYNC_STRICT", "SYNC_SEND_CREATED_AS_UPDATED", "SYNC_VERBOSE"):
            self.env.pop(name, None)
        self.steps: list[Step] = []

    def _argv(self, *args: str) -> list[str]:
        return [self.node, str(SYNC_CLIENT / "drive.mjs"), str(self.state_dir), *args]

    def _step(
        self,
        args: list[str],
        done: tuple[int, str, str],
        started: float,
        expect: int | None,
    ) -> Step:
        code, stdout, stderr = done
        try:
            report = json.loads(stdout)
        except json.JSONDecodeError:
            report = {"stdout": stdout}
        step = Step(args, code, report, stderr, time.monotonic() - started)
        self.steps.append(step)
        if expect is not None:
            assert code == expect, step.explain()
        return step

    def run(self, *args: str, expect: int | None = 0) -> Step:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603 - our own script, no shell
            self._argv(*args), capture_output=True, text=True, env=self.env, timeout=60, check=False
        )
        return self._step(list(args), (done.returncode, done.stdout, done.stderr), started, expect)

    def run_held_sync(self, during: Callable[[], object]) -> dict[str, Any]:
        """A sync that stops after its pull; ``during()`` runs, then the push goes out."""
        prefix = self.state_dir.parent / f"{self.state_dir.name}-hold-{len(self.steps)}"
        ready, go = Path(f"{prefix}.ready"), Path(f"{prefix}.go")
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our own script, no shell
            self._argv("sync"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, "SYNC_HOLD_PUSH": str(prefix)},
        )
        try:
            deadline = time.monotonic() + 30
            while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            if ready.exists():
                during()
        finally:
            go.touch()
            stdout, stderr = process.communicate(timeout=60)
        done = (process.returncode, stdout, stderr)
        step = self._step(["sync", "(held before its push)"], done, started, expect=0)
        assert ready.exists(), f"the sync never reached its push\n{step.explain()}"
        return step.report

    def sync(self) -> dict[str, Any]:
        return self.run("sync").report

    def dump(self, table: str | None = None) -> dict[str, Any]:
        return self.run("dump", *([table] if table else [])).report

    def records(self, table: str) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.dump(table)["tables"][table]}

    def create(self, table: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self.run("create", table, json.dumps(fields)).report["record"]

    def update(self, table: str, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self.run("update", table, record_id, json.dumps(fields)).report["record"]
