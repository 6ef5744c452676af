"""The local store's own upload and download doors (`/media/upload`, `/media/file`): the form
it signs, what it refuses, and arbitrary requests that must never get a 5xx."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.api.media_site import bearer, confirm, engineer_on_site, request_upload
from tests.conftest import GraphQL, make_settings
from tests.media_files import has_location, photo
from wellspring.api.app import create_app
from wellspring.media.local import LocalStore, Refused


@pytest.fixture
def local_app(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(database_url, media_root=str(tmp_path / "media")))
    with TestClient(app) as client:
        yield client


def test_the_local_store_enforces_its_form_and_signs_its_urls(
    local_app: TestClient, database_url: str
) -> None:
    gql = GraphQL(local_app)
    engineer, job, _clerk = engineer_on_site(database_url)
    token = bearer(gql, engineer)
    data = photo((320, 240))
    asked = request_upload(gql, token, job, data, kind="PHOTO")
    form = {**asked["upload"], "fields": json.loads(asked["upload"]["fields"])}
    assert form["url"] == "/media/upload"
    assert set(form["fields"]) >= {
        "key",
        "policy",
        "Content-Type",
    }

    def post(payload: bytes, **fields: str) -> int:
        files = {"file": ("p.jpg", payload, "image/jpeg")}
        return local_app.post(
            form["url"], data={**form["fields"], **fields}, files=files
        ).status_code

    assert post(data, key=f"jobs/{job}/elsewhere") == 403
    assert post(data, **{"Content-Type": "image/png"}) == 403
    assert post(b"") == 403  # content-length-range starts at 1
    assert post(data) == 204
    confirmed = confirm(gql, token, asked["attachment"]["id"])["attachment"]
    assert confirmed["status"] == "VERIFIED"
    served = local_app.get(confirmed["url"])
    assert served.status_code == 200
    assert not has_location(served.content)
    assert local_app.get(confirmed["url"].replace("signature=", "signature=0")).status_code == 403
    store = local_app.app.state.media.store  # type: ignore[attr-defined]
    assert isinstance(store, LocalStore)
    expired_form = store.presign_upload(
        "jobs/x/y", content_type="image/jpeg", max_bytes=10, expires_at=dt.datetime.now(dt.UTC)
    )
    with pytest.raises(Refused, match="POLICY_EXPIRED"):
        store.accept(
            expired_form.fields, b"x", now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        )


FIELD_NAMES = st.sampled_from(
    ["key", "policy", "Content-Type", "x-wellspring-signature", "file", "x"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(FIELD_NAMES, st.text(max_size=40), max_size=5),
    body=st.binary(max_size=200),
    raw=st.booleans(),
)
def test_the_local_upload_door_never_fails_with_a_5xx(
    local_app: TestClient, fields: dict[str, str], body: bytes, raw: bool
) -> None:
    if raw:
        headers = {"content-type": "multipart/form-data; boundary=xyz"}
        response = local_app.post("/media/upload", content=body, headers=headers)
    else:
        files = {"file": ("f", body, "application/octet-stream")}
        response = local_app.post("/media/upload", data=fields, files=files)
    assert response.status_code < 500, response.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["key", "expires", "signature", "x"]),
        st.text(max_size=40) | st.sampled_from(["jobs/../../etc/passwd", "9" * 30, "-1", ""]),
        max_size=4,
    )
)
def test_the_signed_download_door_never_fails_with_a_5xx(
    local_app: TestClient, params: dict[str, str]
) -> None:
    """Arbitrary (or forged) key, expiry and signature: refused, never a 5xx, never a file."""
    response = local_app.get("/media/file", params=params)
    assert response.status_code < 500, response.text
    assert response.status_code == 403
