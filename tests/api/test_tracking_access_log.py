"""The customer's page is ``/t/<token>``, and the page polls ``/t/<token>/state``: the access
log writes each request's path, and wrote every working token with it. A token is a bearer
secret whose hash alone is stored; the log shows the path with the token redacted."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import GraphQL
from tests.tracking_world import customer_one, share, token_of, visit
from wellspring.domain.tracking.links import REDACTED


def test_the_access_log_shows_the_page_without_its_token(
    gql: GraphQL, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    ticket_id, _job = visit(gql, customer_one(database_url), upto="StartTravel")
    token = token_of(share(gql, ticket_id)["url"])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="wellspring.access"):
        assert gql.client.get(f"/t/{token}").status_code == 200
        assert gql.client.get(f"/t/{token}/state?lang=en").status_code == 200
    lines = [r for r in caplog.records if r.name == "wellspring.access"]
    assert [r.getMessage() for r in lines[-2:]] == [
        f"GET /t/{REDACTED} 200",
        f"GET /t/{REDACTED}/state 200",
    ]
    assert [getattr(r, "path", None) for r in lines[-2:]] == [
        f"/t/{REDACTED}",
        f"/t/{REDACTED}/state",
    ]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("wellspring")]
    assert not any(token in line for line in ours)  # (the test client's own log shows it)
