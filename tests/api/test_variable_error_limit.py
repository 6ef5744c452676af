"""Variables with more errors than graphql-core reports (it stops at 50 and says so): the same
400 ``VARIABLE_INVALID`` answer as with fewer, in the caller's language, logged as one request,
never 51 INTERNAL_ERRORs each logged as a fault of ours."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tests.conftest import GraphQL
from wellspring.i18n import EN, ZH

MARK_READ = (
    "mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) { marked } }"
)
RATE = "mutation($i: RateVisitInput!) { rateVisit(input: $i) { errors { code } } }"
OPEN = "mutation($i: TicketOpenInput!) { openTicket(input: $i) { errors { code } } }"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LIMIT = 50  # graphql-core's max_coercion_errors

_CASES: list[tuple[str, dict[str, Any]]] = [
    (MARK_READ, {"i": {"ids": [None] * (LIMIT + 1)}}),
    (RATE, {"i": {f"unknown{n}": 1 for n in range(LIMIT + 1)}}),
    (OPEN, {"i": {"type": "REPAIR", "expectedParts": [None] * (LIMIT + 1)}}),
]


@pytest.mark.parametrize(("query", "variables"), _CASES)
@pytest.mark.parametrize("as_user", [None, "hq"])
def test_more_variable_errors_than_reported_are_variable_invalid(
    gql: GraphQL,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
    as_user: str | None,
) -> None:
    for locale in (ZH, EN):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = gql.post(query, variables, as_user=as_user, locale=locale)
        assert response.status_code == 400, response.text
        errors = response.json()["errors"]
        assert "data" not in response.json()
        assert {e["extensions"]["code"] for e in errors} == {"VARIABLE_INVALID"}
        last = errors[-1]
        assert last["extensions"]["reason"] == "TOO_MANY_ERRORS"
        assert last["extensions"]["variable"] == "i"
        assert len(errors) <= LIMIT + 1
        if locale == ZH:
            assert "变量 i 的值无效：错误过多" in last["message"]
            assert not LATIN_WORD.search(last["message"]), last["message"]
        else:
            assert last["message"].startswith("The variable i is invalid: too many errors")
        faults = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert faults == [], [r.getMessage() for r in faults]


def test_fifty_errors_are_answered_as_before(gql: GraphQL) -> None:
    response = gql.post(MARK_READ, {"i": {"ids": [None] * LIMIT}})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == LIMIT
    assert {e["extensions"]["code"] for e in errors} == {"VARIABLE_INVALID"}
    assert "TOO_MANY_ERRORS" not in {e["extensions"]["reason"] for e in errors}
