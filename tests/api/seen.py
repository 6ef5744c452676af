"""What the API tests read besides answers: the statements a block sends to the database, and
the client documents under clients/ by operation name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from starlette.testclient import TestClient

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


@contextmanager
def count_statements(client: TestClient) -> Iterator[list[str]]:
    """The statements the app behind ``client`` sends while the block runs."""
    engine = client.app.state.engine.sync_engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def doc(name: str) -> str:
    """The client document of operation ``name`` (clients/<persona>/<name>.graphql)."""
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")
