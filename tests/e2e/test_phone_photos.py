"""A photo taken offline with the real phone client, uploaded once the phone is back online.

The engineer completes a visit offline with its required photo; the push registers the photo
(``PENDING_UPLOAD``) and the completion (evidence ``PENDING``). Back online the phone asks for
an upload form for its own record id, posts the file, confirms; answers lost on the way make
it try again, and nothing is duplicated. The next pull brings ``VERIFIED`` and a thumbnail URL
into the phone's database. On the local store and on S3 (moto's server, in the PostgreSQL suite).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select

from tests.conftest import BACKEND, DEMO_SCALE, _seed, make_database, make_settings
from tests.e2e.live import GraphQL, Phone, free_port, live_server
from tests.e2e.phone_day import ENGINEER, TO_ON_SITE, clean_sync, require_client
from tests.factories import fetch, scalars
from tests.media_files import has_location, photo
from wellspring.api import migrations
from wellspring.domain import models as m

BUCKET = "wellspring-e2e"
# A visit the phone can complete with a plain report, and the file its completion needs.
VISITS = {
    "WATER_TEST": ("WATER_TEST_PHOTO", {"waterTest": {"tds": 30, "ph": 7.2, "temperature": 18}}),
    "INSTALL": ("CONFIRMATION_FORM", {"confirmationNumber": "QR-20261203"}),
}


@pytest.fixture(params=["local", "s3"])
def photo_server(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str, Any]]:
    """(database URL, base URL, how to list a job's stored files) of a live server. The S3
    variant runs in the PostgreSQL suite only: the phone's upload is the same form post, and
    each variant costs a seeded database and a dozen runs of the client."""
    require_client()
    if request.param == "s3" and BACKEND != "postgresql":
        pytest.skip("S3 (moto) runs in the PostgreSQL suite")
    url, drop = make_database(tmp_path, "photos")
    settings: dict[str, Any] = {
        "media_required_evidence": {t: [kind] for t, (kind, _r) in VISITS.items()},
        "media_root": str(tmp_path / "media"),
    }
    moto = None
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, DEMO_SCALE))
        if request.param == "s3":
            moto = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
            moto.start()
            endpoint = "http://{}:{}".format(*moto.get_host_and_port())
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            s3.create_bucket(Bucket=BUCKET)
            settings.update(media_backend="s3", media_bucket=BUCKET, media_region="us-east-1",
                            media_endpoint_url=endpoint)  # fmt: skip

            def stored(job: str) -> list[str]:
                listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"jobs/{job}/")
                return sorted(o["Key"].rsplit("/", 1)[1] for o in listed.get("Contents", []))
        else:

            def stored(job: str) -> list[str]:
                folder = tmp_path / "media" / "jobs" / job
                return sorted(p.name for p in folder.iterdir() if p.suffix != ".meta")

        with live_server(make_settings(url, **settings)) as base:
            yield url, base, stored
    finally:
        if moto is not None:
            moto.stop()
        drop()


def lossy(phone: Phone, lose: str, *args: str) -> dict[str, Any]:
    phone.env["SYNC_LOSE"] = lose
    try:
        step = phone.run(*args, expect=1)
    finally:
        del phone.env["SYNC_LOSE"]
    assert f"SYNC_LOSE={lose}" in (step.report["error"] or ""), step.explain()
    return step.report


def test_a_photo_taken_offline_goes_up_after_the_sync(
    photo_server: tuple[str, str, Any], tmp_path: Path
) -> None:
    url, base, stored = photo_server
    gql = GraphQL(base)
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))
    state = clean_sync(phone)
    held = phone.dump()["tables"]
    types = {t["id"]: t["type"] for t in held["tickets"]}
    nearest = sorted(
        held["jobs"], key=lambda j: (len(TO_ON_SITE.get(j["status"], "")), j["number"])
    )
    visit = next(
        (j for j in nearest
         if j["status"] in TO_ON_SITE and types[j["ticket_id"]] in VISITS),
        None,
    )  # fmt: skip
    assert visit is not None, f"the demo engineer has no open {' or '.join(VISITS)} job"
    job = visit["id"]
    kind, report = VISITS[types[visit["ticket_id"]]]

    # Offline: on site, the photo, the completion.
    clock = int(time.time() * 1000) - 5 * 60_000
    for action in TO_ON_SITE[visit["status"]]:
        clock += 10_000
        phone.create("job_events", {"job_id": job, "action": action, "recorded_at": clock})
    picture = tmp_path / "meter.jpg"
    picture.write_bytes(photo((640, 480)))
    shot = phone.run("photo", job, str(picture), kind).report["record"]
    assert (shot["byte_size"], shot["_status"]) == (picture.stat().st_size, "created")
    phone.create("job_events", {"job_id": job, "action": "COMPLETE", "recorded_at": clock + 1,
                                "report_json": json.dumps(report)})  # fmt: skip

    pushed = clean_sync(phone)
    assert pushed["pushed"]["attachments"]["created"] == [shot["id"]], pushed
    row = fetch(url, select(m.Attachment.status).where(m.Attachment.id == shot["id"]))
    assert [str(r[0]) for r in row] == ["PENDING_UPLOAD"]
    evidence = fetch(url, select(m.Job.status, m.Job.evidence).where(m.Job.id == job))
    assert [(str(s), str(e)) for s, e in evidence] == [("COMPLETED", "PENDING")]

    # Back online: the first upload's answer is lost, then the confirmation's; each retry
    # asks again for the same id and finds what the server already has.
    assert lossy(phone, "upload-answer", "upload")["uploads"] == []
    assert stored(job) == [shot["id"]]  # the original is in, nothing confirmed
    lossy(phone, "confirm-answer", "upload")
    again = phone.run("upload").report["uploads"]
    assert again == [
        {"id": shot["id"], "requested": "VERIFIED", "posted": None, "confirmed": None}
    ], again

    # The next pull brings the verdict and a thumbnail into the phone's database.
    back = clean_sync(phone)
    assert back["pulled"]["attachments"]["updated"] == [shot["id"]], back
    local = phone.records("attachments")[shot["id"]]
    assert (local["status"], local["_status"]) == ("VERIFIED", "synced")
    assert local["thumbnail_url"], local
    thumbnail = _get(local["thumbnail_url"], base)
    assert thumbnail[:2] == b"\xff\xd8"
    assert not has_location(thumbnail)
    assert phone.run("upload").report["uploads"] == []  # nothing left to send

    # One of everything on the server: the upload (until the cleanup), the sealed original
    # that is served, its display copy and thumbnail.
    name = shot["id"]
    assert stored(job) == sorted([name, f"{name}.original", f"{name}.display", f"{name}.thumb"])
    assert scalars(url, select(m.Attachment.id).where(m.Attachment.job_id == job)) == [name]
    audits = select(m.AuditEntry.action, func.count()).where(m.AuditEntry.entity_id == job)
    counts = dict(fetch(url, audits.group_by(m.AuditEntry.action)))
    assert (counts.get("attachment.verified"), counts.get("job.evidence_complete")) == (1, 1)
    assert [str(e) for e in scalars(url, select(m.Job.evidence).where(m.Job.id == job))] == [
        "COMPLETE"
    ]
    assert state["newLastPulledAt"]


def _get(url: str, base: str) -> bytes:
    full = url if url.startswith("http") else f"{base}{url}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(full, timeout=30) as response:
        return bytes(response.read())
