"""The empty pull's fast path (issue 19 §2, ``domain/sync/unchanged.py``) stays exact.

One phone pulls after each way a record can enter, change or leave its scope; each pull asks
with the cursor its last pull returned, so the fast path's one statement decides first. After
every step the phone's copy must equal what a new installation gets on its first pull (the
full path, which reads the whole scope), and the quiet pull after it must be empty and take
the fast path (counted in statements).
"""

from __future__ import annotations

import datetime as dt
import inspect
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.seen import count_statements
from tests.api.test_sync_statements import EMPTY_PULL, shapes
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    _session_do,
    add_job,
    add_technician,
    any_part,
    live_device,
    make_branch,
    run,
    stock_van,
)
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import ArticleStatus, JobStatus, LedgerKind
from wellspring.domain.sync.scope import RECENT

SCHEMA = 7  # every table, articles and filter stages included


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "me", home=PLACES["people_square"])
    add_technician(s, "other", home=PLACES["xujiahui"])
    device = live_device(database_url)
    for name in ("j1", "j2", "j3", "j4", "j5"):
        add_job(
            s,
            name,
            at=PLACES["jingan"],
            technician="me",
            status=JobStatus.ASSIGNED,
            device_id=device,
        )
    stock_van(s, "me", any_part(database_url), 3)
    stock_van(s, "other", any_part(database_url), 1)
    return s


def change(url: str, work: Callable[[Any], Any]) -> None:
    if not inspect.iscoroutinefunction(work):
        work(url)  # a helper that opens its own session
        return

    async def go(session: Any) -> None:
        await work(session)
        await session.flush()

    run(_session_do(url, go))


def edit(model: Any, row_id: str, **values: Any) -> Callable[[Any], Any]:
    async def work(session: Any) -> None:
        row = await session.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)

    return work


def moved(job_id: str, *path: JobStatus, **values: Any) -> Callable[[Any], Any]:
    """A job moved along legal steps with its history rows, as the use cases would leave it
    (this module's jobs live in the suite's shared database, whose histories are checked)."""

    async def work(session: Any) -> None:
        row = await session.get(m.Job, job_id)
        at = dt.datetime.now(dt.UTC)
        for n, status in enumerate(path):
            step = at + dt.timedelta(milliseconds=n)
            session.add(
                m.JobStatusChange(job_id=job_id, from_status=row.status, to_status=status, at=step)
            )
            row.status = status
        for key, value in values.items():
            setattr(row, key, value)

    return work


def quiet_pull_is_fast(gql: GraphQL, p: Phone) -> None:
    with count_statements(gql.client) as seen:
        body = p.pull()
    assert all(not any(c.values()) for c in body["changes"].values()), body["changes"]
    assert len(seen) <= EMPTY_PULL, f"the fast path was not taken:\n{shapes(seen)}"


def same_as_a_new_phone(gql: GraphQL, p: Phone, token: str) -> None:
    fresh = Phone(gql.client, token, schema_version=SCHEMA)
    fresh.pull()
    for table in fresh.local:
        assert p.local.get(table, {}) == fresh.local[table], table


def test_every_way_into_and_out_of_the_scope_with_the_fast_path(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    url = database_url
    token = gql.login(site.usernames["me"], PASSWORD)["token"]
    p = Phone(gql.client, token, schema_version=SCHEMA)
    p.pull()
    quiet_pull_is_fast(gql, p)
    jobs = site.jobs
    ticket = {j: scalars(url, select(m.Job.ticket_id).where(m.Job.id == jobs[j]))[0] for j in jobs}
    device = scalars(url, select(m.Ticket.device_id).where(m.Ticket.id == ticket["j1"]))[0]
    model_id = scalars(url, select(m.Device.device_model_id).where(m.Device.id == device))[0]
    other_device = scalars(
        url,
        select(m.Device.id)
        .where(m.Device.id != device, m.Device.deleted_at.is_(None))
        .order_by(m.Device.id)
        .limit(1),
    )[0]
    address = scalars(url, select(m.Ticket.address_id).where(m.Ticket.id == ticket["j2"]))[0]
    van = scalars(url, select(m.Warehouse.id).where(m.Warehouse.technician_id == site.techs["me"]))[
        0
    ]
    other_van = scalars(
        url, select(m.Warehouse.id).where(m.Warehouse.technician_id == site.techs["other"])
    )[0]
    balance = scalars(url, select(m.StockBalance.id).where(m.StockBalance.warehouse_id == van))[0]
    part = any_part(url)
    now = dt.datetime.now(dt.UTC)

    def new_job(_url: str) -> None:
        add_job(site, "new", at=PLACES["putuo"], technician="me", status=JobStatus.ASSIGNED)

    async def van_stock_moved(session: Any) -> None:
        row = await session.get(m.StockBalance, balance)  # through the ledger: it must agree
        await ledger.post(
            session,
            SYSTEM,
            warehouse_id=row.warehouse_id,
            part_id=row.part_id,
            bin_=row.bin,
            delta=1,
            kind=LedgerKind.RECEIPT,
        )

    async def note_by_dispatcher(session: Any) -> None:
        author = await session.scalar(select(m.User.id).where(m.User.username == site.clerk))
        session.add(
            m.JobNote(job_id=jobs["j1"], author_id=author, body="调度备注", recorded_at=now)
        )

    async def article(session: Any) -> None:
        found = m.Article(
            status=ArticleStatus.PUBLISHED,
            revision=1,
            title_zh="滤芯",
            title_en="Filter",
            model_ids=[model_id],
        )
        session.add(found)
        await session.flush()
        session.add(m.ArticleTerm(article_id=found.id, term=f"m:{model_id}"))
        site.jobs["article"] = found.id

    async def retire(session: Any) -> None:
        row = await session.get(m.Article, site.jobs["article"])
        row.status = ArticleStatus.RETIRED

    async def filter_stage(session: Any) -> None:
        # A stage of the held (shared) model that never comes due: other tests read its stages.
        found = m.FilterType(device_model_id=model_id, stage=99, name="测试", lifetime_days=36500)
        session.add(found)
        await session.flush()
        site.jobs["filter"] = found.id

    def stage_edited(**values: Any) -> Callable[[Any], Any]:
        async def work(session: Any) -> None:  # the stage is made by an earlier step
            await edit(m.FilterType, site.jobs["filter"], **values)(session)

        return work

    async def swap_vans(session: Any) -> None:
        mine, theirs = (
            await session.get(m.Warehouse, van),
            await session.get(m.Warehouse, other_van),
        )
        mine.technician_id = None  # one van per engineer (unique): one move at a time
        await session.flush()
        theirs.technician_id = site.techs["me"]
        await session.flush()
        mine.technician_id = site.techs["other"]

    steps: list[tuple[str, Callable[[Any], Any]]] = [
        ("a job assigned to the engineer", new_job),
        ("a job reassigned away", edit(m.Job, jobs["j2"], technician_id=site.techs["other"])),
        ("a job cancelled (stays 7 days)", moved(jobs["j3"], JobStatus.CANCELLED)),
        (
            "a job completed long ago",
            edit(m.Job, jobs["j3"], completed_at=now - RECENT - dt.timedelta(hours=1)),
        ),
        ("a job deleted", edit(m.Job, jobs["j4"], deleted_at=now)),
        ("a job reassigned back", edit(m.Job, jobs["j2"], technician_id=site.techs["me"])),
        ("a ticket's device changed", edit(m.Ticket, ticket["j1"], device_id=other_device)),
        ("a ticket's device back", edit(m.Ticket, ticket["j1"], device_id=device)),
        ("a ticket edited", edit(m.Ticket, ticket["j5"], description="漏水")),
        ("a ticket deleted", edit(m.Ticket, ticket["j5"], deleted_at=now)),
        ("a customer renamed", edit(m.Customer, site.customer_id, name="新名字")),
        ("an address edited", edit(m.Address, address, room="1201")),
        ("a device edited", edit(m.Device, device, serial_number="SN-FAST-1")),
        ("a device model renamed", edit(m.DeviceModel, model_id, name="新型号")),
        ("van stock moved", van_stock_moved),
        ("the vans swapped", swap_vans),
        ("a note by the dispatcher", note_by_dispatcher),
        ("a part renamed", edit(m.Part, part, name="新滤芯")),
        ("an article published for a held model", article),
        ("the article retired", retire),
        ("a filter stage added to a held model", filter_stage),
        ("the filter stage renamed", stage_edited(name="活性炭")),
        ("the filter stage retired", stage_edited(deleted_at=now)),
    ]
    for label, work in steps:
        change(url, work)
        body = p.pull()
        assert any(any(c.values()) for c in body["changes"].values()), label
        same_as_a_new_phone(gql, p, token)
        quiet_pull_is_fast(gql, p)


def test_a_closed_job_ages_out_with_nothing_written(
    gql: GraphQL, site: Site, database_url: str
) -> None:
    """The 7-day window moves with the clock alone: no row changes, yet the job leaves."""
    add_job(site, "ageing", at=PLACES["jingan"], technician="me", status=JobStatus.ASSIGNED)
    job = site.jobs["ageing"]
    soon = dt.datetime.now(dt.UTC) - RECENT + dt.timedelta(seconds=2)
    done = (JobStatus.ACCEPTED, JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.COMPLETED)
    change(database_url, moved(job, *done, completed_at=soon))
    token = gql.login(site.usernames["me"], PASSWORD)["token"]
    p = Phone(gql.client, token, schema_version=SCHEMA)
    p.pull()
    assert job in p.local["jobs"]
    time.sleep(max(0.0, (soon + RECENT - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
    body = p.pull()
    assert body["changes"]["jobs"]["deleted"] == [job]
    quiet_pull_is_fast(gql, p)
