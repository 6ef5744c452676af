"""A small pull is answered whole from the transaction that planned it; a large one streams
from a transaction of its own (issue 19 §4: a second session and a stream per pull cost more
than the few records of an engineer's usual pull). Both answers are the same."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import GraphQL
from tests.dispatch_site import PASSWORD, PLACES, Site, add_job, add_technician, make_branch
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus
from wellspring.mobile_sync import pull


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "inl", home=PLACES["people_square"])
    for n in range(3):
        add_job(s, f"j{n}", at=PLACES["jingan"], technician="inl", status=JobStatus.ASSIGNED)
    return s


def _first_pull(gql: GraphQL, site: Site) -> tuple[dict[str, str], dict[str, Any]]:
    p = Phone(gql.client, gql.login(site.usernames["inl"], PASSWORD)["token"])
    response = p.pull_raw(None)
    assert response.status_code == 200, response.text
    answer = response.json()
    # The installation and what it holds were written, whichever way the answer went.
    cursor = select(m.SyncClient.last_cursor).where(m.SyncClient.id == p.install_id)
    assert scalars(site.url, cursor) == [answer["timestamp"]]
    held = select(func.count()).where(m.SyncHeld.client_id == p.install_id)
    sent = sum(len(t["created"]) for t in answer["changes"].values())
    assert scalars(site.url, held) == [sent]
    return dict(response.headers), answer


def _without_cursor(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "timestamp"}


def test_a_small_pull_is_answered_whole_and_a_large_one_streams_the_same_records(
    gql: GraphQL, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers, whole = _first_pull(gql, site)
    assert "content-length" in headers  # answered whole
    monkeypatch.setattr(pull, "INLINE_RECORDS", 0)  # any pull with a record now streams
    headers, streamed = _first_pull(gql, site)
    assert "content-length" not in headers  # streamed
    assert _without_cursor(streamed) == _without_cursor(whole)
    jobs = streamed["changes"]["jobs"]["created"]
    assert sorted(j["id"] for j in jobs) == sorted(site.jobs.values())
