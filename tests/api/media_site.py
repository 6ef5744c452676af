"""What the media tests share: the engineer's documents, an engineer on site, and the three
steps of an upload (ask, post the form, confirm). The S3 server is tests/api/conftest.py's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import GraphQL
from tests.dispatch_site import PLACES, add_job, add_technician, make_branch, signed_in
from tests.media_files import sha
from wellspring.domain.models.enums import JobStatus
from wellspring.schema.core.ids import global_id

BUCKET = "wellspring-test"
DOCS = Path(__file__).resolve().parents[2] / "clients" / "engineer"
REQUEST = (DOCS / "RequestUpload.graphql").read_text()
CONFIRM = (DOCS / "ConfirmUpload.graphql").read_text()
COMPLETE = """mutation($input: JobCompleteInput!) { completeJob(input: $input) {
  job { status evidence } errors { code } } }"""
REPAIR = {"faultSymptom": "不出水", "faultCode": "E02", "repairLevel": "LEVEL_1"}


def engineer_on_site(url: str) -> tuple[str, str, str]:
    """A new branch with an engineer on site at a repair: (engineer, job id, clerk)."""
    site = make_branch(url)
    add_technician(site, "a", home=PLACES["jingan"])
    job = add_job(site, "fix", at=PLACES["jingan"], technician="a", status=JobStatus.ON_SITE)
    return site.usernames["a"], job, site.clerk


def bearer(gql: GraphQL, username: str) -> str:
    """A signed-in user's bearer token."""
    return gql.token(signed_in(gql, username))


def request_upload(gql: GraphQL, token: str, job: str, data: bytes, **over: Any) -> dict[str, Any]:
    """RequestUpload for a fault photo of ``data`` (``over`` replaces any input value)."""
    values = {
        "jobId": global_id("Job", job),
        "kind": "FAULT_PHOTO",
        "contentType": "image/jpeg",
        "byteSize": len(data),
        "sha256": sha(data),
        **over,
    }
    return dict(gql.data(REQUEST, {"input": values}, token=token)["requestUpload"])


def post_form(form: dict[str, Any], data: bytes, **fields: str) -> int:
    """Post the file to a store's absolute upload URL, as the phone does."""
    sent = {**json.loads(form["fields"]), **fields}
    files = {"file": ("photo.jpg", data, sent.get("Content-Type", "image/jpeg"))}
    return httpx.post(form["url"], data=sent, files=files, timeout=30).status_code


def confirm(gql: GraphQL, token: str, attachment_id: str) -> dict[str, Any]:
    return dict(gql.data(CONFIRM, {"input": {"id": attachment_id}}, token=token)["confirmUpload"])
