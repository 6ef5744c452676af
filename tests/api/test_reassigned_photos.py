"""Photos a phone took offline on a job the dispatcher reassigned before the phone synced
(docs/sync.md, "Merge rules", ``attachments``; notes and readings: test_reassigned_records.py).

They used to be refused NOT_FOUND on every sync, forever. Now they follow the parts' rule
(inventory/former_holder.py): taken while the engineer held the job, the photo is kept on it,
and its uploader may still send the bytes and confirm them; taken before they held it, or
after it closed, it is refused for good (JOB_NOT_HELD, JOB_CLOSED), which the client drops.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.discrepancy_world import token
from tests.api.media_site import confirm, request_upload
from tests.api.test_reassigned_parts import cancel, now_ms, reassign
from tests.api.test_reassigned_records import codes, job_state, site_with_two
from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import PASSWORD, Site, _session_do, run
from tests.factories import fetch, unique
from tests.media_files import photo, sha
from tests.sync_phone import Phone
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.masterdata.users import NewLogin, create_login
from wellspring.domain.models.enums import Role
from wellspring.schema.core.ids import global_id

FILES = """query($id: ID!) { node(id: $id) { ... on Job { attachments { id status } } } }"""


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app on the local store (its upload door is the app's own /media/upload)."""
    with TestClient(create_app(make_settings(database_url, media_root=str(tmp_path)))) as c:
        yield c


def shot(p: Phone, job: str, data: bytes, minutes: float) -> str:
    values = {
        "job_id": job,
        "kind": "PHOTO",
        "content_type": "image/jpeg",
        "byte_size": len(data),
        "sha256": sha(data),
        "recorded_at": now_ms(minutes),
    }
    return str(p.create("attachments", values))


def upload(app: TestClient, gql: GraphQL, who: str, job: str, data: bytes, photo_id: str) -> Any:
    """RequestUpload for the phone's own id, the file posted to the form, ConfirmUpload."""
    asked = request_upload(gql, who, job, data, kind="PHOTO", attachmentId=photo_id)
    assert asked["errors"] == [], asked
    form = asked["upload"]
    files = {"file": ("p.jpg", data, "image/jpeg")}
    posted = app.post(form["url"], data=json.loads(form["fields"]), files=files)
    assert posted.status_code == 204
    return confirm(gql, who, photo_id)


def customer_token(gql: GraphQL, s: Site) -> str:
    """A login for the site's customer (they see their own visits)."""
    username = unique("photo-customer")

    async def work(session: Any) -> None:
        login = NewLogin(
            username=username, password=PASSWORD, role=Role.CUSTOMER, customer_id=s.customer_id
        )
        await create_login(session, SYSTEM, login=login)

    run(_session_do(s.url, work))
    return token(gql, username)


def files_seen(gql: GraphQL, who: str, job: str) -> list[tuple[str, str]]:
    node = gql.data(FILES, {"id": global_id("Job", job)}, token=who)["node"]
    return [] if node is None else [(a["id"], a["status"]) for a in node["attachments"]]


def test_a_photo_taken_while_held_reaches_the_job_and_is_uploaded_by_its_engineer(
    app: TestClient, database_url: str
) -> None:
    gql = GraphQL(app)
    s, job, _device = site_with_two(database_url)
    a = token(gql, s.usernames["a"])
    p = Phone(gql.client, a, schema_version=7)
    p.pull()
    data, later = photo((320, 240)), photo((240, 320))
    held = shot(p, job, data, -2)
    early = shot(p, job, data, -90)  # before a ever held the job
    reassign(gql, s, job, s.techs["b"])
    unaware = shot(p, job, later, 0.02)  # the phone did not know yet: a still went
    body = p.push_body()
    for answer in (p.sync(), p.push(body)):  # the same on every push
        assert codes(answer, "attachments") == {early: ("JOB_NOT_HELD", "job_id")}
        assert set(answer["rejected"]) == {"attachments"}
    assert job_state(database_url, job) == ("ASSIGNED", s.techs["b"])
    rows = fetch(
        database_url,
        select(m.Attachment.id, m.Attachment.job_id, m.Attachment.status).where(
            m.Attachment.job_id == job
        ),
    )
    assert sorted((i, j, st.value) for i, j, st in rows) == sorted(
        [(held, job, "PENDING_UPLOAD"), (unaware, job, "PENDING_UPLOAD")]
    )

    clerk, b = token(gql, s.clerk), token(gql, s.usernames["b"])
    customer = customer_token(gql, s)
    assert sorted(files_seen(gql, clerk, job)) == sorted(
        [(held, "PENDING_UPLOAD"), (unaware, "PENDING_UPLOAD")]
    )
    assert files_seen(gql, customer, job) == []  # a customer sees verified files only

    # Back online, a uploads the bytes and confirms them: the job is no longer a's, the file is.
    confirmed = upload(app, gql, a, job, data, held)
    assert confirmed["errors"] == []
    assert confirmed["attachment"]["status"] == "VERIFIED"
    assert confirmed["attachment"]["url"] is None  # a no longer sees the job: no URL
    assert files_seen(gql, a, job) == []
    # b may not upload nor confirm a's file (it looks missing, as any stranger's).
    stranger = request_upload(gql, b, job, later, kind="PHOTO", attachmentId=unaware)
    assert [e["code"] for e in stranger["errors"]] == ["NOT_FOUND"]

    assert sorted(files_seen(gql, clerk, job)) == sorted(
        [(held, "VERIFIED"), (unaware, "PENDING_UPLOAD")]
    )
    assert files_seen(gql, customer, job) == [(held, "VERIFIED")]
    phone_b = Phone(gql.client, b, schema_version=7)
    phone_b.pull()
    assert set(phone_b.local["attachments"]) == {held, unaware}

    # a's phone holds nothing of the job any more, its own photos included (the refused one
    # is still pending in this test's phone; the real client drops it: FINAL_CODES).
    assert p.pull()["changes"]["attachments"]["deleted"] == sorted([held, unaware])
    assert {i for i, r in p.local["attachments"].items() if r["job_id"] == job} == {early}


def test_a_photo_taken_after_the_reassigned_job_closed_is_refused_for_good(
    app: TestClient, database_url: str
) -> None:
    """Cancelled after the reassignment: a photo taken before the cancellation while a held
    the job is kept; one taken after it is JOB_CLOSED, on every push."""
    gql = GraphQL(app)
    s, job, _device = site_with_two(database_url)
    p = Phone(gql.client, token(gql, s.usernames["a"]), schema_version=7)
    p.pull()
    data = photo((320, 240))
    kept = shot(p, job, data, -1)
    reassign(gql, s, job, s.techs["b"])
    cancel(gql, s, job)
    late = shot(p, job, data, 0.02)
    body = p.push_body()
    for answer in (p.sync(), p.push(body)):
        assert codes(answer, "attachments") == {late: ("JOB_CLOSED", "job_id")}
        assert "is closed" in answer["rejected"]["attachments"][late]["message"]
    ids = fetch(database_url, select(m.Attachment.id).where(m.Attachment.job_id == job))
    assert ids == [(kept,)]
