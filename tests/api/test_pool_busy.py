"""Every pooled connection in use: the answer is 503 SERVICE_BUSY with Retry-After, in each
door's error shape and language, never a 500 or INTERNAL_ERROR (issue 19 §4)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import BACKEND, GraphQL, make_settings
from tests.live.world import doc
from wellspring.api.app import create_app
from wellspring.api.subscriptions import PROTOCOL

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


def test_a_subscription_that_finds_no_free_connection_is_told_to_retry(database_url: str) -> None:
    """Over the WebSocket: a subscribe meeting a full pool gets SERVICE_BUSY, not
    INTERNAL_ERROR (the connection stays open), and a connection_init meeting one is closed
    1013 "Try Again Later"."""
    settings = make_settings(
        database_url,
        database_pool_size=1,
        database_max_overflow=0,
        database_pool_timeout_seconds=0.2,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        token = GraphQL(client).token("clerk-sh")
        branch = GraphQL(client).data("query { me { branch { id } } }", token=token)
        variables = {"branchId": branch["me"]["branch"]["id"]}
        subscribe = {
            "id": "board",
            "type": "subscribe",
            "payload": {"query": doc("BoardEvents"), "variables": variables},
        }
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        headers = {"Accept-Language": "zh-CN"}
        portal: Any = client.portal
        with client.websocket_connect("/graphql", [PROTOCOL], headers=headers) as ws:
            ws.send_json(init)
            assert ws.receive_json() == {"type": "connection_ack"}
            held = client.app.state.engine.connect()  # type: ignore[attr-defined]
            portal.call(held.start)
            try:
                ws.send_json(subscribe)
                answer = ws.receive_json()  # the opening checks' error: an execution result
                assert answer["type"] == "next", answer
                (error,) = answer["payload"]["errors"]
                assert error["extensions"] == {"code": "SERVICE_BUSY", "retryAfter": 5}
                assert ws.receive_json() == {"id": "board", "type": "complete"}
                assert "服务繁忙" in error["message"]
                ws.send_json({"type": "ping"})
                assert ws.receive_json() == {"type": "pong"}  # still open

                with client.websocket_connect("/graphql", [PROTOCOL]) as second:
                    second.send_json(init)
                    with pytest.raises(WebSocketDisconnect) as closed:
                        second.receive_json()
                    assert closed.value.code == 1013
            finally:
                portal.call(held.close)
