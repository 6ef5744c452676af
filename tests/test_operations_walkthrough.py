"""docs/operations.md's first start, run exactly as written, on an empty database.

The doc is the script: shell lines go through the ``wellspring`` command, GraphQL blocks go to
the app with the JSON block under them as variables. A step that stops working fails here, so
the page cannot drift from what the system does.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from wellspring.api import cli
from wellspring.api.app import create_app
from wellspring.settings import get_settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
SECTION = "## First start: from an empty PostgreSQL to the first ticket"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _blocks() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return FENCE.findall(text[start : end if end != -1 else None])


def _dig(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


class Walk:
    def __init__(self, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.url, self.monkeypatch = url, monkeypatch
        self.client: TestClient | None = None
        self.saved: dict[str, str] = {}
        self.stack: list[Any] = []

    def shell(self, block: str) -> None:
        for line in block.strip().splitlines():
            words = shlex.split(line)
            if words[0] == "createdb":
                continue  # the test's database already exists, empty
            if words[0] == "export":
                name, _, value = line.removeprefix("export ").partition("=")
                if name == "WELLSPRING_DATABASE_URL":
                    value = self.url  # the same step, pointed at this test's database
                else:
                    # The doc's own shell expression, e.g. "$(python3 -c ...)".
                    value = subprocess.run(  # noqa: S603
                        ["/bin/bash", "-c", f"printf %s {value}"],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                self.monkeypatch.setenv(name, value)
                continue
            while "=" in words[0]:
                name, _, value = words.pop(0).partition("=")
                self.monkeypatch.setenv(name, value)
            assert words[0] == "wellspring", f"not a documented command: {line}"
            get_settings.cache_clear()
            if words[1] == "serve":
                self.client = TestClient(create_app(get_settings()))
                self.stack.append(self.client.__enter__())
                continue
            assert cli.main(words[1:]) == 0, line

    def graphql(self, document: str, variables: str) -> None:
        assert self.client is not None, "the API is called before `wellspring serve`"
        headers = {"Accept-Language": "en"}
        saves = []
        for line in document.splitlines():
            if line.startswith("# as: "):
                headers["Authorization"] = f"Bearer {self.saved[line[6:].strip()]}"
            if line.startswith("# save: "):
                name, _, path = line[8:].partition("=")
                saves.append((name.strip(), path.strip()))
        filled = PLACEHOLDER.sub(lambda m: self.saved[m.group(1)], variables)
        body = {"query": document, "variables": json.loads(filled)}
        response = self.client.post("/graphql", json=body, headers=headers)
        answer = response.json()
        assert response.status_code == 200, (document, answer)
        assert "errors" not in answer, (document, answer)
        for field, value in answer["data"].items():
            if isinstance(value, dict) and "errors" in value:
                assert value["errors"] == [], (field, value["errors"])
        for name, path in saves:
            self.saved[name] = _dig(answer["data"], path)

    def close(self) -> None:
        for client in self.stack:
            client.__exit__(None, None, None)


@pytest.fixture
def walk(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Walk]:
    walker = Walk(empty_database_url, monkeypatch)
    try:
        yield walker
    finally:
        walker.close()
        get_settings.cache_clear()


def test_the_documented_first_start_works_step_by_step(
    walk: Walk, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _blocks()
    assert len(blocks) > 20
    index = 0
    while index < len(blocks):
        kind, body = blocks[index]
        if kind == "sh":
            walk.shell(body)
            index += 1
        else:
            assert kind == "graphql", kind
            assert blocks[index + 1][0] == "json", "a GraphQL step needs its variables"
            walk.graphql(body, blocks[index + 1][1])
            index += 2
    # The clerk's install reached the engineer's phone.
    assert set(walk.saved) >= {"root", "ops", "clerk", "tech", "shId", "techId", "jobId"}
    assert walk.saved["firstJob"].startswith("J"), walk.saved
    # And init, as documented, refuses a second run and changes nothing.
    capsys.readouterr()
    assert cli.main(["init", "--admin-username", "root2"]) == 2
    assert "already initialized" in capsys.readouterr().err
