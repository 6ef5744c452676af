"""Master-data rules that must hold whatever door is used (run in a transaction rolled back)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import in_rollback
from wellspring.domain import permissions
from wellspring.domain.actor import Actor
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.masterdata import setup, technicians, users
from wellspring.domain.models import Job, Technician, User
from wellspring.domain.models.enums import JOB_OPEN_STATUSES, Role


async def _admin(session: AsyncSession) -> Actor:
    user = (await session.execute(select(User).where(User.username == "admin"))).scalar_one()
    return Actor(user_id=user.id, username=user.username, role=Role.ADMIN, branch_id=user.branch_id)


def test_an_engineer_with_open_jobs_stays_on_dispatch(database_url: str) -> None:
    async def body(session: AsyncSession) -> list[str]:
        busy = (
            await session.execute(
                select(Technician)
                .join(Job, Job.technician_id == Technician.id)
                .where(Job.status.in_(JOB_OPEN_STATUSES))
                .limit(1)
            )
        ).scalar_one()
        admin = await _admin(session)
        codes = []
        for call in (
            technicians.upsert_technician(
                session,
                admin,
                change=technicians.TechnicianChange(id=busy.id, is_active=False),
            ),
            users.deactivate_user(session, admin, user_id=busy.user_id),
            users.update_user(
                session, admin, change=users.UserChange(id=busy.user_id, role=Role.HOTLINE)
            ),
        ):
            with pytest.raises(DomainError) as caught:
                await call
            codes.append(caught.value.code)
        return codes

    assert in_rollback(database_url, body) == ["TECHNICIAN_HAS_OPEN_JOBS"] * 3


def test_the_last_admin_cannot_be_demoted_and_init_refuses_a_used_database(
    database_url: str,
) -> None:
    async def body(session: AsyncSession) -> list[str]:
        admin = await _admin(session)
        others = await session.scalar(
            select(func.count()).where(
                User.role == Role.ADMIN, User.is_active, User.id != admin.user_id
            )
        )
        assert others == 0
        codes = []
        with pytest.raises(DomainError) as caught:
            await users.update_user(
                session, admin, change=users.UserChange(id=admin.user_id, role=Role.HQ)
            )
        codes.append(caught.value.code)
        with pytest.raises(DomainError) as caught:
            await setup.initialize(session, admin_username="again", password="password-123")
        codes.append(caught.value.code)
        return codes

    assert in_rollback(database_url, body) == ["LAST_ADMIN", "ALREADY_INITIALIZED"]


def test_every_rule_names_roles_and_a_clerk_reaches_only_their_branch() -> None:
    master_data = [a for a in permissions.RULES if a.endswith((".upsert", ".receive"))]
    # A login's own password is every user's, customers' included: not master data.
    own = ("user.unlock", "user.change_own_password")
    master_data += [a for a in permissions.RULES if a.startswith("user.") and a not in own]
    assert (
        len(master_data) == 17
    )  # + repair levels, bins (14); agents, prices, outlets, articles (18)
    for action in master_data:
        reach = permissions.RULES[action]
        assert reach, action
        assert Role.CUSTOMER not in reach, action
        assert Role.AGENT not in reach, action
    clerk = Actor(user_id="u", username="c", role=Role.CLERK, branch_id="b1")
    permissions.check(clerk, "technician.upsert", branch_id="b1")
    with pytest.raises(PermissionDenied):
        permissions.check(clerk, "technician.upsert", branch_id="b2")
    with pytest.raises(PermissionDenied):
        permissions.check(clerk, "part.upsert")
