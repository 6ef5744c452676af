"""Logins and engineers taken out of service while another transaction decides on them: each
waits for the other and decides on what it left (found by reading every decision read from
a row and written back; both answered OK with a wrong result).

Made certain as in ``test_decision_races.py``; only PostgreSQL lets two writers overlap."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import PASSWORD, PLACES, add_job, add_technician, make_branch, run
from tests.factories import execute, fetch, raw_id, scalars, unique
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import DeviceModel, FilterType, Technician, User
from wellspring.domain.models.enums import Role
from wellspring.domain.users import create_user
from wellspring.domain.workflow.dispatching import assign_job
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")


async def _new_admin(url: str) -> str:
    username = unique("admin")
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await create_user(
                session, SYSTEM, username=username, password=PASSWORD, role=Role.ADMIN,
                display_name=username,
            )  # fmt: skip
    finally:
        await engine.dispose()
    return username


@pytest.fixture
def admins_back(database_url: str) -> Iterator[list[str]]:
    """The admins active before the test are the only ones active after it (the database is
    shared: the last-admin rule of another test counts them)."""
    active = select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    before = scalars(database_url, active)
    yield before
    execute(database_url, update(User).where(User.id.in_(before)).values(is_active=True))
    made = update(User).where(User.role == Role.ADMIN, User.id.not_in(before))
    execute(database_url, made.values(is_active=False))


def test_two_admins_removing_each_other_at_once_leave_one(
    database_url: str, gql: GraphQL, admins_back: list[str]
) -> None:
    """B deactivates every other admin (uncommitted) while A deactivates B: both counted the
    other as still active, and the company was left with no admin at all."""
    a, b = run(_new_admin(database_url)), run(_new_admin(database_url))
    ids = dict(fetch(database_url, select(User.username, User.id).where(User.username.in_([a, b]))))
    gql.sign_in(a, PASSWORD)

    async def hold(session: AsyncSession) -> None:  # B's deactivations, as the code makes them
        await session.execute(
            select(User.id)
            .where(User.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
        await session.execute(
            update(User).where(User.role == Role.ADMIN, User.id != ids[b]).values(is_active=False)
        )

    variables = {"input": {"id": global_id("User", ids[b])}}
    answer = race(database_url, gql, a, hold, doc("DeactivateUser"), variables)
    assert [e["code"] for e in answer["data"]["deactivateUser"]["errors"]] == ["LAST_ADMIN"]
    still = select(User.is_active).where(User.id == ids[b])
    assert scalars(database_url, still) == [True]


def test_an_engineer_given_a_job_meanwhile_is_not_deactivated(
    database_url: str, gql: GraphQL
) -> None:
    """A job being assigned to the engineer (uncommitted) while an admin deactivates them:
    the check of their open jobs missed it, and the engineer left with a job no one would do."""
    s = make_branch(database_url)
    tech = add_technician(s, "a", home=PLACES["jingan"])
    add_job(s, "job", at=PLACES["jingan"])
    login = scalars(database_url, select(Technician.user_id).where(Technician.id == tech))[0]

    async def hold(session: AsyncSession) -> None:  # AssignJob, not yet committed
        await assign_job(session, SYSTEM, job_id=s.jobs["job"], technician_id=tech)

    variables = {"input": {"id": global_id("User", login)}}
    answer = race(database_url, gql, "admin", hold, doc("DeactivateUser"), variables)
    codes = [e["code"] for e in answer["data"]["deactivateUser"]["errors"]]
    assert codes == ["TECHNICIAN_HAS_OPEN_JOBS"]
    active = select(Technician.is_active).where(Technician.id == tech)
    assert scalars(database_url, active) == [True]


def test_a_filter_stage_added_by_two_edits_at_once_is_added_once(
    database_url: str, gql: GraphQL
) -> None:
    """Each edit found stage 2 missing and added it: the model had two stage-2 filters, and
    the one no report ever changed kept opening filter-change tickets."""
    stage_1 = {"stage": 1, "name": "PP 棉", "lifetimeDays": 180}
    made = {"code": unique("M").upper()[:16], "name": "竞态机型", "listPrice": "2980",
            "filters": [stage_1]}  # fmt: skip
    answer = gql.data(doc("UpsertDeviceModel"), {"input": made}, as_user="hq")
    model = answer["upsertDeviceModel"]["deviceModel"]["id"]

    async def hold(session: AsyncSession) -> None:  # the other edit, as the code makes it
        await session.get(DeviceModel, raw_id(model), with_for_update=True)
        session.add(FilterType(device_model_id=raw_id(model), stage=2, name="活性炭",
                               lifetime_days=360))  # fmt: skip
        await session.flush()

    stage_2 = {"stage": 2, "name": "活性炭", "lifetimeDays": 360}
    edit = {"input": {"id": model, "filters": [stage_1, stage_2]}}
    answer = race(database_url, gql, "hq", hold, doc("UpsertDeviceModel"), edit)
    assert answer["data"]["upsertDeviceModel"]["errors"] == []
    stages = select(FilterType.stage).where(
        FilterType.device_model_id == raw_id(model), FilterType.deleted_at.is_(None)
    )
    assert sorted(scalars(database_url, stages)) == [1, 2]
