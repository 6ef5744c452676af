"""PostgreSQL: a writing request draws its transaction's version in its token check, not in a
statement of its own (issue 19 §4), and the rows it writes carry that version as before: a
cursor handed out before the request is below it, one handed out after is not."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.seen import count_statements, doc
from tests.conftest import BACKEND, GraphQL, run
from wellspring.domain import models as m
from wellspring.domain import versioning
from wellspring.domain.db import create_engine, session_factory

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="versions are transaction ids on PostgreSQL only"
)
ENGINEER = "tech-sh-2"


def _stamps(statements: list[str]) -> list[str]:
    return [s for s in statements if "pg_current_xact_id()" in s]


async def _cursor_and_version(url: str) -> tuple[int, int]:
    """A cursor a reader would be handed now, and the engineer's row's version."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            cursor = await versioning.current_version(session)
            version = (
                await session.execute(
                    select(m.Technician.version)
                    .join(m.User, m.User.id == m.Technician.user_id)
                    .where(m.User.username == ENGINEER)
                )
            ).scalar_one()
            return cursor, version
    finally:
        await engine.dispose()


def test_a_mutation_draws_its_version_with_its_token_check(
    gql: GraphQL, client: TestClient, database_url: str
) -> None:
    gql.token(ENGINEER)
    before, _ = run(_cursor_and_version(database_url))
    where = {"latitude": 31.2211, "longitude": 121.4455}
    with count_statements(client) as statements:
        moved = gql.data(doc("UpdateLocation"), where, as_user=ENGINEER)["updateLocation"]
    assert moved["errors"] == []
    (stamp,) = _stamps(statements)
    assert "FROM auth_sessions" in stamp  # the token check, not a statement of its own
    after, version = run(_cursor_and_version(database_url))
    assert before < version <= after


def test_a_query_draws_no_version(gql: GraphQL, client: TestClient) -> None:
    gql.token(ENGINEER)
    with count_statements(client) as statements:
        gql.data(doc("MyJobs"), as_user=ENGINEER)
    assert _stamps(statements) == []
