"""Uploads from the field through the real wire: boto3 against moto's S3 server (the local
store's own endpoint is in test_media_local.py; docs/api.md, "Photos, signatures and forms")."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from tests.api.media_site import (
    BUCKET,
    COMPLETE,
    CONFIRM,
    REPAIR,
    bearer,
    confirm,
    engineer_on_site,
    post_form,
    request_upload,
)
from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import run
from tests.factories import execute, scalars
from tests.media_files import has_location, photo, png, sha
from tests.sync_phone import Phone
from wellspring.api import cli
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.media import cleanup
from wellspring.domain.media.config import MediaConfig
from wellspring.domain.models.enums import AttachmentKind, TicketType
from wellspring.media.images import PillowChecker
from wellspring.media.s3 import S3Store
from wellspring.media.wiring import media_config
from wellspring.schema.core.ids import global_id
from wellspring.settings import Settings, get_settings

ATTACHMENTS = """query($id: ID!) { node(id: $id) { ... on Job { evidence attachments {
  id kind status rejectionCode url thumbnailUrl originalUrl } } } }"""
MiB = 1024 * 1024


@dataclass
class MediaApp:
    gql: GraphQL
    cfg: MediaConfig


@pytest.fixture
def media(s3: Any, database_url: str) -> Iterator[MediaApp]:
    """An app on the S3 store, with a repair's fault photo required (the configurable rule):
    the media settings travel with the app's sessions, so it is an app of its own."""
    cfg = MediaConfig(
        store=S3Store(bucket=BUCKET, prefix="t/", client=s3),
        checker=PillowChecker(),
        required={TicketType.REPAIR: frozenset({AttachmentKind.FAULT_PHOTO})},
    )
    with TestClient(create_app(make_settings(database_url), media=cfg)) as client:
        yield MediaApp(GraphQL(client), cfg)


async def _cleanup(url: str, cfg: MediaConfig, now: dt.datetime) -> cleanup.CleanupResult:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine, config=DomainConfig(media=cfg))) as s:
            return await cleanup.run(s, now=now)
    finally:
        await engine.dispose()


def test_signed_post_policy_carries_every_condition(s3: Any) -> None:
    store = S3Store(bucket=BUCKET, prefix="t/", client=s3)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)
    form = store.presign_upload(
        "jobs/j1/a1", content_type="image/png", max_bytes=MiB, expires_at=expires
    )
    policy = json.loads(base64.b64decode(form.fields["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": BUCKET} in conditions
    assert {"key": "t/jobs/j1/a1"} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, MiB] in conditions
    assert form.fields["key"] == "t/jobs/j1/a1"
    assert form.fields["Content-Type"] == "image/png"
    expiration = dt.datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    assert expiration.replace(tzinfo=dt.UTC) <= expires + dt.timedelta(seconds=1)


def test_uploads_through_s3_are_verified_and_completion_waits_for_them(
    database_url: str, media: MediaApp, s3: Any
) -> None:
    gql = media.gql
    engineer, job, clerk = engineer_on_site(database_url)
    token = bearer(gql, engineer)
    complete = {"input": {"jobId": global_id("Job", job), "report": REPAIR}}
    # No fault photo registered at all: the completion is refused and nothing is written.
    refused = gql.data(COMPLETE, complete, token=token)["completeJob"]
    assert [e["code"] for e in refused["errors"]] == ["EVIDENCE_MISSING"]

    good = photo()
    issued = request_upload(gql, token, job, good)
    assert issued["errors"] == []
    assert issued["attachment"]["status"] == "PENDING_UPLOAD"
    again = request_upload(gql, token, job, good, attachmentId=issued["attachment"]["id"])
    assert again["attachment"]["id"] == issued["attachment"]["id"]  # idempotent
    assert post_form(again["upload"], good) == 204
    # Completed while the photo is not yet confirmed: accepted, evidence pending, no call due.
    done = gql.data(COMPLETE, complete, token=token)["completeJob"]
    assert done["job"] == {"status": "COMPLETED", "evidence": "PENDING"}, done
    ticket_id = scalars(database_url, select(m.Job.ticket_id).where(m.Job.id == job))[0]
    due = select(m.FollowUp.id).where(m.FollowUp.ticket_id == ticket_id)
    assert scalars(database_url, due) == []

    confirmed = confirm(gql, token, issued["attachment"]["id"])["attachment"]
    assert confirmed["status"] == "VERIFIED", confirmed
    assert confirm(gql, token, confirmed["id"])["attachment"]["status"] == "VERIFIED"
    assert len(scalars(database_url, due)) == 1  # the follow-up falls due now, once
    seen = gql.data(ATTACHMENTS, {"id": global_id("Job", job)}, token=bearer(gql, clerk))
    assert seen["node"]["evidence"] == "COMPLETE"
    [view] = seen["node"]["attachments"]
    derivatives = [httpx.get(view[k], timeout=10).content for k in ("url", "thumbnailUrl")]
    assert derivatives
    assert not any(has_location(d) for d in derivatives)
    assert has_location(httpx.get(view["originalUrl"], timeout=10).content)  # staff only
    reads = select(m.AuditEntry.id).where(
        m.AuditEntry.action == "attachment.original_read", m.AuditEntry.entity_id == job
    )
    assert len(scalars(database_url, reads)) == 1

    # The bad ones: each is refused when asked, or rejected on confirmation with its code.
    too_big = request_upload(gql, token, job, b"x", byteSize=16 * MiB)
    assert [e["code"] for e in too_big["errors"]] == ["FILE_TOO_LARGE"]
    noise = good + os.urandom(16 * MiB - len(good))  # a JPEG head, then 16 MiB in all
    exe = b"MZ\x90\x00" + b"\0" * 4000
    small = photo((32, 32))
    cases = {
        "FILE_TOO_LARGE": (good, noise),  # declared small, 16 MiB sent (moto keeps it)
        "NOT_AN_IMAGE": (exe, exe),  # a renamed .exe
        "CONTENT_TYPE_MISMATCH": (png(), png()),  # a PNG declared as JPEG
        "CHECKSUM_MISMATCH": (small, small[:200] + bytes([small[200] ^ 1]) + small[201:]),
    }
    for code, (declared, sent) in cases.items():
        asked = request_upload(
            gql,
            token,
            job,
            declared,
            byteSize=len(sent) if code != "FILE_TOO_LARGE" else len(declared),
        )
        assert post_form(asked["upload"], sent) == 204
        result = confirm(gql, token, asked["attachment"]["id"])["attachment"]
        assert (result["status"], result["rejectionCode"], result["url"]) == (
            "REJECTED",
            code,
            None,
        )
    # An expired form: the object arrives after the form's expiry (moto does not check it).
    late = request_upload(gql, token, job, small)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    execute(database_url, update(m.Attachment).where(m.Attachment.id == late["attachment"]["id"])
            .values(upload_expires_at=past))  # fmt: skip
    assert post_form(late["upload"], small) == 204
    result = confirm(gql, token, late["attachment"]["id"])["attachment"]
    assert (result["status"], result["rejectionCode"]) == ("REJECTED", "UPLOAD_EXPIRED")
    # A key outside the job's prefix: nothing arrives where the attachment lives.
    stray = request_upload(gql, token, job, small)
    assert post_form(stray["upload"], small, key="t/jobs/someone-else/x") == 204
    answer = gql.data(CONFIRM, {"input": {"id": stray["attachment"]["id"]}}, token=token)
    # Named on the input the phone sent (``id``), not the domain's attachmentId.
    refused = [(e["code"], e["field"]) for e in answer["confirmUpload"]["errors"]]
    assert refused == [("UPLOAD_NOT_FOUND", "id")]
    unknown = gql.data(CONFIRM, {"input": {"id": "no-such-attachment"}}, token=token)
    assert [e["field"] for e in unknown["confirmUpload"]["errors"]] == ["id"]

    # Cleanup: rejected and expired-unconfirmed objects go; the verified photo stays (its
    # sealed original and derivatives; the upload key, its form spent, goes too).
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    result_counts = run(_cleanup(database_url, media.cfg, later))
    assert result_counts.purged >= 6
    kept = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"t/jobs/{job}/")
    names = sorted(o["Key"].rsplit("/", 1)[1] for o in kept.get("Contents", []))
    verified_id = confirmed["id"]
    assert names == sorted(f"{verified_id}.{s}" for s in ("original", "display", "thumb"))
    assert result_counts.released >= 1  # the whole database's: other tests' files count too


def test_a_photo_taken_offline_is_registered_by_the_push_and_uploaded_later(
    database_url: str, media: MediaApp
) -> None:
    gql = media.gql
    engineer, job, _clerk = engineer_on_site(database_url)
    token = bearer(gql, engineer)
    p = Phone(gql.client, token, schema_version=3)
    p.pull()
    data = photo((320, 240))
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    shot = p.create(
        "attachments",
        {"job_id": job, "kind": "FAULT_PHOTO", "content_type": "image/jpeg",
         "byte_size": len(data), "sha256": sha(data), "recorded_at": now_ms - 60_000},
    )  # fmt: skip
    report = json.dumps(REPAIR)
    p.create(
        "job_events",
        {"job_id": job, "action": "COMPLETE", "report_json": report,
         "recorded_at": now_ms - 90_000},
    )  # fmt: skip
    answer = p.push()
    assert answer["experimentalRejectedIds"] == {}, answer
    assert p.push({**p.push_body(), "changes": {"attachments": {"created": [
        {**p.local["attachments"][shot]}], "updated": [], "deleted": []}}})[
        "experimentalRejectedIds"] == {}  # a replayed push changes nothing  # fmt: skip
    evidence = scalars(database_url, select(m.Job.evidence).where(m.Job.id == job))
    assert [str(e) for e in evidence] == ["PENDING"]
    # Back online: the upload for the phone's own id, then the confirmation.
    issued = request_upload(gql, token, job, data, attachmentId=shot)
    assert issued["attachment"]["id"] == shot
    assert post_form(issued["upload"], data) == 204
    assert confirm(gql, token, shot)["attachment"]["status"] == "VERIFIED"
    back = p.pull()["changes"]["attachments"]["updated"]
    assert [(r["id"], r["status"]) for r in back] == [(shot, "VERIFIED")]
    assert back[0]["thumbnail_url"].startswith("http")
    rows = scalars(database_url, select(m.Attachment.id).where(m.Attachment.job_id == job))
    assert rows == [shot]  # one record, however often it was sent


def test_settings_wire_the_rules_and_the_cleanup_command_runs(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    defaults = media_config(Settings(media_root=str(tmp_path)))
    assert defaults.required[TicketType.INSTALL] == {
        AttachmentKind.SIGNATURE,
        AttachmentKind.CONFIRMATION_FORM,
    }
    assert defaults.required[TicketType.WATER_TEST] == {AttachmentKind.WATER_TEST_PHOTO}
    assert defaults.limits[AttachmentKind.SIGNATURE] == MiB
    tighter = Settings(media_root=str(tmp_path), media_max_bytes={"SIGNATURE": 64 * 1024})
    assert media_config(tighter).limits[AttachmentKind.SIGNATURE] == 64 * 1024  # per kind
    with pytest.raises(ValueError, match="BUCKET"):
        Settings(media_backend="s3")
    monkeypatch.setenv("WELLSPRING_DATABASE_URL", database_url)
    monkeypatch.setenv("WELLSPRING_MEDIA_ROOT", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert cli.main(["media-cleanup"]) == 0
    finally:
        get_settings.cache_clear()
    assert "Expired" in capsys.readouterr().out
