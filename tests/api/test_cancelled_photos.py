"""Photos a phone took offline on its engineer's own job, cancelled before the photo's first
push (docs/sync.md, "Merge rules", ``attachments``).

They used to be refused JOB_CANCELLED, which no retry changes and the client does not drop, so
the phone pushed them on every sync forever. Now they follow the former holder's rule: taken
while the job was open, the photo is kept on it as evidence and its engineer may still upload
and confirm the bytes; taken after the cancellation it is JOB_CLOSED, final.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.discrepancy_world import token
from tests.api.media_site import request_upload
from tests.api.test_reassigned_parts import cancel
from tests.api.test_reassigned_photos import shot, upload
from tests.api.test_reassigned_records import codes, site_with_two
from tests.conftest import GraphQL, make_settings
from tests.factories import fetch
from tests.media_files import photo
from tests.sync_phone import Phone
from wellspring.api.app import create_app
from wellspring.domain import models as m


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url, media_root=str(tmp_path)))) as c:
        yield c


def test_a_photo_on_the_engineers_cancelled_job_is_kept_if_taken_while_open(
    app: TestClient, database_url: str
) -> None:
    gql = GraphQL(app)
    s, job, _device = site_with_two(database_url)
    a = token(gql, s.usernames["a"])
    p = Phone(gql.client, a, schema_version=7)
    p.pull()
    data, other = photo((320, 240)), photo((240, 320))
    kept = shot(p, job, data, -1)
    cancel(gql, s, job)  # the job is still a's: cancelled, not reassigned
    late = shot(p, job, data, 0.02)
    body = p.push_body()
    for answer in (p.sync(), p.push(body)):  # the same on every push
        assert codes(answer, "attachments") == {late: ("JOB_CLOSED", "job_id")}
    rows = fetch(
        database_url,
        select(m.Attachment.id, m.Attachment.status).where(m.Attachment.job_id == job),
    )
    assert [(i, st.value) for i, st in rows] == [(kept, "PENDING_UPLOAD")]

    # The kept photo is evidence: its engineer still sends the bytes and confirms them.
    confirmed = upload(app, gql, a, job, data, kept)
    assert confirmed["errors"] == []
    assert confirmed["attachment"]["status"] == "VERIFIED"
    # Online, a cancelled job takes no new file.
    fresh = request_upload(gql, a, job, other, kind="PHOTO")
    assert [e["code"] for e in fresh["errors"]] == ["JOB_CANCELLED"]
