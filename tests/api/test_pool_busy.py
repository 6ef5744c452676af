"""Every pooled connection in use: the answer is 503 SERVICE_BUSY with Retry-After, in each
door's error shape and language, never a 500 or INTERNAL_ERROR (issue 19 §4)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import BACKEND, GraphQL, make_settings
from wellspring.api.app import create_app

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's pool")

ME = "query { me { username } }"


def test_a_request_that_finds_no_free_connection_is_told_to_retry(database_url: str) -> None:
    settings = make_settings(
        database_url,
        database_pool_size=1,
        database_max_overflow=0,
        database_pool_timeout_seconds=0.2,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        gql = GraphQL(client)
        token = gql.token("tech-sh-1")
        assert gql.post(ME, token=token).status_code == 200  # the pool's one connection works
        portal: Any = client.portal
        held = client.app.state.engine.connect()  # type: ignore[attr-defined]
        portal.call(held.start)  # the only connection, checked out and kept
        try:
            answer = gql.post(ME, token=token, locale="zh-CN")
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            (error,) = answer.json()["errors"]
            assert error["extensions"] == {"code": "SERVICE_BUSY"}
            assert "服务繁忙" in error["message"]
            assert "busy" not in error["message"]

            # Without a login the first connection is asked for inside a resolver.
            tracked = gql.post(
                'query { trackVisit(token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") { __typename } }'
            )
            assert tracked.status_code == 503, tracked.text
            assert tracked.json()["errors"][0]["extensions"]["code"] == "SERVICE_BUSY"

            pulled = client.post(
                "/sync/pull",
                json={"lastPulledAt": None, "schemaVersion": 1},
                headers={"Authorization": f"Bearer {token}", "X-Sync-Client": "busy-phone-1"},
            )
            assert pulled.status_code == 503, pulled.text
            assert pulled.json()["error"]["code"] == "SERVICE_BUSY"
        finally:
            portal.call(held.close)
        assert gql.post(ME, token=token).status_code == 200  # free again: served
