"""StartImport from a file uploaded to the media store (RequestImportUpload, then
`uploadId`), on the local store and on S3 (moto's server), with a file over the 1 MiB
request limit; an import whose process died reads as INTERRUPTED and resumes; generated
inputs never get a 5xx."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from tests.api.media_site import BUCKET
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL, make_settings
from tests.factories import execute, scalars
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.imports.runs import ImportFile, content_hash, run_import
from wellspring.domain.media.config import MediaConfig
from wellspring.domain.models.enums import ImportKind
from wellspring.media.images import PillowChecker
from wellspring.media.s3 import S3Store
from wellspring.schema.core.ids import global_id
from wellspring.schema.imports import fields
from wellspring.tabular.reading import read_table

MiB = 1024 * 1024
CSV = "text/csv"
IMPORT = """query($id: ID!) { import(id: $id) { status appliedRows unchangedRows totalRows
  heartbeatAt } }"""


def _customers_file(rows: int) -> bytes:
    """Customers with a long note each: ``rows`` of them pass 1 MiB from about 900."""
    base = random.randrange(10**7, 9 * 10**7)
    note = "老系统迁移备注" * 60
    lines = ["姓名,电话,省份,城市,区县,分公司,备注"]
    lines += [f"上传客户{i},15{base + i:09d},上海市,上海市,闵行区,SH,{note}" for i in range(rows)]
    return "\n".join(lines).encode()


def _count(url: str) -> int:
    return int(scalars(url, select(func.count()).select_from(m.Customer))[0])


@pytest.fixture(params=["local", "s3"])
def store_app(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[tuple[GraphQL, Any]]:
    """An app on the local store (posted through its own endpoint) or on S3 (moto)."""
    if request.param == "local":
        settings = make_settings(database_url, media_root=str(tmp_path / "media"))
        with TestClient(create_app(settings)) as client:
            yield GraphQL(client), client.post
    else:
        client_s3 = request.getfixturevalue("s3")
        cfg = MediaConfig(store=S3Store(bucket=BUCKET, prefix="t/", client=client_s3),
                          checker=PillowChecker())  # fmt: skip
        with TestClient(create_app(make_settings(database_url), media=cfg)) as client:
            yield GraphQL(client), httpx.post


def _request(gql: GraphQL, data: bytes, user: str = "hq", **over: Any) -> dict[str, Any]:
    values = {
        "fileName": "客户.csv",
        "contentType": CSV,
        "byteSize": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        **over,
    }
    answer = gql.data(doc("RequestImportUpload"), {"input": values}, as_user=user)
    return dict(answer["requestImportUpload"])


def _post(poster: Any, form: dict[str, Any], data: bytes) -> int:
    fields = json.loads(form["fields"])
    files = {"file": ("客户.csv", data, fields["Content-Type"])}
    return int(poster(form["url"], data=fields, files=files).status_code)


def _start(gql: GraphQL, **values: Any) -> dict[str, Any]:
    variables = {"input": {"kind": "CUSTOMERS", **values}}
    return dict(gql.data(doc("StartImport"), variables, as_user="hq")["startImport"])


def test_a_file_over_the_request_limit_imports_from_the_store(
    store_app: tuple[GraphQL, Any], database_url: str
) -> None:
    gql, poster = store_app
    data = _customers_file(1000)
    assert len(data) > MiB  # too big for the GraphQL body (WELLSPRING_MAX_BODY_BYTES)
    issued = _request(gql, data)
    assert issued["errors"] == []
    assert issued["importUpload"]["status"] == "PENDING_UPLOAD"
    upload_id = issued["importUpload"]["id"]
    early = _start(gql, uploadId=upload_id)
    assert [e["code"] for e in early["errors"]] == ["IMPORT_UPLOAD_NOT_FOUND"]  # not posted yet
    assert _post(poster, issued["upload"], data) == 204
    before = _count(database_url)
    # Every row of the big file read from the store and checked; a dry run, so the shared
    # database does not gain 1,000 customers (the list tests count them).
    dry = _start(gql, uploadId=upload_id, dryRun=True)
    assert dry["errors"] == []
    checked = dry["import"]
    assert (checked["fileName"], checked["status"], checked["totalRows"]) == (
        "客户.csv",
        "DONE",
        1000,
    )
    assert (checked["errorRows"], checked["appliedRows"]) == (0, 0)
    assert _count(database_url) == before
    # A small uploaded file written for real, then again: nothing changes the second time.
    rows = _customers_file(3)
    small_upload = _request(gql, rows)
    assert _post(poster, small_upload["upload"], rows) == 204
    done = _start(gql, uploadId=small_upload["importUpload"]["id"])["import"]
    assert (done["status"], done["appliedRows"]) == ("DONE", 3)
    again = _start(gql, uploadId=small_upload["importUpload"]["id"])["import"]
    assert (again["appliedRows"], again["unchangedRows"]) == (0, 3)
    assert _count(database_url) == before + 3
    sha = hashlib.sha256(data).hexdigest()
    verified = select(m.ImportUpload.status).where(m.ImportUpload.sha256 == sha)
    assert [str(s) for s in scalars(database_url, verified)] == ["VERIFIED"]
    verifying = select(m.AuditEntry.id).where(m.AuditEntry.action == "import.upload_verified")
    assert scalars(database_url, verifying)

    # The stored object must keep the promises made when the form was asked for.
    small = _customers_file(2)
    other = _request(gql, small, sha256=hashlib.sha256(b"else").hexdigest())
    assert _post(poster, other["upload"], small) == 204
    wrong = _start(gql, uploadId=other["importUpload"]["id"])
    assert [e["code"] for e in wrong["errors"]] == ["IMPORT_UPLOAD_MISMATCH"]
    refused: dict[str, dict[str, Any]] = {
        "IMPORT_UNSUPPORTED_CONTENT_TYPE": {"contentType": "image/png"},
        "IMPORT_FILE_TOO_LARGE": {"byteSize": 21 * MiB},
        "IMPORT_INVALID_SHA256": {"sha256": "abc"},
        "IMPORT_EMPTY_FILE": {"byteSize": 0},
    }
    for code, over in refused.items():
        assert [e["code"] for e in _request(gql, small, **over)["errors"]] == [code], code
    engineer = gql.post(doc("RequestImportUpload"), {"input": {
        "fileName": "a.csv", "contentType": CSV, "byteSize": 1, "sha256": "0" * 64}},
        as_user="tech-sh-1").json()  # fmt: skip
    assert engineer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    both = _start(gql, uploadId=upload_id, content=base64.b64encode(small).decode())
    assert [e["code"] for e in both["errors"]] == ["IMPORT_INVALID_CONTENT"]
    neither = _start(gql, fileName="x.csv")
    assert [e["code"] for e in neither["errors"]] == ["IMPORT_INVALID_CONTENT"]


def test_a_run_whose_process_died_reads_interrupted_and_resumes(
    client: TestClient, gql: GraphQL, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _customers_file(3)
    table = read_table(data)
    file = ImportFile(
        kind=ImportKind.CUSTOMERS,
        file_name="中断.csv",
        content_hash=content_hash(data, ImportKind.CUSTOMERS, {}, None),
        headers=table.headers,
        rows=table.rows,
    )

    async def stop_after_one() -> str | None:
        engine = create_engine(database_url)
        try:
            factory = session_factory(engine)
            report = await run_import(
                lambda: transaction(factory), SYSTEM, file, now=m.utcnow(),
                batch_size=1, stop_after_batches=1,
            )  # fmt: skip
            return report.run_id
        finally:
            await engine.dispose()

    before = _count(database_url)
    run_id = asyncio.run(stop_after_one())
    assert run_id is not None
    gid = global_id("Import", run_id)
    alive = gql.data(IMPORT, {"id": gid}, as_user="hq")["import"]
    assert (alive["status"], alive["appliedRows"]) == ("RUNNING", 1)
    assert alive["heartbeatAt"] is not None
    # Its process may still be applying it: the same file, large enough to be applied in the
    # background, gets the run's progress and starts nothing beside it.
    monkeypatch.setattr(fields, "INLINE_ROWS", 1)
    beside = _start(gql, fileName="中断.csv", content=base64.b64encode(data).decode())
    assert beside["errors"] == []
    assert (beside["import"]["id"], beside["import"]["status"]) == (gid, "RUNNING")
    assert client.portal is not None
    client.portal.call(_background_done, client)
    assert _count(database_url) == before + 1
    monkeypatch.undo()
    # The process is gone: no heartbeat for longer than the lease.
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)
    execute(database_url, update(m.ImportRun).where(m.ImportRun.id == run_id)
            .values(heartbeat_at=stale))  # fmt: skip
    assert gql.data(IMPORT, {"id": gid}, as_user="hq")["import"]["status"] == "INTERRUPTED"
    resumed = _start(gql, fileName="中断.csv", content=base64.b64encode(data).decode())
    assert resumed["errors"] == []
    assert resumed["import"]["id"] == gid
    assert (resumed["import"]["status"], resumed["import"]["appliedRows"]) == ("DONE", 3)
    assert _count(database_url) == before + 3  # none written twice


async def _background_done(client: TestClient) -> None:
    await asyncio.gather(*list(client.app.state.graphql.background))  # type: ignore[attr-defined]


TEXT = st.one_of(st.text(max_size=30), st.sampled_from([CSV, "", "0" * 64]))
UPLOAD_INPUT: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries({
    "fileName": TEXT, "contentType": TEXT,
    "byteSize": st.integers(-(2**31), 2**31 - 1), "sha256": TEXT,
})  # fmt: skip
START_INPUT: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"kind": st.sampled_from([k.value for k in ImportKind])},
    optional={"uploadId": st.one_of(st.text(max_size=20), st.just("SW1wb3J0VXBsb2FkOng=")),
              "fileName": TEXT, "content": st.text(max_size=20), "dryRun": st.booleans()},
)  # fmt: skip


def test_generated_upload_inputs_never_fail_the_server(gql: GraphQL) -> None:
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(name=st.sampled_from(["RequestImportUpload", "StartImport"]), data=st.data())
    def check(name: str, data: st.DataObject) -> None:
        values = data.draw(UPLOAD_INPUT if name == "RequestImportUpload" else START_INPUT)
        response = gql.post(doc(name), {"input": values}, as_user="hq")
        assert response.status_code < 500
        errors = response.json().get("errors") or []
        assert "INTERNAL_ERROR" not in [e.get("extensions", {}).get("code") for e in errors]

    check()
