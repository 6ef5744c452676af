"""No failure of one request may break another's.

A report whose stored figures its GraphQL type could not serialize (a travel sum of ``inf``)
failed at once while its rows' engineers were still being read by a DataLoader batch; the
endpoint rolled back and closed the session under that batch, which then read on through it:
the failing request answered 500 (``IllegalStateChangeError``), and a connection stayed
checked out inside the batch's transaction, so that later, unrelated requests failed with
"cannot start a transaction within a transaction" or a reset connection. Likewise a download
whose client left mid-file had its session's close cancelled halfway.

Each test provokes such a failure, then makes ordinary requests on the same app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import graphene
import pytest
from graphql import GraphQLResolveInfo as ResolveInfo
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message

from tests.conftest import GraphQL, make_settings
from wellspring.api.app import auth_config
from wellspring.api.graphql_endpoint import GraphQLEndpoint
from wellspring.domain.db import create_engine, session_factory
from wellspring.schema.core.dataloaders import RequestLoader


class _SlowNames(RequestLoader[str, str]):
    """A batch that reads through the request's session twice, with a pause between."""

    def __init__(self, info: ResolveInfo) -> None:
        super().__init__()
        self.session = info.context.session

    async def batch_load_fn(self, keys: Sequence[str]) -> list[str]:
        await self.session.execute(text("SELECT 1"))
        await asyncio.sleep(0.05)
        await self.session.execute(text("SELECT 2"))
        return [key.upper() for key in keys]


class _Row(graphene.ObjectType):  # type: ignore[misc]
    name = graphene.String()
    figure = graphene.Float(required=True)  # inf fails when serialized, at once

    @staticmethod
    def resolve_name(root: dict[str, Any], info: ResolveInfo) -> Any:
        return info.context.loaders.keyed("names", lambda: _SlowNames(info)).load(root["key"])


class _Query(graphene.ObjectType):  # type: ignore[misc]
    rows = graphene.NonNull(graphene.List(graphene.NonNull(_Row)))
    answer = graphene.Int()

    @staticmethod
    def resolve_rows(_root: Any, _info: ResolveInfo) -> list[dict[str, Any]]:
        return [{"key": "a", "figure": 1.0}, {"key": "b", "figure": math.inf}]

    @staticmethod
    async def resolve_answer(_root: Any, info: ResolveInfo) -> Any:
        return await info.context.session.scalar(text("SELECT 42"))


@pytest.fixture
def small_app(database_url: str) -> Iterator[TestClient]:
    """The real GraphQL endpoint over the test database, with a schema that fails as above."""
    settings = make_settings(database_url)
    schema = graphene.Schema(query=_Query).graphql_schema
    endpoint = GraphQLEndpoint(schema, settings, auth_config(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(database_url)
        app.state.engine = engine
        app.state.session_factory = session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = Starlette(
        routes=[Route("/graphql", endpoint.handle, methods=["POST"])], lifespan=lifespan
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _post(client: TestClient, query: str) -> Any:
    return client.post("/graphql", json={"query": query})


def test_a_field_failing_at_once_waits_for_its_siblings_reads(
    small_app: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    pool = small_app.app.state.engine.sync_engine.pool  # type: ignore[attr-defined]
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        response = _post(small_app, "{ rows { name figure } }")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"] is None
        assert [e["path"] for e in body["errors"]] == [["rows", 1, "figure"]]
        # The batch the dropped sibling started is done with the session, not reading on.
        assert pool.checkedout() == 0
    for _ in range(10):
        assert _post(small_app, "{ answer }").json() == {"data": {"answer": 42}}
        assert pool.checkedout() == 0
    assert not [r for r in caplog.records if "non-checked-in" in r.getMessage()]
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


def test_a_pooled_connection_left_inside_a_transaction_is_never_handed_out(
    database_url: str,
) -> None:
    """Work that outlives its request may begin a transaction on a connection already back
    in the pool: the next request gets a fresh connection, not that one."""

    async def scenario() -> None:
        engine = create_engine(database_url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
            assert driver is not None
            await driver.execute("BEGIN")  # behind the pool's back, as a straggler would
            for _ in range(3):
                async with engine.begin() as conn:
                    assert await conn.scalar(text("SELECT 7")) == 7
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def _download_then_leave(client: TestClient, path: str, token: str) -> list[Message]:
    """What the app sends for a GET whose client is gone as soon as it asked."""
    sent: list[Message] = []

    async def receive() -> Message:
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        await asyncio.sleep(0.01)  # a slow network: the disconnect is seen mid-file

    async def call() -> None:
        target, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": target,
            "raw_path": target.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(call)
    return sent


@pytest.mark.parametrize("path", ["/export/customers.csv", "/export/tickets.csv"])
def test_a_download_left_midway_gives_its_connection_back(
    client: TestClient, gql: GraphQL, path: str
) -> None:
    pool = client.app.state.engine.sync_engine.pool  # type: ignore[attr-defined]
    token = gql.token("hq")
    for _ in range(3):
        sent = _download_then_leave(client, path, token)
        assert sent[0]["type"] == "http.response.start"
        assert sent[0]["status"] == 200
        assert pool.checkedout() == 0
    for _ in range(5):
        assert gql.data("query { me { username } }", as_user="hq")["me"]["username"] == "hq"
    assert pool.checkedout() == 0
