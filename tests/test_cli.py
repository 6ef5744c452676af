"""The `wellspring` command line."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_SECRET
from tests.live.world import free_port, wait_ready
from wellspring.api import cli
from wellspring.settings import get_settings


@pytest.fixture
def cli_database(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("WELLSPRING_DATABASE_URL", empty_database_url)
    get_settings.cache_clear()
    yield empty_database_url
    get_settings.cache_clear()


def test_help_lists_every_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "wellspring.api.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = ("serve", "migrate", "init", "demo-data", "create-user", "export-schema")
    for command in (*commands, "media-cleanup", "seal-originals"):
        assert command in out


def test_migrate_demo_data_and_create_user(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    assert cli.main(["demo-data", "--scale", "20"]) == 0
    assert "Demo logins" in capsys.readouterr().out
    assert cli.main(["demo-data", "--scale", "20"]) == 1  # never on top of existing data

    monkeypatch.setenv("WELLSPRING_NEW_PASSWORD", "a-long-password")
    args = ["create-user", "--username", "clerk-new", "--role", "clerk", "--branch", "SH"]
    assert cli.main(args) == 0
    assert "Created clerk clerk-new" in capsys.readouterr().out
    assert cli.main(args) == 2
    assert "taken" in capsys.readouterr().err
    no_branch = ["create-user", "--username", "x1", "--role", "clerk"]
    assert cli.main(no_branch) == 2
    assert "needs a branch" in capsys.readouterr().err
    monkeypatch.setenv("WELLSPRING_NEW_PASSWORD", "short")
    assert cli.main(["create-user", "--username", "x2", "--role", "hq"]) == 2
    assert "at least 8" in capsys.readouterr().err


def test_export_schema_prints_the_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export-schema"]) == 0
    assert "type Query" in capsys.readouterr().out


def test_serve_keeps_an_idle_connection_open_past_uvicorns_own_five_seconds(
    empty_database_url: str,
) -> None:
    """A client's next request on a connection idle for 6 s still gets its answer: with
    uvicorn's default (5 s) the server would have closed it, and a request sent as it closes
    fails (bench/day's connection errors)."""
    port = free_port()
    env = {
        **os.environ,
        "WELLSPRING_DATABASE_URL": empty_database_url,
        "WELLSPRING_SECRET_KEY": TEST_SECRET,
        "WELLSPRING_MODE": "development",
    }
    command = [sys.executable, "-m", "wellspring.api.cli", "serve", "--port", str(port)]
    child = subprocess.Popen(command, env=env)  # noqa: S603 - our own command
    try:
        wait_ready(f"http://127.0.0.1:{port}", timeout=60)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for pause in (0.0, 6.0):
            time.sleep(pause)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        connection.close()
    finally:
        child.terminate()
        child.wait(30)
