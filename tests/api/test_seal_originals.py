"""``wellspring seal-originals``: files verified before sealed originals (0015y) are copied,
inside the store, to the key no upload form can write, and served from there; a file whose
upload key holds other bytes than those verified, or nothing, is left as it was and counted.
Run on the local store and on moto's S3 server (the real wire), through the command line as
an operator would, stopped midway and run again."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from tests.api.media_site import BUCKET, bearer, confirm, engineer_on_site, request_upload
from tests.api.test_media_sealed import STAFF_VIEW, Site
from tests.conftest import TEST_SECRET, GraphQL, make_settings
from tests.factories import execute, fetch
from tests.media_files import photo, sha
from wellspring.api import cli
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.media.config import MediaConfig
from wellspring.media.images import PillowChecker
from wellspring.media.local import LocalStore
from wellspring.media.s3 import S3Store
from wellspring.schema.core.ids import global_id
from wellspring.settings import get_settings

REPORT = re.compile(r"Sealed (\d+) files; left (\d+) .* and (\d+) whose")


@pytest.fixture(params=["local", "s3"])
def site(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Site]:
    """The app and the command on one store (S3: under a prefix of this test's own)."""
    env = {"WELLSPRING_DATABASE_URL": database_url, "WELLSPRING_MEDIA_BACKEND": request.param}
    if request.param == "s3":
        s3 = request.getfixturevalue("s3")
        prefix = f"seal-{uuid.uuid4().hex[:8]}/"
        store: Any = S3Store(bucket=BUCKET, prefix=prefix, client=s3)
        env |= {
            "WELLSPRING_MEDIA_BUCKET": BUCKET,
            "WELLSPRING_MEDIA_REGION": "us-east-1",
            "WELLSPRING_MEDIA_ENDPOINT_URL": s3.meta.endpoint_url,
            "WELLSPRING_MEDIA_KEY_PREFIX": prefix,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }
    else:
        store = LocalStore(tmp_path / "media", secret=TEST_SECRET)
        env |= {"WELLSPRING_MEDIA_ROOT": str(tmp_path / "media")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    cfg = MediaConfig(store=store, checker=PillowChecker())
    with TestClient(create_app(make_settings(database_url), media=cfg)) as client:
        yield Site(GraphQL(client), cfg, database_url)
    get_settings.cache_clear()


def _seal(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, int, int, str]:
    assert cli.main(["seal-originals", *args]) == 0
    out = capsys.readouterr()
    found = REPORT.search(out.out)
    assert found, out.out
    sealed, changed, missing = (int(n) for n in found.groups())
    return sealed, changed, missing, out.err


def test_files_verified_before_are_sealed_once_and_the_rest_reported(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    engineer, job, clerk = engineer_on_site(site.url)
    token = bearer(site.gql, engineer)
    store = site.cfg.store
    assert store is not None
    files: dict[str, tuple[str, bytes]] = {}
    for name, size in (
        ("plain", 320),
        ("copied", 330),
        ("changed", 340),
        ("gone", 350),
        ("new", 360),
    ):
        data = photo((size, 240))
        asked = request_upload(site.gql, token, job, data)
        assert site.post(asked["upload"], data) == 204
        attachment = asked["attachment"]["id"]
        assert confirm(site.gql, token, attachment)["attachment"]["status"] == "VERIFIED"
        files[name] = attachment, data
        if name == "new":
            continue  # sealed by its confirmation
        # As a row verified before 0015y left it: no sealed copy, served from its upload key.
        execute(site.url, update(m.Attachment).where(m.Attachment.id == attachment)
                .values(original_key=""))  # fmt: skip
        if name != "copied":  # "copied": a run that died after its copy, before recording it
            store.delete(f"jobs/{job}/{attachment}.original")
        if name == "changed":  # a form still valid rewrote the upload key after verification
            assert site.post(asked["upload"], photo((640, 480))) == 204
        if name == "gone":
            store.delete(f"jobs/{job}/{attachment}")

    def original_keys() -> dict[str, str]:
        rows = select(m.Attachment.id, m.Attachment.original_key)
        return dict(fetch(site.url, rows.where(m.Attachment.job_id == job)))

    new_key = original_keys()[files["new"][0]]
    # Stopped after one file (other tests' rows may come first: they count too).
    stopped = _seal(capsys, "--limit", "1")
    assert sum(stopped[:3]) == 1
    first, changed, missing, err = _seal(capsys)
    assert stopped[0] + first == 2  # "plain" and "copied", each once
    keys = original_keys()
    for name in ("plain", "copied"):
        attachment, data = files[name]
        assert keys[attachment] == f"jobs/{job}/{attachment}.original"
        assert sha(store.read(keys[attachment], max_bytes=len(data) + 1)) == sha(data)
    assert keys[files["changed"][0]] == keys[files["gone"][0]] == ""
    assert keys[files["new"][0]] == new_key
    assert changed == 1  # only this test's store holds an upload key of other bytes
    assert missing >= 1
    assert files["changed"][0] in err
    assert files["gone"][0] in err
    assert store.stat(f"jobs/{job}/{files['changed'][0]}.original") is None
    # Served from the sealed copy now: what staff get is the verified file.
    views = site.gql.data(STAFF_VIEW, {"id": global_id("Job", job)}, token=bearer(site.gql, clerk))
    served = {v["id"]: v["originalUrl"] for v in views["node"]["attachments"]}
    for name in ("plain", "copied"):
        attachment, data = files[name]
        url = served[attachment]
        assert f"{attachment}.original" in url
        assert sha(site.get(url)) == sha(data)
    # Run again: nothing left to seal, the same two reported.
    again, changed_again, _missing, err_again = _seal(capsys)
    assert again == 0
    assert changed_again == 1
    assert files["changed"][0] in err_again
    assert original_keys() == keys
