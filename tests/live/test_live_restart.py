"""A web process stopped as an orchestrator stops it (SIGTERM, graceful) closes its
subscriptions with 1012; the client reconnects to another process with its last cursor and
hears what was committed while it was away, nothing twice (raw graphql-transport-ws client)."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from tests.live.test_live_protocol import _acked, _closed_with, _recv, _send, _subscribe
from tests.live.test_live_redis import _fresh_tickets
from tests.live.world import Api, doc, gid, make_world, process_servers, stop_server


def test_a_graceful_stop_closes_with_1012_and_the_client_resumes_elsewhere(
    database_url: str,
) -> None:
    sh = gid("Branch", make_world(database_url).sh)
    tickets = [gid("Ticket", t) for t in asyncio.run(_fresh_tickets(database_url, 4))]

    def dispatch(api: Api, ticket: str) -> None:
        body = api.data(doc("DispatchTicket"), {"id": ticket, "branchId": sh}, "clerk-sh")
        assert not body["dispatchTicket"]["errors"], body

    async def hear(ws: Any, ticket: str) -> list[dict[str, Any]]:
        """Events until one about ``ticket`` (then what follows within half a second)."""
        heard: list[dict[str, Any]] = []
        while not any(e["ticketId"] == ticket for e in heard):
            heard.append((await _recv(ws, 20))["payload"]["data"]["boardEvents"])
        try:
            while True:
                heard.append((await _recv(ws, 0.5))["payload"]["data"]["boardEvents"])
        except TimeoutError:
            return heard

    with process_servers(database_url, 2) as (old, new):
        token = Api(new).token("clerk-sh")

        async def scenario() -> None:
            ws = await _acked(old, token)
            await _send(ws, _subscribe("b", "BoardEvents", {"branchId": sh}))
            await asyncio.sleep(0.5)  # subscribed
            await asyncio.to_thread(dispatch, Api(old), tickets[0])
            before = await hear(ws, tickets[0])
            stopping = asyncio.create_task(asyncio.to_thread(stop_server, old))
            assert await _closed_with(ws) == 1012
            # uvicorn re-raises the signal once it has shut down cleanly
            assert await stopping in (0, -signal.SIGTERM)
            for ticket in tickets[1:3]:  # while the client is away
                await asyncio.to_thread(dispatch, Api(new), ticket)
            again = await _acked(new, token)
            resumed = {"branchId": sh, "after": before[-1]["cursor"]}
            await _send(again, _subscribe("b", "BoardEvents", resumed))
            after = await hear(again, tickets[2])
            await asyncio.to_thread(dispatch, Api(new), tickets[3])  # live, after the replay
            after += await hear(again, tickets[3])
            await again.close()
            ids = [e["id"] for e in before + after]
            assert len(set(ids)) == len(ids), "an event heard twice"
            assert {e["ticketId"] for e in before} == {tickets[0]}
            assert [e["ticketId"] for e in after if e["kind"] == "JOB_CREATED"] == tickets[1:]

        asyncio.run(scenario())
