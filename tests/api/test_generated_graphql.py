"""Generated proof: schemathesis (GraphQL mode) sends queries and mutations built from
``schema.graphql`` to the in-process app, as an HQ user and as an engineer.

One run per test session feeds two tests: no answer may be a 5xx or carry INTERNAL_ERROR,
and no error message given under zh-CN may be English. The run has its own database, since
generated mutations change data (and may log the caller out: the token is then renewed).

``WELLSPRING_GENERATED_EXAMPLES`` sets the examples per user (default 150). The examples
are the same on every run (a failure in CI reproduces at once);
``WELLSPRING_GENERATED_EXPLORE=1`` draws new ones each run, to hunt for more.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from graphql_relay import to_global_id
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.conftest import GraphQL, _seed, make_database, make_settings
from wellspring.api import migrations
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory

EXAMPLES = int(os.environ.get("WELLSPRING_GENERATED_EXAMPLES", "150"))
EXPLORE = os.environ.get("WELLSPRING_GENERATED_EXPLORE") == "1"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
USERS = ("hq", "tech-sh-1")
# Node types whose real ids the generator may use, by model.
ID_SOURCES: dict[str, Any] = {
    "Customer": m.Customer,
    "Device": m.Device,
    "Ticket": m.Ticket,
    "Job": m.Job,
    "Branch": m.Branch,
    "Warehouse": m.Warehouse,
    "Part": m.Part,
    "DeviceModel": m.DeviceModel,
    "Technician": m.Technician,
    "AccountCard": m.AccountCard,
    "Address": m.Address,
    "FilterType": m.FilterType,
    "StockMovement": m.StockMovement,
}


@dataclass
class Record:
    user: str
    locale: str
    query: str
    status: int
    errors: list[dict[str, Any]]


@dataclass
class Run:
    records: list[Record] = field(default_factory=list)

    def statuses(self) -> Counter[int]:
        return Counter(r.status for r in self.records)


async def _real_ids(url: str) -> list[str]:
    """A few global ids of every kind, so generated arguments reach real rows."""
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


def _register_scalars(real_ids: list[str]) -> None:
    instants = st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)
    ).map(lambda d: d.isoformat())
    near = st.sampled_from(
        ["2026-12-03T09:00:00+08:00", "2026-12-03T18:00:00", "2026-12-04T08:30:00+08:00"]
    )
    schemathesis.graphql.scalar(
        "DateTime", st.one_of(near, instants, st.text(max_size=12)).map(nodes.String)
    )
    days = st.dates().map(lambda d: d.isoformat())
    schemathesis.graphql.scalar(
        "Date", st.one_of(st.just("2026-12-03"), days, st.text(max_size=10)).map(nodes.String)
    )
    schemathesis.graphql.scalar(
        "ID", st.one_of(st.sampled_from(real_ids), st.text(max_size=12)).map(nodes.String)
    )
    # Money in inputs (prices, credit limits): decimals written as strings, and junk.
    amounts = st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
    schemathesis.graphql.scalar(
        "Decimal", st.one_of(amounts, st.text(max_size=8)).map(nodes.String)
    )


def _errors(response: Any) -> list[dict[str, Any]]:
    """The GraphQL errors of an answer, and the payload errors ``{code, message}`` in its data
    (a payload error carries its code beside its message, not under ``extensions``)."""
    try:
        body = response.json()
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    found = list(body.get("errors") or [])
    stack = [body.get("data")]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("code"), str) and isinstance(value.get("message"), str):
                found.append({"message": value["message"], "extensions": {"code": value["code"]}})
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    url, drop = make_database(tmp_path_factory.mktemp("generated"), "generated")
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, 40))
        _register_scalars(asyncio.run(_real_ids(url)))
        schema = schemathesis.graphql.from_path(SCHEMA_FILE)
        results = list(schema.get_all_operations())
        broken = [result.err() for result in results if not isinstance(result, Ok)]
        assert not broken, broken
        operations = [result.ok() for result in results if isinstance(result, Ok)]
        strategy = st.one_of([operation.as_strategy() for operation in operations])
        run = Run()
        with TestClient(create_app(make_settings(url))) as client:
            gql = GraphQL(client)
            for user in USERS:
                _run_as(gql, user, strategy, run)
        yield run
    finally:
        drop()


def generated_settings(examples: int, explore: bool) -> settings:
    """A generated run's settings: ``examples`` requests, the same ones every run unless
    ``explore``, generated only (nothing to shrink towards: a request is sent once)."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not explore,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _run_as(gql: GraphQL, user: str, strategy: Any, run: Run) -> None:
    @generated_settings(EXAMPLES, EXPLORE)
    @given(case=strategy, locale=st.sampled_from(["zh-CN", "zh-CN", "en"]))
    def send(case: Any, locale: str) -> None:
        query = case.body if isinstance(case.body, str) else case.body["query"]
        response = gql.post(query, as_user=user, locale=locale)
        errors = _errors(response)
        if any(e.get("extensions", {}).get("code") == "UNAUTHENTICATED" for e in errors):
            gql.tokens.pop(user, None)  # a generated logout or revocation: sign in again
        run.records.append(Record(user, locale, query, response.status_code, errors))

    send()


def test_no_generated_request_gets_a_5xx_or_an_internal_error(generated_run: Run) -> None:
    records = generated_run.records
    assert len(records) >= EXAMPLES * len(USERS) * 0.9
    codes = Counter(e.get("extensions", {}).get("code") for r in records for e in r.errors)
    print(f"generated requests: {len(records)}; statuses: {dict(generated_run.statuses())}")
    print(f"error codes: {dict(codes.most_common())}")
    broken = [
        r
        for r in records
        if r.status >= 500
        or any(e.get("extensions", {}).get("code") == "INTERNAL_ERROR" for e in r.errors)
    ]
    assert broken == [], "\n\n".join(f"{r.user} {r.status}\n{r.query}" for r in broken[:5])
    # The run reached the resolvers, not only the validator.
    assert generated_run.statuses()[200] > len(records) // 4


# Proper names written as they are inside Chinese text: the global id's name and units.
ALLOWED_LATIN = frozenset({"ID", "JSON", "TDS", "pH"})
WORD = re.compile(r"[A-Za-z][A-Za-z'_-]*")
HAN = re.compile(r"[\u4e00-\u9fff]")


def english_words(text: str, request: str) -> list[str]:
    """Latin words of a message that are neither the client's own (echoed from its request:
    field names, values, ids) nor codes, nor the few proper names above."""
    words = []
    for word in WORD.findall(text):
        if word in ALLOWED_LATIN or word in request or (word.isupper() and "_" in word):
            continue
        words.append(word)
    return words


def test_every_message_under_zh_cn_is_chinese(generated_run: Run) -> None:
    seen = 0
    bad: list[str] = []
    for record in generated_run.records:
        if record.locale != "zh-CN":
            continue
        for error in record.errors:
            text = str(error.get("message", ""))
            seen += 1
            if not HAN.search(text) or english_words(text, record.query):
                bad.append(f"{text!r} for\n{record.query[:300]}")
    assert seen > 20, "the run produced too few errors to judge"
    assert bad == [], "\n\n".join(sorted(set(bad))[:8])


def test_the_english_word_check_can_fail() -> None:
    text = "当前状态（COMPLETED）下不能执行此操作（complete）。"
    assert english_words(text, "{ x }") == ["COMPLETED", "complete"]
    assert english_words("明细第1项的数量 必须大于 0。", "") == []
    assert english_words("类型 Query 上没有字段 foo", "{ foo }") == ["Query"]
