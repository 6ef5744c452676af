"""ConfirmUpload holds no transaction while it works on the file (domain/media/confirmation.py).

The seam is the ImageChecker port: a checker that holds each confirmation inside its file
work until the test lets it go, around the real Pillow checker, on the local store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.testclient import TestClient

from tests.api.media_site import COMPLETE, REPAIR, bearer, confirm, engineer_on_site, request_upload
from tests.conftest import GraphQL, make_settings
from tests.factories import execute, fetch, scalars
from tests.media_files import photo
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.media import cleanup
from wellspring.domain.media.config import MediaConfig
from wellspring.domain.media.port import Derivatives
from wellspring.domain.models.enums import AttachmentKind, AttachmentStatus, TicketType
from wellspring.media.images import PillowChecker
from wellspring.media.local import LocalStore
from wellspring.schema.core.ids import global_id
from wellspring.settings import get_settings

WAIT = 20.0  # seconds; far more than a confirmation needs


class HeldChecker:
    """The real checker; each call says it has started and waits until ``release`` (failing
    the confirmation if that never comes)."""

    def __init__(self) -> None:
        self.inner = PillowChecker()
        self.started = threading.Semaphore(0)
        self.release = threading.Event()

    def derive(self, data: bytes, *, content_type: str) -> Derivatives:
        self.started.release()
        if not self.release.wait(WAIT):
            raise TimeoutError("never let go: the test waited for something else")
        return self.inner.derive(data, content_type=content_type)


@dataclass
class Held:
    gql: GraphQL
    checker: HeldChecker
    root: Path
    cfg: MediaConfig


@pytest.fixture
def held(database_url: str, tmp_path: Path) -> Iterator[Held]:
    checker = HeldChecker()
    root = tmp_path / "media"
    cfg = MediaConfig(
        store=LocalStore(root, secret=get_settings().secret_key),
        checker=checker,
        required={TicketType.REPAIR: frozenset({AttachmentKind.FAULT_PHOTO})},
    )
    with TestClient(create_app(make_settings(database_url), media=cfg)) as client:
        yield Held(GraphQL(client), checker, root, cfg)
    checker.release.set()


def _uploaded_and_completed(h: Held, url: str) -> tuple[str, str, str, str]:
    """A repair completed while its fault photo is uploaded but not confirmed: (token, job,
    ticket, attachment id)."""
    engineer, job, _clerk = engineer_on_site(url)
    token = bearer(h.gql, engineer)
    data = photo((64, 48))
    asked = request_upload(h.gql, token, job, data)
    form = asked["upload"]
    files = {"file": ("p.jpg", data, "image/jpeg")}
    posted = h.gql.client.post(form["url"], data=json.loads(form["fields"]), files=files)
    assert posted.status_code == 204
    done = h.gql.data(COMPLETE, {"input": {"jobId": global_id("Job", job), "report": REPAIR}},
                      token=token)["completeJob"]  # fmt: skip
    assert done["job"]["evidence"] == "PENDING", done
    ticket = scalars(url, select(m.Job.ticket_id).where(m.Job.id == job))[0]
    return token, job, ticket, asked["attachment"]["id"]


def _in_background(call: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    return thread, out


def _open_transactions(url: str) -> int:
    """PostgreSQL: other sessions of this database idle inside a transaction."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
    )
    return int(scalars(url, query)[0])


def test_another_writer_commits_while_a_confirmation_works_on_its_file(
    held: Held, database_url: str
) -> None:
    token, job, ticket, attachment = _uploaded_and_completed(held, database_url)
    thread, out = _in_background(lambda: confirm(held.gql, token, attachment))
    try:
        assert held.checker.started.acquire(timeout=WAIT), "the file work never started"
        # On SQLite a write transaction held by the confirmation would make this wait.
        execute(database_url, update(m.Ticket).where(m.Ticket.id == ticket)
                .values(description="changed during the file work"))  # fmt: skip
        if database_url.startswith("postgresql"):
            assert _open_transactions(database_url) == 0
    finally:
        held.checker.release.set()
        thread.join(WAIT)
    assert out[0]["attachment"]["status"] == "VERIFIED", out
    evidence = scalars(database_url, select(m.Job.evidence).where(m.Job.id == job))
    assert [str(e) for e in evidence] == ["COMPLETE"]
    described = scalars(database_url, select(m.Ticket.description).where(m.Ticket.id == ticket))
    assert described == ["changed during the file work"]  # the confirmation kept it


def test_two_confirmations_of_one_upload_record_one_result(held: Held, database_url: str) -> None:
    token, job, ticket, attachment = _uploaded_and_completed(held, database_url)
    runs = [_in_background(lambda: confirm(held.gql, token, attachment)) for _ in range(2)]
    try:
        for _ in runs:  # both are in their file work at once: neither waits for the other
            assert held.checker.started.acquire(timeout=WAIT), "a confirmation never started"
    finally:
        held.checker.release.set()
        for thread, _out in runs:
            thread.join(WAIT)
    answers = [out[0]["attachment"]["status"] for _thread, out in runs]
    assert answers == ["VERIFIED", "VERIFIED"]

    def count(action: str) -> int:
        query = select(func.count()).where(
            m.AuditEntry.action == action, m.AuditEntry.entity_id == job
        )
        return int(scalars(database_url, query)[0])

    assert (count("attachment.verified"), count("job.evidence_complete")) == (1, 1)
    follow_ups = select(func.count()).where(m.FollowUp.ticket_id == ticket)
    assert scalars(database_url, follow_ups) == [1]  # fell due once
    stored = (held.root / "jobs" / job).iterdir()
    files = sorted(p.name for p in stored if p.suffix != ".meta")
    derived = (f"{attachment}{s}" for s in ("", ".original", ".display", ".thumb"))
    assert files == sorted(derived)


def test_confirmations_batched_or_mixed_in_one_document_each_count_once(
    held: Held, database_url: str
) -> None:
    """Two confirmations in one document (each its own unit of work), and one beside another
    field (then the whole document is one transaction, file work included)."""
    held.checker.release.set()
    token, job, _ticket, first = _uploaded_and_completed(held, database_url)
    more = []
    for size in ((50, 40), (60, 40)):
        data = photo(size)
        asked = request_upload(held.gql, token, job, data)
        fields = json.loads(asked["upload"]["fields"])
        files = {"file": ("p.jpg", data, "image/jpeg")}
        assert held.gql.client.post(asked["upload"]["url"], data=fields, files=files).is_success
        more.append(asked["attachment"]["id"])
    fields = "attachment { id status } errors { code }"
    batched = held.gql.data(
        f"""mutation($a: ConfirmUploadInput!, $b: ConfirmUploadInput!) {{
          a: confirmUpload(input: $a) {{ {fields} }}
          b: confirmUpload(input: $b) {{ {fields} }} }}""",
        {"a": {"id": first}, "b": {"id": more[0]}},
        token=token,
    )
    assert [batched[k]["attachment"]["status"] for k in "ab"] == ["VERIFIED", "VERIFIED"]
    mixed = held.gql.data(
        f"""mutation($a: ConfirmUploadInput!) {{ __typename
          confirmUpload(input: $a) {{ {fields} }} }}""",
        {"a": {"id": more[1]}},
        token=token,
    )
    assert mixed["confirmUpload"]["attachment"]["status"] == "VERIFIED"
    verified = select(func.count()).where(
        m.AuditEntry.action == "attachment.verified", m.AuditEntry.entity_id == job
    )
    assert scalars(database_url, verified) == [3]


def test_an_upload_the_cleanup_expires_during_its_file_work_goes_back_to_the_cleanup(
    held: Held, database_url: str
) -> None:
    token, _job, _ticket, attachment = _uploaded_and_completed(held, database_url)
    thread, out = _in_background(lambda: confirm(held.gql, token, attachment))
    try:
        assert held.checker.started.acquire(timeout=WAIT), "the file work never started"
        now = dt.datetime.now(dt.UTC)
        execute(database_url, update(m.Attachment).where(m.Attachment.id == attachment)
                .values(status=AttachmentStatus.EXPIRED, purged_at=now))  # fmt: skip
    finally:
        held.checker.release.set()
        thread.join(WAIT)
    assert out[0]["attachment"]["status"] == "EXPIRED", out
    left = select(m.Attachment.purged_at).where(m.Attachment.id == attachment)
    assert scalars(database_url, left) == [None]  # the next pass deletes the derivatives too


def test_the_cleanup_leaves_an_upload_whose_confirmation_is_committing(
    held: Held, database_url: str, postgresql_only: None
) -> None:
    """The cleanup takes only stale uploads no one else holds (FOR UPDATE SKIP LOCKED): one a
    confirmation is recording is neither marked EXPIRED over its verdict nor deleted."""
    held.checker.release.set()
    _token, job, _ticket, attachment = _uploaded_and_completed(held, database_url)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)  # the upload is long stale

    async def go() -> cleanup.CleanupResult:
        engine = create_engine(database_url)
        factory = session_factory(engine, config=DomainConfig(media=held.cfg))
        try:
            async with factory() as recording:  # ConfirmUpload's record step, not committed
                await recording.begin()
                row = select(m.Attachment).filter_by(id=attachment).with_for_update()
                (await recording.execute(row)).scalar_one().status = AttachmentStatus.VERIFIED
                await recording.flush()
                sweep = asyncio.ensure_future(_cleanup_once(factory, later))
                done, _ = await asyncio.wait({sweep}, timeout=5)
                await recording.commit()
                assert done, "the cleanup waited for the confirmation"
                return await sweep
        finally:
            await engine.dispose()

    asyncio.run(go())  # (other tests' leftovers in this database may be purged)
    left = select(m.Attachment.status, m.Attachment.purged_at).filter_by(id=attachment)
    assert [tuple(r) for r in fetch(database_url, left)] == [(AttachmentStatus.VERIFIED, None)]
    assert (held.root / "jobs" / job / attachment).exists()


async def _cleanup_once(
    factory: async_sessionmaker[AsyncSession], now: dt.datetime
) -> cleanup.CleanupResult:
    async with transaction(factory) as session:
        return await cleanup.run(session, now=now)
