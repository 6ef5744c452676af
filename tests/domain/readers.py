"""Readers of the suite's database for the list tests: an engine, its sessions and every
test login as an actor, and the statements a block runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from tests.api.seen import recorded
from tests.domain.test_workflow_rules import _actors
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory


@asynccontextmanager
async def readers(database_url: str) -> AsyncIterator[tuple[Any, Any, dict[str, Actor]]]:
    """An engine on the suite's database, its session factory, and every test login as an
    actor; the engine is disposed of afterwards."""
    engine = create_engine(database_url)
    factory = session_factory(engine)
    try:
        async with factory() as session:
            actors = await _actors(session)
        yield engine, factory, actors
    finally:
        await engine.dispose()


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    """The statements an async ``engine`` sends while the block runs."""
    with recorded(engine.sync_engine) as seen:
        yield seen
