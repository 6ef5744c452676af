"""The office reads the notes an engineer's phone wrote on a job (``Job.notes``).

Phones push ``job_notes`` (docs/sync.md); the server kept them, and nobody in the office could
read them. Staff who see the job read them, read only; customers never do, not even on their
own visit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.api.discrepancy_world import phone, token
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    _session_do,
    add_job,
    add_technician,
    make_branch,
    run,
)
from tests.factories import scalars, unique
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.masterdata.users import NewLogin, create_login
from wellspring.domain.models.enums import JobStatus, Role
from wellspring.schema.core.ids import global_id

NOTES = (
    "query($id: ID!) { node(id: $id) { ... on Job { notes { id body authorName recordedAt } } } }"
)

WATER, FILTER = "客户家水压偏低，下次带增压泵", "已更换前置滤芯"


def customer_login(url: str, customer_id: str) -> str:
    username = unique("notes-customer")

    async def work(session: Any) -> None:
        login = NewLogin(
            username=username, password=PASSWORD, role=Role.CUSTOMER, customer_id=customer_id
        )
        await create_login(session, SYSTEM, login=login)

    run(_session_do(url, work))
    return username


def test_staff_who_see_the_job_read_the_engineers_notes_customers_do_not(
    gql: GraphQL, database_url: str
) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    job = add_job(s, "visit", at=PLACES["jingan"], technician="a", status=JobStatus.ON_SITE)
    p = phone(gql, s)
    p.pull()
    written = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    at_ms = int(written.timestamp() * 1000)
    first = p.create("job_notes", {"job_id": job, "body": WATER, "recorded_at": at_ms})
    second = p.create("job_notes", {"job_id": job, "body": FILTER, "recorded_at": at_ms + 60_000})
    assert p.push()["rejected"] == {}

    # The branch's clerk, on the dispatcher's ticket page, and HQ.
    ticket = scalars(database_url, select(m.Job.ticket_id).where(m.Job.id == job))[0]
    page = gql.data(doc("Ticket"), {"id": global_id("Ticket", ticket)}, token=token(gql, s.clerk))
    [seen_job] = page["ticket"]["jobs"]
    notes = seen_job["notes"]
    assert [n["body"] for n in notes] == [WATER, FILTER]
    assert [n["id"] for n in notes] == [global_id("JobNote", first), global_id("JobNote", second)]
    assert {n["authorName"] for n in notes} == {"工程师a"}
    assert dt.datetime.fromisoformat(notes[0]["recordedAt"]) == written.replace(
        microsecond=written.microsecond // 1000 * 1000
    )
    hq = gql.data(NOTES, {"id": global_id("Job", job)}, as_user="hq")["node"]
    assert [n["body"] for n in hq["notes"]] == [n["body"] for n in notes]

    # Another branch's clerk does not see the job, nor its notes.
    other = make_branch(database_url)
    elsewhere = gql.post(NOTES, {"id": global_id("Job", job)}, token=token(gql, other.clerk))
    assert elsewhere.json()["data"]["node"] is None
    note_node = "query($id: ID!) { node(id: $id) { ... on JobNote { body } } }"
    hidden = gql.post(note_node, {"id": global_id("JobNote", first)}, token=token(gql, other.clerk))
    assert hidden.json()["data"]["node"] is None

    # The ticket's own customer: refused the field, and the note itself is not found.
    customer = customer_login(database_url, s.customer_id)
    mine = gql.post(NOTES, {"id": global_id("Job", job)}, token=token(gql, customer)).json()
    assert {e["extensions"]["code"] for e in mine["errors"]} == {"FORBIDDEN"}
    assert not ((mine.get("data") or {}).get("node") or {}).get("notes")
    direct = gql.post(note_node, {"id": global_id("JobNote", first)}, token=token(gql, customer))
    assert direct.json()["data"]["node"] is None
