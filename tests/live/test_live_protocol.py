"""The graphql-transport-ws protocol on /graphql, against a real uvicorn server in this
process (the in-process bus: no Redis), with a raw WebSocket client."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import make_settings
from tests.live.test_live_redis import scope_scenario
from tests.live.world import Api, World, doc, gid, make_world, thread_server, ws_url
from wellspring.api.app import create_app
from wellspring.api.subscriptions import MAX_SUBSCRIPTIONS
from wellspring.i18n import message

PROTOCOL = "graphql-transport-ws"


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    settings = make_settings(database_url, ws_init_timeout_seconds=0.5, ws_recheck_seconds=0.5)
    app = create_app(settings)
    with thread_server(app) as base:
        yield base


@pytest.fixture(scope="module")
def world(database_url: str) -> World:
    return make_world(database_url)


async def _open(base: str, protocol: bool = True) -> ClientConnection:
    subprotocols: Any = [PROTOCOL] if protocol else None
    return await connect(ws_url(base), subprotocols=subprotocols, open_timeout=10)


async def _send(ws: ClientConnection, body: dict[str, Any]) -> None:
    await ws.send(json.dumps(body))


async def _recv(ws: ClientConnection, wait: float = 10) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return answer


async def _drain(ws: ClientConnection) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), 5)


async def _closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        await _drain(ws)
    return ws.close_code


async def _acked(base: str, token: str, key: str = "Authorization") -> ClientConnection:
    ws = await _open(base)
    await _send(ws, {"type": "connection_init", "payload": {key: f"Bearer {token}"}})
    assert await _recv(ws) == {"type": "connection_ack"}
    return ws


def _subscribe(op_id: str, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": op_id,
        "type": "subscribe",
        "payload": {"query": doc(name), "variables": variables, "operationName": name},
    }


def test_the_close_codes_of_the_protocol(server: str) -> None:
    token = Api(server).token("clerk-sh")

    async def scenario() -> None:
        ws = await _open(server, protocol=False)  # no subprotocol: not ours
        assert await _closed_with(ws) == 4406
        ws = await _open(server)  # subscribe before connection_init
        await _send(ws, _subscribe("1", "MyJobEvents", {}))
        assert await _closed_with(ws) == 4401
        ws = await _open(server)  # a bad token
        await _send(ws, {"type": "connection_init", "payload": {"Authorization": "Bearer x.y"}})
        assert await _closed_with(ws) == 4401
        ws = await _open(server)  # no init at all within the (test's short) timeout
        assert await _closed_with(ws) == 4408
        ws = await _open(server)  # not a message of the protocol
        await _send(ws, {"type": "hello"})
        assert await _closed_with(ws) == 4400
        ws = await _acked(server, token, "authorization")  # a second init
        await _send(ws, {"type": "connection_init"})
        assert await _closed_with(ws) == 4429
        ws = await _acked(server, token)  # larger than a request body may be
        await ws.send(" " * 1_100_000)
        assert await _closed_with(ws) == 1009
        ws = await _open(server)  # a binary frame is not a message of the protocol
        await ws.send(b"\x00")
        assert await _closed_with(ws) == 4400

    asyncio.run(scenario())


def test_ping_pong_complete_errors_and_a_duplicate_id(server: str, world: World) -> None:
    token = Api(server).token("clerk-sh")

    async def scenario() -> None:
        ws = await _acked(server, token)
        await _send(ws, {"type": "ping"})
        assert await _recv(ws) == {"type": "pong"}
        await _send(ws, {"type": "pong"})  # unasked pongs are fine
        # An invalid document: an `error` message with GraphQL errors, the socket stays.
        bad = {"id": "x", "type": "subscribe", "payload": {"query": "subscription { nope }"}}
        await _send(ws, bad)
        answer = await _recv(ws)
        assert (answer["type"], answer["id"]) == ("error", "x")
        assert answer["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        # A query is not a subscription.
        # A query or a mutation is not a subscription: told in Chinese words only.
        for text in ("{ me { id } }", "mutation { logout { ok } }"):
            await _send(ws, {"id": "q", "type": "subscribe", "payload": {"query": text}})
            (error,) = (await _recv(ws))["payload"]
            assert error["extensions"] == {"code": "BAD_REQUEST"}
            assert "订阅" in error["message"]
            assert not re.search("[A-Za-z]", error["message"])
        # Another branch's board: refused, as `next` with the error, then `complete`.
        await _send(ws, _subscribe("bj", "BoardEvents", {"branchId": gid("Branch", world.bj)}))
        refused = await _recv(ws)
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await _recv(ws) == {"id": "bj", "type": "complete"}
        # A bad cursor is the subscribe's error too.
        variables = {"branchId": gid("Branch", world.sh), "after": "not-a-cursor"}
        await _send(ws, _subscribe("c", "BoardEvents", variables))
        refused = await _recv(ws)
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
        await _recv(ws)
        # The board, completed by the client (no answer), then the id is free again.
        await _send(ws, _subscribe("1", "BoardEvents", {"branchId": gid("Branch", world.sh)}))
        await _send(ws, {"id": "1", "type": "complete"})
        await _send(ws, _subscribe("1", "BoardEvents", {"branchId": gid("Branch", world.sh)}))
        await _send(ws, _subscribe("1", "BoardEvents", {"branchId": gid("Branch", world.sh)}))
        assert await _closed_with(ws) == 4409

    asyncio.run(scenario())


def test_a_connection_ends_when_its_session_is_signed_out(server: str) -> None:
    api = Api(server)
    login = api.post(doc("Login"), {"username": "tech-sh-2", "password": "demo"})
    token = login["data"]["login"]["token"]  # its own session, not the shared token's

    async def scenario() -> None:
        ws = await _acked(server, token)
        await _send(ws, {"type": "ping"})
        assert await _recv(ws) == {"type": "pong"}
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": doc("Logout"), "variables": {}}
        await asyncio.to_thread(httpx.post, f"{server}/graphql", json=body, headers=headers)
        assert await _closed_with(ws) == 4401

    asyncio.run(scenario())


def test_the_three_subscriptions_in_one_process_hear_within_scope(
    server: str, world: World, database_url: str
) -> None:
    scope_scenario(server, server, world, database_url)


def test_a_position_reaches_the_board_through_the_in_process_bus(server: str, world: World) -> None:
    api = Api(server)
    clerk, other = api.token("clerk-sh"), api.token("clerk-bj")
    board = {"branchId": gid("Branch", world.sh)}

    async def scenario() -> None:
        ws = await _acked(server, clerk)
        await _send(ws, _subscribe("b", "BoardEvents", board))
        bj = await _acked(server, other)
        await _send(bj, _subscribe("b", "BoardEvents", {"branchId": gid("Branch", world.bj)}))
        await asyncio.sleep(0.3)  # both subscribed before the commit
        position = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 12.0}
        await asyncio.to_thread(api.data, doc("UpdateLocation"), position, "tech-sh-1")
        event = (await _recv(ws))["payload"]["data"]["boardEvents"]
        assert event["kind"] == "ENGINEER_POSITION"
        assert event["technicianId"] == gid("Technician", world.tech1)
        assert (event["latitude"], event["accuracy"], event["cursor"]) == (31.2304, 12.0, None)
        with pytest.raises(TimeoutError):  # another branch's clerk hears nothing
            await _recv(bj, wait=1.0)

    asyncio.run(scenario())


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_types = st.sampled_from(
    ["connection_init", "ping", "pong", "subscribe", "complete", "next", "error", "x"]
)
_query = st.sampled_from(
    [doc("BoardEvents"), doc("MyJobEvents"), doc("VisitEvents"), "subscription {", "{ me { id } }"]
) | st.text(max_size=40)
_message = st.fixed_dictionaries(
    {"type": _types},
    optional={
        "id": st.text(max_size=6) | _json,
        "payload": st.fixed_dictionaries(
            {},
            optional={"query": _query, "variables": _json, "operationName": _json},
        )
        | _json,
    },
)
_frame = _message.map(json.dumps) | st.text(max_size=60) | st.binary(max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(signed_in=st.booleans(), frames=st.lists(_frame, min_size=1, max_size=4))
def test_arbitrary_frames_never_break_the_server(
    server: str, world: World, signed_in: bool, frames: list[Any]
) -> None:
    token = Api(server).token("clerk-sh")

    async def scenario() -> None:
        ws = await _open(server)
        try:
            if signed_in:
                await _send(
                    ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
                assert await _recv(ws) == {"type": "connection_ack"}
            for frame in frames:
                await ws.send(frame)
            while True:
                answer = await asyncio.wait_for(ws.recv(), 0.5)
                assert "INTERNAL_ERROR" not in str(answer)
        except (TimeoutError, ConnectionClosed):
            pass
        finally:
            await ws.close()
        assert ws.close_code != 1011

    asyncio.run(scenario())


def test_odd_strings_and_mistyped_variables_get_the_protocols_answers(
    server: str, world: World
) -> None:
    """Unpaired surrogates (JSON's ``\\ud800``, which no encoder takes), mistyped variables
    and a long id of Chinese characters: each gets its code, never a dropped socket (1006) nor
    INTERNAL_ERROR."""
    token = Api(server).token("clerk-sh")

    async def scenario() -> None:
        for payload in ({"Authorization": "Bearer \ud800"}, {"trackingToken": "t\udfff"}):
            ws = await _open(server)
            await _send(ws, {"type": "connection_init", "payload": payload})
            assert await _closed_with(ws) == 4401
        ws = await _acked(server, token)
        await _send(ws, _subscribe("typed", "MyJobEvents", {"after": 5}))
        answer = await _recv(ws)
        assert (answer["type"], answer["id"]) == ("error", "typed")
        assert answer["payload"][0]["extensions"]["code"] == "VARIABLE_INVALID"
        await _send(ws, _subscribe("odd", "MyJobEvents", {"after": "x\ud800"}))
        answer = await _recv(ws)
        assert answer["payload"] == [
            {
                "message": message("INVALID_CHARACTER", "zh-CN", field="after"),
                "extensions": {"code": "INVALID_CHARACTER", "field": "after"},
            }
        ]
        deep: Any = "x"
        for _ in range(20):
            deep = [deep]
        await _send(ws, _subscribe("deep", "MyJobEvents", {"after": deep}))
        answer = await _recv(ws)
        assert answer["payload"][0]["extensions"] == {"code": "BAD_REQUEST"}
        long_id = "订" * 64  # the close reason names it: 192 bytes, past a reason's 123
        board = {"branchId": gid("Branch", world.sh)}  # the clerk's own: it stays open
        await _send(ws, _subscribe(long_id, "BoardEvents", board))
        await _send(ws, _subscribe(long_id, "BoardEvents", board))
        assert await _closed_with(ws) == 4409
        ws = await _acked(server, token)
        await _send(ws, _subscribe("\ud800", "MyJobEvents", {}))  # an id no answer can name
        assert await _closed_with(ws) == 4400

    asyncio.run(scenario())


def test_a_socket_runs_a_bounded_number_of_subscriptions(server: str, world: World) -> None:
    """One past the bound is refused with its code; the others run on, and completing one
    makes room."""
    token = Api(server).token("clerk-sh")
    board = {"branchId": gid("Branch", world.sh)}

    async def scenario() -> None:
        ws = await _acked(server, token)
        for n in range(MAX_SUBSCRIPTIONS):
            await _send(ws, _subscribe(f"s{n}", "BoardEvents", board))
        await _send(ws, _subscribe("over", "BoardEvents", board))
        answer = await _recv(ws)
        assert (answer["type"], answer["id"]) == ("error", "over")
        assert answer["payload"][0]["extensions"] == {
            "code": "TOO_MANY_SUBSCRIPTIONS",
            "maximum": MAX_SUBSCRIPTIONS,
        }
        await _send(ws, {"id": "s0", "type": "complete"})
        await _send(ws, _subscribe("room", "BoardEvents", board))
        await _send(ws, {"type": "ping"})
        assert await _recv(ws) == {"type": "pong"}  # no error for "room" came before it
        await ws.close()

    asyncio.run(scenario())
