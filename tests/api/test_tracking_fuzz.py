"""Generated requests at every door a tracking link opens: arbitrary tokens, paths, query
strings and headers at ``/t/<token>`` and its state, arbitrary values at ``trackVisit``,
``rateVisit`` and ``requestVisitChange``. The answer is a page, a 304/404/429 or a GraphQL
answer with payload errors, never a 5xx or an INTERNAL_ERROR.

``WELLSPRING_TRACKING_FUZZ_EXAMPLES`` scales the run (default 40).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.tracking_world import customer_one, share, token_of, visit

EXAMPLES = int(os.environ.get("WELLSPRING_TRACKING_FUZZ_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REAL: dict[str, str] = {}


def _real_token(gql: GraphQL, database_url: str) -> str:
    """One working link (made once), so generated values also reach the real use cases."""
    if "token" not in REAL:
        ticket_id, _job = visit(gql, customer_one(database_url), upto="ArriveOnSite")
        REAL["token"] = token_of(share(gql, ticket_id)["url"])
    return REAL["token"]


TOKENS = (
    st.text(max_size=80)
    | st.from_regex(r"[A-Za-z0-9_-]{20,70}", fullmatch=True)
    | st.sampled_from(["", "..", "%00", "A" * 5000, "t/../../etc", "<script>", "\u4e2d\u6587"])
)
HEADER_VALUES = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
HEADERS = st.dictionaries(
    st.sampled_from(["Accept-Language", "If-None-Match", "Accept", "X-Forwarded-For", "Cookie"]),
    HEADER_VALUES,
    max_size=4,
)
QUERIES = st.dictionaries(st.sampled_from(["lang", "x", ""]), st.text(max_size=20), max_size=2)
SCALARS = (
    st.none()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has no infinity
    | st.text(max_size=30)
    | st.booleans()
)


@SETTINGS
@given(token=TOKENS, headers=HEADERS, query=QUERIES, state=st.booleans(), real=st.booleans())
def test_the_page_and_its_state_never_fail(
    gql: GraphQL,
    database_url: str,
    token: str,
    headers: dict[str, str],
    query: dict[str, str],
    state: bool,
    real: bool,
) -> None:
    if real:
        token = _real_token(gql, database_url)
    path = "/t/" + quote(token, safe="") + ("/state" if state else "")
    response = gql.client.get(path, params=query, headers=headers)
    assert response.status_code in (200, 304, 404, 405, 429), (path, response.status_code)
    assert "Traceback" not in response.text


@st.composite
def rating(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {
        "score": draw(st.integers(-10, 10) | st.integers()),
        "comment": draw(st.none() | st.text(max_size=1200)),
        "dissatisfaction": draw(st.none() | st.sampled_from(["OTHER", "PRICE"])),
    }
    door = draw(st.sampled_from(["token", "ticketId", "both", "neither"]))
    if door in ("token", "both"):
        values["token"] = draw(TOKENS)
    if door in ("ticketId", "both"):
        values["ticketId"] = draw(st.text(max_size=40))
    return {k: v for k, v in values.items() if v is not None or draw(st.booleans())}


@SETTINGS
@given(token=TOKENS, rate=rating(), raw=SCALARS, kind=st.sampled_from(["CANCEL", "NOPE", 3]))
def test_track_rate_and_ask_never_fail(
    gql: GraphQL, database_url: str, token: str, rate: dict[str, Any], raw: Any, kind: Any
) -> None:
    real = _real_token(gql, database_url)
    calls = [
        (doc("TrackVisit"), {"token": token}),
        (doc("TrackVisit"), {"token": raw}),
        (doc("RateVisit"), {"input": rate}),
        (doc("RateVisit"), {"input": {**rate, "token": real}}),
        (doc("RequestVisitChange"), {"input": {"token": token, "kind": kind, "note": raw}}),
    ]
    for query, variables in calls:
        response = gql.post(query, variables, locale="zh-CN")
        assert response.status_code in (200, 400), response.text
        body = response.json()
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
        assert "INTERNAL_ERROR" not in codes, body
