"""A push costs a few statements per record, and its replay a few per push (issue 19 §2).

The push batches its reads: every job, ticket and earlier record it touches is loaded in a
few ``IN`` queries up front, the ETAs are refreshed once per push, and a replay recognises
the records it already applied in one read per table. Counted at the driver, so a change
that brings back a query per record fails here, not only in ``bench/sync.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.api.seen import count_statements
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    add_job,
    add_technician,
    any_part,
    live_device,
    make_branch,
    stock_van,
)
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus, TicketType

JOBS = 12
ON_SITE = 4  # of which these are already on site (water tests and parts need a visit)
PER_RECORD = 5  # the budget: statements per pushed record, everything included
COUNTS = 1  # the maintained ticket counts: one upsert per commit that moved a ticket (§3)
REPLAY_PER_RECORD = 1  # a replay reads in batches; well under one statement per record


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "busy", home=PLACES["people_square"])
    device = live_device(database_url)
    for n in range(JOBS):
        add_job(
            s,
            f"j{n}",
            at=PLACES["jingan"],
            technician="busy",
            status=JobStatus.ON_SITE if n < ON_SITE else JobStatus.ASSIGNED,
            device_id=device,
            kind=TicketType.REPAIR,
        )
    stock_van(s, "busy", any_part(database_url), 50)
    return s


def shapes(seen: list[str]) -> str:
    """The statements by shape, most frequent first (the failure message)."""
    counted = Counter(re.sub(r"\s+", " ", s)[:120] for s in seen)
    return "\n".join(f"{n:4} {s}" for s, n in counted.most_common(80))


def _mixed_push(p: Phone, site: Site, part: str) -> int:
    """Each kind of record a phone makes: a note on every job, the accepts of the new ones
    and a trip started, a water test and a part used on those on site (mostly notes and
    moves, as in a day's pushes and in bench/sync.py)."""
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    records = 0
    for n in range(JOBS):
        job = site.jobs[f"j{n}"]
        at = now_ms - 600_000 + n * 1_000
        if n >= ON_SITE:
            for step, action in enumerate(("ACCEPT", "START_TRAVEL")[: 1 + (n == ON_SITE)]):
                values = {"job_id": job, "action": action, "reason": None, "report_json": None}
                p.create("job_events", {**values, "recorded_at": at + step})
                records += 1
        elif n == 1:
            readings = {"tds": 40.0, "ph": 7.1, "residual_chlorine": 0.1, "turbidity": 0.2}
            p.create(
                "water_tests", {"job_id": job, **readings, "temperature": 20.0, "recorded_at": at}
            )
            records += 1
        elif n == 0:
            p.create(
                "part_consumptions",
                {
                    "job_id": job,
                    "part_id": part,
                    "quantity": 1,
                    "old_part_returned": n == 0,
                    "recorded_at": at + 1,
                },
            )
            records += 1
        p.create("job_notes", {"job_id": job, "body": f"备注 {n}", "recorded_at": at + 5})
        records += 1
    return records


def test_a_push_costs_a_few_statements_per_record_and_its_replay_fewer(
    gql: GraphQL, site: Site
) -> None:
    username = site.usernames["busy"]
    p = Phone(gql.client, gql.login(username, PASSWORD)["token"])
    p.pull()
    records = _mixed_push(p, site, any_part(site.url))
    body = p.push_body()
    with count_statements(gql.client) as seen:
        answer = p.push(body)
    assert answer == {"experimentalRejectedIds": {}, "rejected": {}, "conflicts": {}}
    notes = scalars(site.url, select(func.count()).select_from(m.JobNote))[0]
    assert notes >= JOBS  # the push did its work
    assert len(seen) <= PER_RECORD * records + COUNTS, (
        f"{len(seen)} statements for {records} records:\n{shapes(seen)}"
    )

    with count_statements(gql.client) as again:
        assert p.push(body) == answer  # the answer was lost: the phone sends it again
    assert len(again) <= REPLAY_PER_RECORD * records, (
        f"the replay ran {len(again)} statements for {records} records:\n{shapes(again)}"
    )
    assert scalars(site.url, select(func.count()).select_from(m.JobNote))[0] == notes


# statements, whatever the scope's size: BEGIN (SQLite), the token, the installation, the
# cursor, one "did anything change?" (the fast path, issue 19 §2) and the installation's update
EMPTY_PULL = 6


def test_an_empty_pull_costs_a_fixed_number_of_statements(gql: GraphQL, site: Site) -> None:
    username = site.usernames["busy"]
    p = Phone(gql.client, gql.login(username, PASSWORD)["token"])
    p.pull()
    with count_statements(gql.client) as seen:
        again = p.pull()
    assert all(not any(c.values()) for c in again["changes"].values())
    assert len(seen) <= EMPTY_PULL, f"{len(seen)} statements:\n{shapes(seen)}"
