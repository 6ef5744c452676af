"""What the tests read besides answers: the statements a block sends to the database (of an
engine, or of the app behind a test client), and the client documents under clients/ by
operation name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


@contextmanager
def recorded(sync_engine: Any) -> Iterator[list[str]]:
    """The statements ``sync_engine`` sends to the database while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


@contextmanager
def count_statements(client: TestClient) -> Iterator[list[str]]:
    """The statements the app behind ``client`` sends while the block runs."""
    with recorded(client.app.state.engine.sync_engine) as seen:  # type: ignore[attr-defined]
        yield seen


def doc(name: str) -> str:
    """The client document of operation ``name`` (clients/<persona>/<name>.graphql)."""
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")
