"""A phone's notes and ACCEPTs are applied without a savepoint, and their writes wait for one
flush of the push (issue 19 §2: a push of 500 in well under a second).

That rests on promises tested here: the move checks everything before its first write, so a
refused ACCEPT leaves nothing behind in the push's transaction; the push locks the jobs its
moves touch before it checks them, so a dispatcher committing a change meanwhile cannot make
the job's versioned UPDATE stale (which, with no savepoint to roll back, would spoil the
whole push); and a record not yet written is still found by its id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.conftest import BACKEND, GraphQL
from tests.dispatch_site import PASSWORD, PLACES, Site, add_job, add_technician, make_branch
from tests.factories import fetch, scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.db import create_engine
from wellspring.domain.models.enums import JobStatus

NOW_MS = int(dt.datetime.now(dt.UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "acc", home=PLACES["people_square"])
    for name, status in (
        ("new", JobStatus.ASSIGNED),
        ("taken", JobStatus.ACCEPTED),
        ("held", JobStatus.ASSIGNED),
        ("twice", JobStatus.ASSIGNED),
        ("lock-a", JobStatus.ASSIGNED),
        ("lock-b", JobStatus.ASSIGNED),
    ):
        add_job(s, name, at=PLACES["jingan"], technician="acc", status=status)
    return s


def _phone(gql: GraphQL, site: Site) -> Phone:
    token = gql.login(site.usernames["acc"], PASSWORD)["token"]
    p = Phone(gql.client, token)
    p.pull()
    return p


def _trail(url: str, job_id: str) -> dict[str, Any]:
    """What a move writes about a job: its row, its history, its audit entries and the
    outbox rows of its events."""
    row = fetch(
        url, select(m.Job.status, m.Job.accepted_at, m.Job.revision).where(m.Job.id == job_id)
    )
    history = scalars(
        url,
        select(func.count())
        .select_from(m.JobStatusChange)
        .where(m.JobStatusChange.job_id == job_id),
    )[0]
    audits = scalars(
        url, select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.entity_id == job_id)
    )[0]
    outbox = [p for p in scalars(url, select(m.OutboxMessage.payload)) if p.get("job_id") == job_id]
    return {"row": tuple(row[0]), "history": history, "audits": audits, "outbox": len(outbox)}


def test_a_refused_accept_leaves_nothing_and_the_rest_of_the_push_applies(
    gql: GraphQL, site: Site
) -> None:
    p = _phone(gql, site)
    new, taken = site.jobs["new"], site.jobs["taken"]
    before = {job: _trail(site.url, job) for job in (new, taken)}
    twice = p.create("job_events", {"job_id": taken, "action": "ACCEPT", "recorded_at": NOW_MS})
    p.create("job_events", {"job_id": new, "action": "ACCEPT", "recorded_at": NOW_MS})
    note = p.create("job_notes", {"job_id": taken, "body": "到了再说", "recorded_at": NOW_MS})
    answer = p.push()
    reasons = {t: {i: r["code"] for i, r in rows.items()} for t, rows in answer["rejected"].items()}
    assert reasons == {"job_events": {twice: "INVALID_TRANSITION"}}
    assert _trail(site.url, taken) == {**before[taken], "audits": before[taken]["audits"] + 1}
    after = _trail(site.url, new)
    assert after["row"][0] is JobStatus.ACCEPTED
    assert after["row"][1] is not None
    assert after["history"] == before[new]["history"] + 1
    assert after["outbox"] == before[new]["outbox"] + 1  # JOB_STATUS_CHANGED, once
    assert scalars(site.url, select(m.JobEvent.id).where(m.JobEvent.job_id == taken)) == []
    assert scalars(site.url, select(m.JobNote.id).where(m.JobNote.id == note)) == [note]


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite's writer holds the database lock")
def test_a_dispatcher_committing_while_the_push_waits_does_not_spoil_it(
    gql: GraphQL, site: Site
) -> None:
    """The dispatcher's transaction holds the job's row while the push starts; it commits a
    second later. The push waits for it at its lock, then reads the new revision: its ACCEPT
    applies on top of the dispatcher's change instead of finding the row stale."""
    p = _phone(gql, site)
    held = site.jobs["held"]
    event = p.create("job_events", {"job_id": held, "action": "ACCEPT", "recorded_at": NOW_MS})
    note = p.create("job_notes", {"job_id": held, "body": "客户改了时间", "recorded_at": NOW_MS})
    start = scalars(site.url, select(m.Job.revision).where(m.Job.id == held))[0]

    async def dispatcher(conn: Any, locked: threading.Event) -> None:
        await conn.execute(
            update(m.Job)
            .where(m.Job.id == held)
            .values(revision=m.Job.revision + 1, status_reason="客户要求改期")
        )
        locked.set()
        await asyncio.sleep(1.0)  # the push starts and waits for this row
        await conn.commit()

    with beside(site.url, dispatcher):
        answer = p.push()
    assert answer == {"experimentalRejectedIds": {}, "rejected": {}, "conflicts": {}}
    row = fetch(
        site.url, select(m.Job.status, m.Job.status_reason, m.Job.revision).where(m.Job.id == held)
    )[0]
    assert tuple(row) == (JobStatus.ACCEPTED, "客户要求改期", start + 2)  # theirs, then ours
    assert scalars(site.url, select(m.JobEvent.id).where(m.JobEvent.id == event)) == [event]
    assert scalars(site.url, select(m.JobNote.id).where(m.JobNote.id == note)) == [note]


def test_a_record_sent_twice_in_one_push_is_made_once(gql: GraphQL, site: Site) -> None:
    """Its writes wait for the push's next flush, but the second copy still finds the first
    (as a replay does) rather than writing the same key twice."""
    p = _phone(gql, site)
    job = site.jobs["twice"]
    event = p.create("job_events", {"job_id": job, "action": "ACCEPT", "recorded_at": NOW_MS})
    note = p.create("job_notes", {"job_id": job, "body": "两遍", "recorded_at": NOW_MS})
    body = p.push_body()
    for table in ("job_events", "job_notes"):
        created = body["changes"][table]["created"]
        created.append(dict(created[0]))
    answer = p.push(body)
    assert answer == {"experimentalRejectedIds": {}, "rejected": {}, "conflicts": {}}
    assert scalars(site.url, select(m.JobEvent.id).where(m.JobEvent.job_id == job)) == [event]
    assert scalars(site.url, select(m.JobNote.id).where(m.JobNote.job_id == job)) == [note]
    history = select(func.count()).where(m.JobStatusChange.job_id == job)
    assert scalars(site.url, history.where(m.JobStatusChange.to_status == JobStatus.ACCEPTED)) == [
        1
    ]


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite's writer holds the database lock")
def test_a_push_deadlocked_with_a_dispatcher_is_refused_for_a_retry(
    gql: GraphQL, site: Site
) -> None:
    """The push locks its jobs in id order; a dispatcher locking them the other way round
    deadlocks with it. PostgreSQL gives up the transaction that waited first (the push):
    the phone gets 409 ``SYNC_COLLIDED`` with nothing applied, never a 500, and its retry
    applies everything."""
    p = _phone(gql, site)
    first, last = sorted((site.jobs["lock-a"], site.jobs["lock-b"]))
    for job in (first, last):
        p.create("job_events", {"job_id": job, "action": "ACCEPT", "recorded_at": NOW_MS})
    body = p.push_body()

    async def dispatcher(conn: Any, holding: threading.Event) -> None:
        bump = update(m.Job).values(revision=m.Job.revision + 1)
        await conn.execute(bump.where(m.Job.id == last))
        holding.set()
        await asyncio.sleep(0.5)  # the push now holds `first` and waits for `last`
        await conn.execute(bump.where(m.Job.id == first))
        await conn.commit()

    # On leaving: the dispatcher's transaction went through.
    with beside(site.url, dispatcher):
        response = gql.client.post("/sync/push", json=body, headers=p.headers())
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "SYNC_COLLIDED"
    statuses = select(m.Job.status).where(m.Job.id.in_([first, last]))
    assert scalars(site.url, statuses) == [JobStatus.ASSIGNED, JobStatus.ASSIGNED]
    assert p.push(body) == {"experimentalRejectedIds": {}, "rejected": {}, "conflicts": {}}
    assert set(scalars(site.url, statuses)) == {JobStatus.ACCEPTED}


@contextmanager
def beside(url: str, dispatcher: Any) -> Iterator[None]:
    """``dispatcher(conn, holding)`` runs on its own connection in another thread; the body
    runs once it has set ``holding`` (its row lock taken). On leaving, the dispatcher has
    finished without an error."""
    holding, errors = threading.Event(), []

    async def go() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                await dispatcher(conn, holding)
        finally:
            await engine.dispose()

    def run() -> None:
        try:
            asyncio.run(go())
        except BaseException as error:  # reported on leaving
            errors.append(error)
            holding.set()

    side = threading.Thread(target=run)
    side.start()
    assert holding.wait(10)
    try:
        yield
    finally:
        side.join(15)
    assert errors == []
