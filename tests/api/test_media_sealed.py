"""A verified file never changes, though its upload form stays valid until it expires (a
presigned POST cannot be revoked): what is served is the sealed copy confirmation wrote from
the bytes it verified (domain/media/keys.py). Both stores: the local one through the app's
own doors, S3 through moto's server."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from tests.api.media_site import BUCKET, bearer, confirm, engineer_on_site, request_upload
from tests.conftest import TEST_SECRET, GraphQL, make_settings
from tests.factories import execute, fetch
from tests.media_files import photo, sha
from wellspring.api.app import create_app
from wellspring.domain import auth
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.media import cleanup, confirmation
from wellspring.domain.media.config import MediaConfig
from wellspring.domain.models.enums import AttachmentStatus
from wellspring.media.images import PillowChecker
from wellspring.media.local import LocalStore
from wellspring.media.s3 import S3Store
from wellspring.schema.core.ids import global_id

STAFF_VIEW = """query($id: ID!) { node(id: $id) { ... on Job { attachments {
  id status url thumbnailUrl originalUrl } } } }"""


@dataclass
class Site:
    """An app on one store, and how a phone or a browser reaches that store's URLs."""

    gql: GraphQL
    cfg: MediaConfig
    url: str

    def post(self, form: dict[str, Any], data: bytes) -> int:
        files = {"file": ("p.jpg", data, "image/jpeg")}
        fields = json.loads(form["fields"])
        if form["url"].startswith("/"):  # the local store's own door
            return self.gql.client.post(form["url"], data=fields, files=files).status_code
        return httpx.post(form["url"], data=fields, files=files, timeout=30).status_code

    def get(self, url: str) -> bytes:
        answer = self.gql.client.get(url) if url.startswith("/") else httpx.get(url, timeout=30)
        assert answer.status_code == 200, url
        return answer.content

    def staff_view(self, token: str, job: str) -> dict[str, Any]:
        [view] = self.gql.data(STAFF_VIEW, {"id": global_id("Job", job)}, token=token)["node"][
            "attachments"
        ]
        return dict(view)

    def served(self, token: str, job: str) -> dict[str, bytes]:
        """What staff are served of the job's one file: original, display copy, thumbnail."""
        view = self.staff_view(token, job)
        return {k: self.get(view[k]) for k in ("originalUrl", "url", "thumbnailUrl")}


@pytest.fixture(params=["local", "s3"])
def site(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Site]:
    if request.param == "s3":
        store: Any = S3Store(bucket=BUCKET, prefix="t/", client=request.getfixturevalue("s3"))
    else:
        store = LocalStore(tmp_path / "media", secret=TEST_SECRET)
    cfg = MediaConfig(store=store, checker=PillowChecker())
    with TestClient(create_app(make_settings(database_url), media=cfg)) as client:
        yield Site(GraphQL(client), cfg, database_url)


def _verified(site: Site) -> tuple[str, str, str, dict[str, Any], bytes]:
    """A photo uploaded and confirmed: (engineer's token, clerk's token, job, form, bytes)."""
    engineer, job, clerk = engineer_on_site(site.url)
    token = bearer(site.gql, engineer)
    data = photo((320, 240))
    asked = request_upload(site.gql, token, job, data)
    assert site.post(asked["upload"], data) == 204
    assert confirm(site.gql, token, asked["attachment"]["id"])["attachment"]["status"] == "VERIFIED"
    return token, bearer(site.gql, clerk), job, asked, data


def test_new_bytes_posted_with_a_spent_form_change_nothing_served(site: Site) -> None:
    token, staff, job, asked, data = _verified(site)
    before = site.served(staff, job)
    assert sha(before["originalUrl"]) == sha(data)

    # The form is still valid: the store takes other bytes (a real image, even) at its key.
    other = photo((640, 480))
    assert site.post(asked["upload"], other) == 204
    again = confirm(site.gql, token, asked["attachment"]["id"])["attachment"]  # a retry
    assert again["status"] == "VERIFIED"
    after = site.served(staff, job)
    assert sha(after["originalUrl"]) == sha(data)  # still the verified file, by its SHA-256
    assert after == before  # and the display copy and thumbnail with it

    # The cleanup deletes the spent upload key once its form has expired; nothing served goes.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert asyncio.run(_cleanup(site, later)).released >= 1
    row = select(m.Attachment.upload_expires_at).filter_by(id=asked["attachment"]["id"])
    assert fetch(site.url, row) == [(None,)]
    assert site.served(staff, job) == before


def test_a_confirmation_that_began_before_the_verdict_cannot_replace_the_file(
    site: Site,
) -> None:
    """Two confirmations of one upload (a retry racing the first): the second reads the upload
    key after the first recorded VERIFIED and the form rewrote it. It rejects those bytes and
    writes nothing: the sealed copy is only ever written from bytes whose SHA-256 matched."""
    engineer, job, clerk = engineer_on_site(site.url)
    token = bearer(site.gql, engineer)
    data = photo((320, 240))
    asked = request_upload(site.gql, token, job, data)
    attachment = asked["attachment"]["id"]
    assert site.post(asked["upload"], data) == 204

    async def record(session: AsyncSession, actor: Actor) -> Any:
        verdict = await confirmation.check_file(pending)
        now = dt.datetime.now(dt.UTC)
        return verdict, await confirmation.record(session, actor, verdict, now=now)

    pending = asyncio.run(_as_engineer(site, token, _begin(attachment)))
    assert confirm(site.gql, token, attachment)["attachment"]["status"] == "VERIFIED"
    staff = bearer(site.gql, clerk)
    before = site.served(staff, job)
    other = photo((640, 480))
    assert site.post(asked["upload"], other) == 204
    verdict, row = asyncio.run(_as_engineer(site, token, record))
    assert verdict.code in ("SIZE_MISMATCH", "CHECKSUM_MISMATCH")
    assert row.status is AttachmentStatus.VERIFIED  # decided: the late verdict is dropped
    after = site.served(staff, job)
    assert sha(after["originalUrl"]) == sha(data)
    assert after == before


def test_a_confirmation_repeated_after_a_crash_before_its_record_verifies(site: Site) -> None:
    """The file work wrote the sealed copy, then the process died before recording: the row is
    still PENDING_UPLOAD, and confirming again does the work again and records it."""
    engineer, job, clerk = engineer_on_site(site.url)
    token = bearer(site.gql, engineer)
    data = photo((320, 240))
    asked = request_upload(site.gql, token, job, data)
    attachment = asked["attachment"]["id"]
    assert site.post(asked["upload"], data) == 204
    pending = asyncio.run(_as_engineer(site, token, _begin(attachment)))
    verdict = asyncio.run(confirmation.check_file(pending))
    assert verdict.code == ""  # the sealed copy is written, nothing recorded

    status = select(m.Attachment.status, m.Attachment.original_key).filter_by(id=attachment)
    assert fetch(site.url, status) == [(AttachmentStatus.PENDING_UPLOAD, "")]
    again = confirm(site.gql, token, attachment)["attachment"]
    assert again["status"] == "VERIFIED"
    assert fetch(site.url, status) == [(AttachmentStatus.VERIFIED, verdict.original_key)]
    served = site.served(bearer(site.gql, clerk), job)
    assert sha(served["originalUrl"]) == sha(data)


def test_a_file_verified_before_sealed_originals_is_served_where_it_was(site: Site) -> None:
    """A row verified before ``original_key`` existed ("") keeps being served from its upload
    key, and the cleanup never deletes that key."""
    _token, staff, job, asked, data = _verified(site)
    attachment = asked["attachment"]["id"]
    execute(site.url, update(m.Attachment).where(m.Attachment.id == attachment)
            .values(original_key=""))  # fmt: skip
    view = site.staff_view(staff, job)
    assert f"{attachment}.original" not in view["originalUrl"]
    assert sha(site.get(view["originalUrl"])) == sha(data)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    asyncio.run(_cleanup(site, later))
    assert sha(site.served(staff, job)["originalUrl"]) == sha(data)


def _begin(attachment: str) -> Callable[[AsyncSession, Actor], Awaitable[Any]]:
    async def begin(session: AsyncSession, actor: Actor) -> Any:
        pending = await confirmation.begin(session, actor, attachment_id=attachment)
        assert isinstance(pending, confirmation.Pending)
        return pending

    return begin


async def _as_engineer(
    site: Site, token: str, work: Callable[[AsyncSession, Actor], Awaitable[Any]]
) -> Any:
    """``work`` in a transaction of its own, as the engineer whose token this is: ConfirmUpload's
    steps one by one."""
    engine = create_engine(site.url)
    try:
        factory = session_factory(engine, config=DomainConfig(media=site.cfg))
        async with transaction(factory) as session:
            config = auth.AuthConfig(secret_key=TEST_SECRET)
            actor = await auth.authenticate(session, config=config, token=token)
            return await work(session, actor)
    finally:
        await engine.dispose()


async def _cleanup(site: Site, now: dt.datetime) -> cleanup.CleanupResult:
    engine = create_engine(site.url)
    try:
        factory = session_factory(engine, config=DomainConfig(media=site.cfg))
        async with transaction(factory) as session:
            return await cleanup.run(session, now=now)
    finally:
        await engine.dispose()
