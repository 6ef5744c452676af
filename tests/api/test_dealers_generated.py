"""Generated proof for the dealer operations (issue 18): schemathesis builds queries and
mutations of Agents, AgentOrders, TerritoryConflicts, PriceStandards, UpsertAgent,
PlaceAgentOrder, ConfirmAgentOrder, ShipAgentOrder, CancelAgentOrder, UpsertPriceStandard,
AgentPayments, StockLedger and RecordAgentPayment from ``schema.graphql`` and sends them as
HQ and as an agent. No answer may be a 5xx or carry INTERNAL_ERROR, and every message under
zh-CN is Chinese. Its own small database, since generated mutations change data.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from graphql_relay import to_global_id
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.test_generated_graphql import (
    HAN,
    SCHEMA_FILE,
    Record,
    Run,
    _errors,
    _register_scalars,
    english_words,
)
from tests.conftest import GraphQL, _seed, make_database, make_settings
from wellspring.api import migrations
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory

EXAMPLES = int(os.environ.get("WELLSPRING_DEALER_EXAMPLES", "25"))
USERS = ("hq", "agent-1")
OPERATIONS = {
    "Query.agents",
    "Query.agentOrders",
    "Query.territoryConflicts",
    "Query.priceStandards",
    "Mutation.upsertAgent",
    "Mutation.placeAgentOrder",
    "Mutation.confirmAgentOrder",
    "Mutation.shipAgentOrder",
    "Mutation.cancelAgentOrder",
    "Mutation.upsertPriceStandard",
    "Query.agentPayments",
    "Query.stockLedger",
    "Mutation.recordAgentPayment",
}
ID_SOURCES: dict[str, Any] = {
    "Agent": m.Agent,
    "AgentOrder": m.AgentOrder,
    "PriceStandard": m.PriceStandard,
    "Branch": m.Branch,
    "Warehouse": m.Warehouse,
    "Part": m.Part,
    "DeviceModel": m.DeviceModel,
    "AgentPayment": m.AgentPayment,
}
PLACE = """mutation($input: PlaceAgentOrderInput!) {
  placeAgentOrder(input: $input) { order { id } errors { code } }
}"""


async def _ids(url: str) -> list[str]:
    engine = create_engine(url)
    found: list[str] = []
    try:
        async with session_factory(engine)() as session:
            for type_name, model in ID_SOURCES.items():
                rows = (await session.execute(select(model.id).limit(4))).scalars()
                found.extend(to_global_id(type_name, row) for row in rows)
    finally:
        await engine.dispose()
    return found


@pytest.fixture(scope="module")
def dealer_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    url, drop = make_database(tmp_path_factory.mktemp("dealers"), "dealers")
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, 40))
        schema = schemathesis.graphql.from_path(SCHEMA_FILE)
        operations = [
            result.ok()
            for result in schema.get_all_operations()
            if isinstance(result, Ok) and result.ok().label in OPERATIONS
        ]
        assert {operation.label for operation in operations} == OPERATIONS
        strategy = st.one_of([operation.as_strategy() for operation in operations])
        run = Run()
        with TestClient(create_app(make_settings(url))) as client:
            gql = GraphQL(client)
            _place_one(gql, url)  # so that real ids include an agent's order
            _register_scalars(asyncio.run(_ids(url)))
            for user in USERS:
                _run_as(gql, user, strategy, run)
        yield run
    finally:
        drop()


def _place_one(gql: GraphQL, url: str) -> None:
    async def a_part() -> str:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return str((await session.execute(select(m.Part.id).limit(1))).scalar_one())
        finally:
            await engine.dispose()

    line = {"item": "PART", "quantity": 1, "partId": to_global_id("Part", asyncio.run(a_part()))}
    placed = gql.data(PLACE, {"input": {"lines": [line]}}, as_user="agent-1")["placeAgentOrder"]
    assert placed["errors"] == []


def _run_as(gql: GraphQL, user: str, strategy: Any, run: Run) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, locale=st.sampled_from(["zh-CN", "en"]))
    def send(case: Any, locale: str) -> None:
        query = case.body if isinstance(case.body, str) else case.body["query"]
        response = gql.post(query, as_user=user, locale=locale)
        run.records.append(Record(user, locale, query, response.status_code, _errors(response)))

    send()


def test_no_generated_dealer_request_gets_a_5xx_or_an_internal_error(dealer_run: Run) -> None:
    records = dealer_run.records
    assert len(records) >= EXAMPLES * len(USERS) * 0.9
    broken = [
        r
        for r in records
        if r.status >= 500
        or any(e.get("extensions", {}).get("code") == "INTERNAL_ERROR" for e in r.errors)
    ]
    assert broken == [], "\n\n".join(f"{r.user} {r.status}\n{r.query}" for r in broken[:5])
    assert dealer_run.statuses()[200] > len(records) // 4


def test_every_dealer_message_under_zh_cn_is_chinese(dealer_run: Run) -> None:
    bad = [
        f"{error.get('message')!r} for {record.query[:200]}"
        for record in dealer_run.records
        if record.locale == "zh-CN"
        for error in record.errors
        if not HAN.search(str(error.get("message", "")))
        or english_words(str(error.get("message", "")), record.query)
    ]
    assert bad == [], "\n".join(sorted(set(bad))[:8])
