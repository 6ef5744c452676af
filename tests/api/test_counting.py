"""totalCount is bounded: a list counts at most COUNT_LIMIT rows and says when it stopped."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.api.seen import count_statements
from tests.conftest import GraphQL
from wellspring.domain import pagination

QUERY = """query($first: Int, $after: String) {
  customers(first: $first, after: $after) {
    totalCount totalCountExact pageInfo { hasNextPage endCursor } edges { node { id } }
  }
}"""


def _walk(gql: GraphQL) -> int:
    """Every customer hq can see, page by page (the truth the count is held against)."""
    seen, after = 0, None
    while True:
        page = gql.data(QUERY, {"first": 100, "after": after}, as_user="hq")["customers"]
        seen += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


def test_the_count_stops_at_the_limit_and_says_so(
    gql: GraphQL, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    everyone = _walk(gql)
    assert everyone > 5
    exact = gql.data(QUERY, {"first": 2}, as_user="hq")["customers"]
    assert (exact["totalCount"], exact["totalCountExact"]) == (everyone, True)

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    with count_statements(client) as statements:
        capped = gql.data(QUERY, {"first": 2}, as_user="hq")["customers"]
    assert (capped["totalCount"], capped["totalCountExact"]) == (5, False)
    assert len(capped["edges"]) == 2
    counts = [s for s in statements if "count(" in s.lower()]
    assert len(counts) == 1  # one count serves totalCount and totalCountExact
    assert "LIMIT" in counts[0].upper()

    monkeypatch.setattr(pagination, "COUNT_LIMIT", everyone)
    at_limit = gql.data(QUERY, {"first": 2}, as_user="hq")["customers"]
    assert (at_limit["totalCount"], at_limit["totalCountExact"]) == (everyone, True)
