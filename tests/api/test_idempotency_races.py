"""Two requests with one ``idempotencyKey`` at the same moment (a phone's retry racing its own
first send): one thing is made and both are answered with it (docs/api.md, "Retries").

Made certain: another transaction holds a row both requests need after they looked their key
up (and found nothing), until both wait on it; then both go on together. The one that writes
its key second meets the other's at the unique index, runs again (``db.lost_race``) and
finds it. Only PostgreSQL lets two writers overlap (SQLite serialises them)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import WAIT_SECONDS
from tests.api.stock_world import new_part, warehouse
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL, make_settings
from tests.e2e.live import http, live_server
from tests.factories import raw_id, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")


def both_at_once(
    database_url: str,
    gql: GraphQL,
    user: str,
    hold: Callable[[AsyncSession], Awaitable[Any]],
    document: str,
    variables: dict[str, Any],
) -> list[Any]:
    """The answers to ``document`` sent twice at once, both let go together once both wait
    on what ``hold`` holds."""
    headers = {"Authorization": f"Bearer {gql.token(user)}", "Accept-Language": "en"}
    body = {"query": document, "variables": variables}

    async def go(base: str) -> list[Any]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as holder:
                await holder.begin()
                await hold(holder)
                sent = [
                    asyncio.ensure_future(
                        asyncio.to_thread(http, "POST", f"{base}/graphql", body, headers)
                    )
                    for _ in range(2)
                ]
                await _until_waiting(holder, 2)
                await holder.commit()
                return list(await asyncio.gather(*sent))
        finally:
            await engine.dispose()

    with live_server(make_settings(database_url)) as base:
        answers = asyncio.run(go(base))
    for status, answer in answers:
        assert status == 200, answer
        assert "errors" not in answer, answer
    return [next(iter(answer["data"].values())) for _status, answer in answers]


async def _until_waiting(holder: AsyncSession, count: int) -> None:
    """Until ``count`` other backends of this database wait on a lock."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database() AND pid <> pg_backend_pid()"
    )
    fresh = text("SELECT pg_stat_clear_snapshot()")
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while (await holder.execute(fresh)) and (await holder.scalar(waiting) or 0) < count:
        assert asyncio.get_running_loop().time() < deadline, "the requests never both waited"
        await asyncio.sleep(0.05)


def _raced(caplog: pytest.LogCaptureFixture) -> bool:
    return any("lost a race" in r.getMessage() for r in caplog.records)


def test_one_call_back_sent_twice_at_once_with_its_key_is_one_attempt(
    database_url: str, gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    """Both wait on the missed call's row: the second records its attempt once the first
    committed, then meets the first's key."""
    called = {"callId": unique("race"), "callerNumber": "021 6999 0003",
              "calledAt": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    call = ok(payload(gql, "RecordMissedCall", {"input": called}, "hotline"))["missedCall"]["id"]

    async def hold(session: AsyncSession) -> None:
        held = select(m.MissedCall).where(m.MissedCall.id == raw_id(call)).with_for_update()
        assert (await session.execute(held)).scalar_one() is not None

    attempt = {"missedCallId": call, "outcome": "NO_ANSWER", "idempotencyKey": unique("cb")}
    with caplog.at_level(logging.WARNING):
        first, second = both_at_once(
            database_url, gql, "hotline", hold, doc("RecordCallback"), {"input": attempt}
        )
    assert first["errors"] == second["errors"] == []
    assert first == second
    assert (first["missedCall"]["attempts"], first["missedCall"]["status"]) == (1, "OPEN")
    made = select(func.count()).where(m.CallbackAttempt.missed_call_id == raw_id(call))
    assert scalars(database_url, made) == [1]
    assert _raced(caplog)  # the second did meet the first's key, and ran again


def test_one_receipt_sent_twice_at_once_with_its_key_is_made_once(
    database_url: str, gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    """Both wait on the warehouse, then go on side by side (each holds it FOR SHARE)."""
    hq, part_raw = warehouse(database_url, "WH-HQ"), new_part(database_url)
    note = unique("入库")

    async def hold(session: AsyncSession) -> None:
        held = select(m.Warehouse).where(m.Warehouse.id == raw_id(hq)).with_for_update()
        assert (await session.execute(held)).scalar_one() is not None

    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": hq,
        "lines": [{"partId": global_id("Part", part_raw), "quantity": 3}],
        "note": note,
        "idempotencyKey": unique("receipt"),
    }
    with caplog.at_level(logging.WARNING):
        first, second = both_at_once(
            database_url, gql, "hq", hold, doc("MoveStock"), {"input": receipt}
        )
    assert first["errors"] == second["errors"] == []
    assert first == second
    made = select(func.count()).where(m.StockMovement.note == note)
    assert scalars(database_url, made) == [1]
    held = select(m.StockBalance.quantity).where(
        m.StockBalance.part_id == part_raw, m.StockBalance.warehouse_id == raw_id(hq)
    )
    assert scalars(database_url, held) == [3]
    assert _raced(caplog)
