"""Generated pulls: arbitrary JSON bodies, envelopes close to the protocol, odd installation
ids and raw bytes thrown at ``POST /sync/pull`` (pushes have their own fuzz,
``test_sync_fuzz.py``). Whatever a phone sends, the answer is a 200 in WatermelonDB's shape or
a 4xx with a localized code, never a 5xx.

``WELLSPRING_SYNC_FUZZ_EXAMPLES`` scales the run (default 25, as for pushes).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.api.test_sync_fuzz import HUGE, JSON
from tests.conftest import GraphQL
from wellspring.i18n import MESSAGES
from wellspring.mobile_sync.tables import TABLES

EXAMPLES = int(os.environ.get("WELLSPRING_SYNC_FUZZ_EXAMPLES", "25"))
STATUSES: Counter[int] = Counter()
CODES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    yield
    print(f"\npull fuzz: statuses {dict(sorted(STATUSES.items()))}, codes {dict(CODES)}")


NAMES = st.sampled_from([*TABLES, "no_such_table", "jobs; drop", ""])
COLUMNS = st.sampled_from(["id", "status", "job_id", "no_such_column", "", "x" * 200])
CURSORS = (
    st.none()
    | st.integers(-5, 5)
    | st.integers(1, 2**53)
    | HUGE
    | st.floats()
    | st.booleans()
    | st.text(max_size=5)
)


@st.composite
def migrations(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(JSON)
    return {
        "from": draw(st.integers(-1, 3) | JSON),
        "tables": draw(st.none() | st.lists(NAMES, max_size=3) | JSON),
        "columns": draw(
            st.none()
            | st.lists(
                st.fixed_dictionaries(
                    {"table": NAMES | JSON, "columns": st.lists(COLUMNS, max_size=3) | JSON}
                ),
                max_size=2,
            )
            | JSON
        ),
    }


@st.composite
def envelopes(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)  # anything at all
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["lastPulledAt"] = draw(CURSORS)
    if draw(st.booleans()):
        body["schemaVersion"] = draw(st.sampled_from([1, 2]) | JSON)
    if draw(st.booleans()):
        body["migration"] = draw(st.none() | migrations())
    if draw(st.booleans()):
        body["unsyncedChanges"] = draw(st.booleans() | JSON)
    body.update(draw(st.dictionaries(st.text(max_size=6), JSON, max_size=2)))
    return body


INSTALLATIONS = st.sampled_from(["fuzz-phone-0001", "fuzz-phone-0002"]) | st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=80
)


@pytest.fixture(scope="module")
def token(gql: GraphQL) -> str:
    return gql.token("tech-sh-1")


def _check(response: Any) -> None:
    STATUSES[response.status_code] += 1
    assert response.status_code < 500, response.text[:500]
    body = json.loads(response.content)
    if response.status_code == 200:
        assert isinstance(body["timestamp"], int)
        assert body["timestamp"] > 0
        assert set(body["changes"]) <= set(TABLES)
        return
    code = body["error"]["code"]
    CODES[code] += 1
    assert code in MESSAGES, code
    assert body["error"]["message"]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=envelopes(), installation=INSTALLATIONS, locale=st.sampled_from(["zh-CN", "en"]))
def test_no_pull_body_gets_a_5xx(
    client: TestClient, token: str, body: Any, installation: str, locale: str
) -> None:
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Sync-Client": installation,
        "Accept-Language": locale,
        "Content-Type": "application/json",
    }
    # Written as Python writes JSON: the strategy draws infinities and NaN, which the test
    # client's own encoder refuses (a phone's JSON library may well send them).
    _check(client.post("/sync/pull", content=json.dumps(body).encode(), headers=headers))


@settings(max_examples=max(EXAMPLES // 2, 5), deadline=None, derandomize=True)
@given(raw=st.binary(max_size=200) | st.text(max_size=50).map(str.encode))
def test_no_raw_pull_bytes_get_a_5xx(client: TestClient, token: str, raw: bytes) -> None:
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Sync-Client": "fuzz-phone-raw1",
        "Content-Type": "application/json",
    }
    _check(client.post("/sync/pull", content=raw, headers=headers))


def test_the_generated_pulls_reach_every_answer(client: TestClient, token: str) -> None:
    """The generator is not vacuous: the same envelope space yields both 200s and refusals."""
    headers = {"Authorization": f"Bearer {token}", "X-Sync-Client": "fuzz-phone-0003"}
    ok = client.post("/sync/pull", json={"lastPulledAt": None}, headers=headers)
    refused = client.post("/sync/pull", json={"lastPulledAt": "soon"}, headers=headers)
    _check(ok)
    _check(refused)
    assert ok.status_code == 200
    assert refused.status_code == 400
