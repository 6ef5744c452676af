"""A write that posts several balances locks them in part order, whatever the order of its
lines: two writes naming the same parts in opposite orders deadlocked (a consumption did on
one van; transfers out of one warehouse could). Checked on PostgreSQL with the balance of the
later part held: while the write waits for it, the earlier part's must be locked already."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.discrepancy_world import site_with_van, token
from tests.api.held_writes import race
from tests.api.stock_world import good_balance, new_part, warehouse
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.dispatch_site import stock_van
from tests.factories import raw_id, unique
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models import StockBalance
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")


def _locked_first(
    database_url: str,
    gql: GraphQL,
    user: str,
    at: str,
    parts: tuple[str, str],
    document: str,
    variables: dict[str, Any],
) -> tuple[Any, bool]:
    """``document``'s answer while the balance of part B at warehouse ``at`` is held, and
    whether part A's was locked already while the write waited for it."""
    part_a, part_b = parts
    seen: list[bool] = []

    async def hold(session: AsyncSession) -> None:
        await session.execute(good_balance(at, part_b, StockBalance.id).with_for_update())

    async def probe() -> None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as other, other.begin():
                try:
                    await other.execute(
                        good_balance(at, part_a, StockBalance.id).with_for_update(nowait=True)
                    )
                    seen.append(False)
                except DBAPIError:
                    seen.append(True)
        finally:
            await engine.dispose()

    answer = race(database_url, gql, user, hold, document, variables, probe)
    assert len(seen) == 1
    return answer, seen[0]


def _two_parts(database_url: str) -> tuple[str, str]:
    """Two new parts, A and B, in id order."""
    first, second = new_part(database_url), new_part(database_url)
    return min(first, second), max(first, second)


def _b_then_a(parts: tuple[str, str], quantity: int = 1) -> list[dict[str, Any]]:
    return [{"partId": global_id("Part", p), "quantity": quantity} for p in reversed(parts)]


def test_a_consumption_locks_its_parts_balances_in_part_order(
    database_url: str, gql: GraphQL
) -> None:
    parts = _two_parts(database_url)
    s, job, van = site_with_van(database_url, parts[0], 3)
    stock_van(s, "a", parts[1], 3)
    engineer = s.usernames["a"]
    token(gql, engineer)
    lines = _b_then_a(parts)
    consumed = {"jobId": global_id("Job", job), "lines": lines, "clientId": unique("o")}
    answer, a_first = _locked_first(
        database_url, gql, engineer, van, parts, doc("ConsumeParts"), {"input": consumed}
    )
    assert answer["data"]["consumeParts"]["errors"] == []
    assert a_first


def test_a_transfer_locks_its_sources_balances_in_part_order(
    database_url: str, gql: GraphQL
) -> None:
    parts = _two_parts(database_url)
    hq, sh = warehouse(database_url, "WH-HQ"), warehouse(database_url, "WH-SH")
    received = {"kind": "RECEIPT", "toWarehouseId": hq, "lines": _b_then_a(parts, 2)}
    ok(payload(gql, "MoveStock", {"input": received}, "hq"))
    shipped: dict[str, Any] = {"kind": "TRANSFER", "fromWarehouseId": hq, "toWarehouseId": sh}
    shipped["lines"] = _b_then_a(parts)
    answer, a_first = _locked_first(
        database_url, gql, "hq", raw_id(hq), parts, doc("MoveStock"), {"input": shipped}
    )
    assert answer["data"]["moveStock"]["errors"] == []
    assert a_first
