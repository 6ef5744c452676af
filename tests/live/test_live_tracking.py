"""A customer's tracking link on the live door (issues 16 and 17): the page's socket sends
``{"trackingToken": ...}`` and hears that one visit, nothing else, until the link ends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import make_settings
from tests.live.world import Api, doc, gid, make_world, thread_server, ws_url
from wellspring.api.app import create_app

PROTOCOL = "graphql-transport-ws"


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    settings = make_settings(database_url, ws_init_timeout_seconds=2, ws_recheck_seconds=0.5)
    with thread_server(create_app(settings)) as base:
        yield base


async def _recv(ws: ClientConnection, wait: float = 10) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return answer


async def _linked(base: str, token: str) -> ClientConnection:
    ws = await connect(ws_url(base), subprotocols=[PROTOCOL], open_timeout=10)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"trackingToken": token}}))
    return ws


def _subscribe(op_id: str, name: str, variables: dict[str, Any]) -> str:
    payload = {"query": doc(name), "variables": variables, "operationName": name}
    return json.dumps({"id": op_id, "type": "subscribe", "payload": payload})


async def _skip_completes(ws: ClientConnection) -> None:
    """Read the ``complete`` frames that may follow the refusals, until a short silence."""
    while True:
        try:
            frame = await _recv(ws, 0.3)
        except TimeoutError:
            return
        assert frame["type"] == "complete", frame


async def _drain(ws: ClientConnection) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), 10)


async def _closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        await _drain(ws)
    return ws.close_code


def _refused(frame: dict[str, Any], op_id: str, code: str) -> bool:
    """A refusal before any event: an ``error`` frame, or a ``next`` carrying only errors
    (then ``complete``), naming ``code``."""
    if frame["id"] != op_id:
        return False
    if frame["type"] == "next":
        data = frame["payload"].get("data") or {}
        return not any(data.values()) and code in json.dumps(frame["payload"]["errors"])
    return frame["type"] == "error" and code in json.dumps(frame)


def _share(api: Api, ticket: str) -> str:
    data = api.data(doc("ShareTrackingLink"), {"input": {"ticketId": ticket}}, "clerk-sh")
    payload = data["shareTrackingLink"]
    assert payload["errors"] == []
    return str(payload["url"]).rstrip("/").rsplit("/", 1)[-1]


def test_a_link_hears_its_own_visit_only_and_ends_with_the_link(
    server: str, database_url: str
) -> None:
    api = Api(server)
    world = make_world(database_url)
    mine = gid("Ticket", world.customer_ticket)
    other = gid("Ticket", make_world(database_url).customer_ticket)  # the same customer's
    token = _share(api, mine)

    async def scenario() -> None:
        bad = await _linked(server, "not-a-link")
        assert await _closed_with(bad) == 4401

        ws = await _linked(server, token)
        assert await _recv(ws) == {"type": "connection_ack"}
        await ws.send(_subscribe("board", "BoardEvents", {"branchId": gid("Branch", world.sh)}))
        assert _refused(await _recv(ws), "board", "FORBIDDEN")
        await _skip_completes(ws)
        await ws.send(_subscribe("other", "VisitEvents", {"ticketId": other}))
        assert _refused(await _recv(ws), "other", "NOT_FOUND")
        await _skip_completes(ws)
        await ws.send(_subscribe("visit", "VisitEvents", {"ticketId": mine}))
        await asyncio.sleep(0.5)  # subscribed before the change is made
        await asyncio.to_thread(
            api.data, doc("ApproveTicket"), {"id": mine}, "clerk-sh"
        )  # the other ticket changes too: the link must not tell
        await asyncio.to_thread(api.data, doc("ApproveTicket"), {"id": other}, "clerk-sh")
        heard = await _recv(ws)
        while heard.get("type") == "complete":
            heard = await _recv(ws)
        assert heard["id"] == "visit"
        assert heard["type"] == "next"
        event = heard["payload"]["data"]["visitEvents"]
        assert event["ticketId"] == mine
        assert event["kind"] == "TICKET_STATUS_CHANGED"
        revoked = await asyncio.to_thread(
            api.data, doc("RevokeTrackingLinks"), {"input": {"ticketId": mine}}, "clerk-sh"
        )
        assert revoked["revokeTrackingLinks"]["revokedCount"] == 1
        while True:  # anything already said may come first; then the socket ends
            try:
                frame = await _recv(ws)
            except ConnectionClosed:
                break
            assert (
                frame.get("payload", {})
                .get("data", {})
                .get("visitEvents", {})
                .get("ticketId", mine)
                == mine
            )
        assert ws.close_code == 4401

    asyncio.run(scenario())
