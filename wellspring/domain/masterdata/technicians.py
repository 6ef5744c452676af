"""Engineers: a login, skills by ticket type, shift days and hours, a home base, and a van.

HQ manages every branch's engineers; a branch clerk only their own branch's
(``permissions.RULES["technician.upsert"]``). The van warehouse is made with the engineer and
follows them when they move branch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import cells
from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import Agent, Branch, Job, Technician, User, Warehouse
from ..models.base import code_key
from ..models.enums import JOB_OPEN_STATUSES, BranchKind, Role, TicketType, WarehouseKind
from . import fields


@dataclass(frozen=True)
class TechnicianChange:
    """What to set; ``None`` leaves a field as it is. A new engineer needs a username,
    a password and a branch; their login is made with them."""

    id: str | None = None
    username: str | None = None
    password: str | None = None
    display_name: str | None = None
    phone: str | None = None
    branch_id: str | None = None
    skills: Sequence[TicketType] | None = None
    shift_start: str | None = None
    shift_end: str | None = None
    work_days: Sequence[int] | None = None
    home_latitude: float | None = None
    home_longitude: float | None = None
    is_active: bool | None = None
    agent_id: str | None = None  # an agent's own engineer (issue 18)


def van_code(username: str) -> str:
    return code_key(f"VAN-{username}"[:32])


async def enrol(
    session: AsyncSession, *, user: User, branch_id: str, skills: Sequence[TicketType] = ()
) -> Technician:
    """The engineer record and van of a new engineer login (every skill unless told)."""
    technician = Technician(
        user_id=user.id,
        branch_id=branch_id,
        skills=[t.value for t in (skills or list(TicketType))],
    )
    session.add(technician)
    await session.flush()
    code = van_code(user.username)
    taken = await session.scalar(select(Warehouse.id).where(Warehouse.code == code))
    session.add(
        Warehouse(
            code=code if taken is None else code[:23] + "-" + technician.id[:8],
            name=f"{user.display_name} 车载库",
            kind=WarehouseKind.VAN,
            branch_id=branch_id,
            technician_id=technician.id,
        )
    )
    await session.flush()
    return technician


async def has_open_jobs(session: AsyncSession, technician_id: str) -> bool:
    open_job = await session.scalar(
        select(Job.id).where(
            Job.technician_id == technician_id,
            Job.status.in_(JOB_OPEN_STATUSES),
            Job.deleted_at.is_(None),
        )
    )
    return open_job is not None


async def stand_down(session: AsyncSession, technician: Technician, *, field: str) -> None:
    """The engineer made inactive, unless a job is still theirs. Their row is held first, as
    AssignJob holds it: a job given to them meanwhile is seen (or waits, and is refused),
    where before the engineer left with it."""
    held = select(Technician.id).where(Technician.id == technician.id).with_for_update()
    await session.execute(held)
    if await has_open_jobs(session, technician.id):
        raise DomainError("TECHNICIAN_HAS_OPEN_JOBS", field=field)
    technician.is_active = False


async def _branch(session: AsyncSession, branch_id: str) -> Branch:
    branch = await fields.existing(session, Branch, branch_id, "branch_id")
    if branch.kind is BranchKind.HQ or not branch.is_active:
        raise DomainError("INVALID_BRANCH", field="branch_id")
    return branch


async def _create(session: AsyncSession, actor: Actor, change: TechnicianChange) -> Technician:
    from .users import NewLogin, create_login

    if change.branch_id is None:
        raise DomainError("REQUIRED", field="branch_id")
    permissions.check(actor, "technician.upsert", branch_id=change.branch_id)
    branch = await _branch(session, change.branch_id)
    user = await create_login(
        session,
        actor,
        login=NewLogin(
            username=change.username or "",
            password=change.password or "",
            role=Role.TECHNICIAN,
            display_name=change.display_name or "",
            branch_id=branch.id,
            phone=change.phone or "",
        ),
        enrol_engineer=False,
        permission="technician.upsert",
    )
    return await enrol(session, user=user, branch_id=branch.id, skills=change.skills or ())


async def upsert_technician(
    session: AsyncSession, actor: Actor, *, change: TechnicianChange
) -> Technician:
    if change.id is None:
        technician = await _create(session, actor, change)
    else:
        permissions.check(actor, "technician.upsert")
        technician = await fields.existing(session, Technician, change.id, "id")
        # Another branch's engineer looks missing to a clerk, as everywhere else.
        if not permissions.allows(actor, "technician.upsert", branch_id=technician.branch_id):
            raise DomainError("NOT_FOUND", field="id")
        if change.branch_id is not None and change.branch_id != technician.branch_id:
            permissions.check(actor, "technician.upsert", branch_id=change.branch_id)
            technician.branch_id = (await _branch(session, change.branch_id)).id
            van = await session.scalar(
                select(Warehouse).where(Warehouse.technician_id == technician.id)
            )
            if van is not None:
                van.branch_id = technician.branch_id
        user = await fields.existing(session, User, technician.user_id, "id")
        if change.display_name is not None:
            user.display_name = fields.text(change.display_name, "display_name")
        if change.phone is not None:
            user.phone = fields.text(change.phone, "phone", maximum=32, required=False)
        if change.skills is not None:
            technician.skills = [t.value for t in change.skills]
    if change.skills is not None and not change.skills:
        raise DomainError("REQUIRED", field="skills")
    _set_shift(technician, change)
    if change.home_latitude is not None or change.home_longitude is not None:
        lat, lon = fields.latitude_longitude(change.home_latitude, change.home_longitude, "home")
        technician.home_latitude, technician.home_longitude = lat, lon
        technician.home_cell = cells.cell(lat, lon) if lat is not None and lon is not None else None
    if change.is_active is True:
        technician.is_active = True
    elif change.is_active is False and technician.is_active:
        await stand_down(session, technician, field="is_active")
    if change.agent_id is not None:
        agent = await fields.existing(session, Agent, change.agent_id, "agent_id")
        technician.agent_id = agent.id
    await session.flush()
    audit.record(
        session,
        actor,
        "technician.created" if change.id is None else "technician.updated",
        entity_type="Technician",
        entity_id=technician.id,
    )
    return technician


def _set_shift(technician: Technician, change: TechnicianChange) -> None:
    if change.shift_start is not None:
        technician.shift_start = fields.clock_time(change.shift_start, "shift_start")
    if change.shift_end is not None:
        technician.shift_end = fields.clock_time(change.shift_end, "shift_end")
    if technician.shift_end <= technician.shift_start:
        raise DomainError("INVALID_SHIFT", field="shift_end")
    if change.work_days is not None:
        days = sorted(set(change.work_days))
        if any(day < 1 or day > 7 for day in days):
            raise DomainError("INVALID_WORK_DAYS", field="work_days")
        technician.work_days = days
