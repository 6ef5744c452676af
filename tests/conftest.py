"""Fixtures: a real database per test session (SQLite or PostgreSQL), migrated and seeded.

``WELLSPRING_TEST_DB=postgresql`` runs the suite on a fresh PostgreSQL database created from
``WELLSPRING_TEST_PG_ADMIN_URL`` and dropped afterwards; the default is a SQLite file.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from starlette.testclient import TestClient

from tests import db_free, kept_greenlets, shards, untraced_threads
from tests.fake_geocoder import fake_server  # noqa: F401 - a fixture for every test
from wellspring.api import migrations
from wellspring.api.app import create_app
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.settings import Mode, Settings

# Generated tests judge values, never time: hypothesis' deadline and its "input generation is
# slow" check are timed assertions, which a loaded 2-core machine fails at random (a draw
# stalled for a second under load failed test_cursors once). A test's own @settings still
# applies over these.
settings.register_profile("wellspring", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("wellspring")

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DEMO_SCALE = 150
BACKEND = os.environ.get("WELLSPRING_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "WELLSPRING_TEST_PG_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


HALF = os.environ.get("WELLSPRING_TEST_HALF", "")
# "reverse" runs the collected tests last to first: a test that passes only after another
# one (state it leaves in the shared database, a module fixture it mutates) then fails.
ORDER = os.environ.get("WELLSPRING_TEST_ORDER", "")
untraced_threads.install()
kept_greenlets.install()
db_free.install()


def pytest_report_header(config: pytest.Config) -> str:
    half = f", half {HALF} of the suite" if HALF else ""
    # tests/db_free.py: a test that reaches no database runs on SQLite only.
    free = ", without the no_db tests (they run on SQLite)" if BACKEND == "postgresql" else ""
    return f"wellspring test database: {BACKEND}{half}{free}" + (
        ", in reverse order" if ORDER else ""
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks the tests that reach no database ``no_db`` (``tests/db_free.py``) and leaves
    them out on PostgreSQL. With ``WELLSPRING_TEST_HALF`` (1 or 2), only that half's files
    (``tests/shards.py``); with ``WELLSPRING_TEST_ORDER=reverse``, in reverse order."""
    if ORDER not in ("", "reverse"):
        raise pytest.UsageError(f"WELLSPRING_TEST_ORDER must be reverse, not {ORDER!r}")
    free = db_free.mark(items)
    if BACKEND == "postgresql" and free:
        config.hook.pytest_deselected(items=free)
        left = set(free)
        items[:] = [item for item in items if item not in left]
    if ORDER == "reverse":
        items.reverse()
    if not HALF:
        return
    if HALF not in shards.HALVES:
        raise pytest.UsageError(f"WELLSPRING_TEST_HALF must be 1 or 2, not {HALF!r}")
    root = config.rootpath
    files = {item: item.path.relative_to(root).as_posix() for item in items}
    # Split every test file there is, not only those collected: a module skipped whole on one
    # engine must not move the others from one half to the other.
    on_disk = {path.relative_to(root).as_posix() for path in (root / "tests").rglob("test_*.py")}
    half = shards.assign(on_disk | set(files.values()), shards.read_costs())
    kept = [item for item in items if half[files[item]] == HALF]
    config.hook.pytest_deselected(items=[item for item in items if half[files[item]] != HALF])
    items[:] = kept


async def _admin_execute(sql: str) -> None:
    engine = create_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


# Not around teardown: the last test's teardown ends the session's fixtures (database_url
# counts its tickets), whichever test that is.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    with db_free.running(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    with db_free.running(item):
        return (yield)


def make_database(tmp_dir: Any, label: str) -> tuple[str, Any]:
    """A new, empty database URL and a function that drops it."""
    db_free.refuse("made a database")
    url, drop = _new_database(tmp_dir, label)
    db_free.made(url)
    return url, drop


def _new_database(tmp_dir: Any, label: str) -> tuple[str, Any]:
    if BACKEND == "postgresql":
        name = f"ws_test_{label}_{uuid.uuid4().hex[:10]}"
        asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
        base = PG_ADMIN_URL.rsplit("/", 1)[0]

        def drop() -> None:
            asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        return f"{base}/{name}", drop
    path = tmp_dir / f"{label}-{uuid.uuid4().hex[:8]}.db"
    return f"sqlite+aiosqlite:///{path}", lambda: None


async def _seed(url: str, scale: int) -> None:
    from wellspring.demo import load_demo_data

    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await load_demo_data(session, scale=scale)
    finally:
        await engine.dispose()


async def _count_differences(url: str) -> dict[Any, Any]:
    from wellspring.domain import ticket_counts

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return await ticket_counts.differences(session)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared test database: migrated and loaded with demo data (read it, don't reshape it)."""
    url, drop = make_database(tmp_path_factory.mktemp("db"), "main")
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, DEMO_SCALE))
        yield url
        # Whatever the suite did to tickets, through whichever door, the maintained counts
        # (domain/ticket_counts.py) still equal count(*): a writer that bypasses them fails here.
        assert asyncio.run(_count_differences(url)) == {}
    finally:
        drop()


@pytest.fixture
def empty_database_url(tmp_path: Any) -> Iterator[str]:
    """A fresh, unmigrated database for one test."""
    url, drop = make_database(tmp_path, "empty")
    try:
        yield url
    finally:
        drop()


def make_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "mode": Mode.DEVELOPMENT,
        "secret_key": TEST_SECRET,
        "log_json": True,
        # Every test request comes from one peer address ("testclient"): the whole suite's
        # wrong passwords must not lock it. tests/api/test_login_limits.py tests the limit.
        "login_address_max_failures": 100_000,
        # Completing an install or a water test needs its photos and signature (issue 15);
        # tests/api/test_media.py checks that. Elsewhere a completion carries no files.
        "media_required_evidence": {"INSTALL": [], "WATER_TEST": []},
        # Likewise for tracking links: tests/api/test_tracking.py tests the limits.
        "tracking_per_address_per_minute": 100_000,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(database_url))
    with TestClient(app) as test_client:
        yield test_client


class GraphQL:
    """Posts documents as a client would; remembers one token per username, and signs in
    again before it expires (access tokens live 15 minutes; the whole suite runs longer)."""

    TOKEN_REUSE_SECONDS = 10 * 60
    DEFAULT_PASSWORD = "demo"

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}
        self.issued: dict[str, float] = {}
        self.passwords: dict[str, str] = {}

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        as_user: str | None = None,
        locale: str = "en",
        operation_name: str | None = None,
    ) -> Any:
        headers = {"Accept-Language": locale}
        if as_user is not None:
            token = self.token(as_user)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        return self.client.post("/graphql", json=body, headers=headers)

    def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = self.post(query, variables, **kw)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        return body["data"]

    def login(self, username: str, password: str | None = None) -> dict[str, Any]:
        query = (
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
            "{ token refreshToken errors { code message field } } }"
        )
        return self.data(query, {"u": username, "p": password or self.DEFAULT_PASSWORD})["login"]

    def token(self, username: str) -> str:
        fresh = time.monotonic() - self.issued.get(username, -math.inf) < self.TOKEN_REUSE_SECONDS
        if username not in self.tokens or not fresh:
            self.sign_in(username, self.passwords.get(username, self.DEFAULT_PASSWORD))
        return self.tokens[username]

    def sign_in(self, username: str, password: str) -> str:
        """Sign in afresh and remember the token (and the password, to sign in again)."""
        result = self.login(username, password)
        assert result["token"], result
        self.tokens[username] = result["token"]
        self.issued[username] = time.monotonic()
        self.passwords[username] = password
        return str(result["token"])


@pytest.fixture(scope="session")
def gql(client: TestClient) -> GraphQL:
    return GraphQL(client)


def run(coro: Any) -> Any:
    """Run a coroutine from a synchronous test."""
    return asyncio.run(coro)
