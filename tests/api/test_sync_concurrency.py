"""The same push sent 20 times at once (a phone retrying on a flaky network): applied once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import func, select

from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    add_job,
    add_technician,
    any_part,
    make_branch,
    stock_van,
)
from tests.e2e.live import http, live_server
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus

CLIENTS = 20


def test_twenty_identical_pushes_at_once_apply_once(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "r", home=PLACES["jingan"])
    job = add_job(s, "race", at=PLACES["jingan"], technician="r", status=JobStatus.ON_SITE)
    part = any_part(database_url)
    stock_van(s, "r", part, 5)
    token = gql.login(s.usernames["r"], PASSWORD)["token"]
    headers = {"Authorization": f"Bearer {token}", "X-Sync-Client": "racing-phone-01"}
    now = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    with live_server(make_settings(database_url)) as base:
        status, pulled = http(
            "POST", f"{base}/sync/pull", {"lastPulledAt": None, "schemaVersion": 1}, headers
        )
        assert status == 200
        body = {
            "lastPulledAt": pulled["timestamp"],
            "changes": {
                "job_notes": {
                    "created": [
                        {"id": "race-note-1", "job_id": job, "body": "x", "recorded_at": now}
                    ]
                },
                "part_consumptions": {
                    "created": [
                        {
                            "id": "race-use-1",
                            "job_id": job,
                            "part_id": part,
                            "quantity": 2,
                            "old_part_returned": False,
                            "recorded_at": now,
                        }
                    ]
                },
            },
        }
        barrier = threading.Barrier(CLIENTS)
        answers: list[tuple[int, Any]] = []

        def send() -> None:
            barrier.wait()
            answers.append(http("POST", f"{base}/sync/push", body, headers))

        threads = [threading.Thread(target=send) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    statuses = sorted(code for code, _ in answers)
    assert len(statuses) == CLIENTS
    assert set(statuses) <= {200, 409}, answers
    assert 200 in statuses
    for code, answer in answers:
        if code == 200:
            assert answer["rejected"] == {}, answer
        else:
            assert answer["error"]["code"] == "SYNC_IN_PROGRESS"
    assert scalars(database_url, select(func.count()).where(m.JobNote.id == "race-note-1")) == [1]
    entries = scalars(
        database_url,
        select(func.count()).where(m.StockEntry.client_id.like("race-use-1:%")),
    )
    assert entries == [1]
    van = scalars(
        database_url,
        select(m.StockBalance.quantity)
        .join(m.Warehouse, m.Warehouse.id == m.StockBalance.warehouse_id)
        .where(m.Warehouse.technician_id == s.techs["r"]),
    )
    assert van == [3]
