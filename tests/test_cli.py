"""The `wellspring` command line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

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
    for command in ("serve", "migrate", "init", "demo-data", "create-user", "export-schema"):
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
