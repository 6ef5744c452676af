"""Logins, managed by administrators: create, change role/branch/name, deactivate (ending every
session), reset a password. Nothing is deleted; the last active admin cannot be removed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, auth, permissions
from ..actor import Actor
from ..auth import hash_password
from ..clock import clock_of
from ..errors import DomainError
from ..locales import supported_locale
from ..models import Agent, AuthSession, Branch, Customer, Technician, User
from ..models.enums import Role
from . import fields
from .technicians import enrol, stand_down

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # a passphrase fits; a megabyte sent to the hasher does not
NEEDS_BRANCH = frozenset({Role.CLERK, Role.SALES, Role.TECHNICIAN})


@dataclass(frozen=True)
class NewLogin:
    username: str
    password: str
    role: Role
    display_name: str = ""
    branch_id: str | None = None
    agent_id: str | None = None
    customer_id: str | None = None
    phone: str = ""


@dataclass(frozen=True)
class UserChange:
    """What to set on a login; ``None`` leaves a field as it is."""

    id: str
    role: Role | None = None
    branch_id: str | None = None
    display_name: str | None = None
    phone: str | None = None
    locale: str | None = None
    is_active: bool | None = None


def check_password(password: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("PASSWORD_TOO_SHORT", field=field, minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:  # argon2 would hash 100,000 characters all the same
        raise DomainError("VALUE_TOO_LONG", field=field, maximum=MAX_PASSWORD_LENGTH)
    return password


async def create_login(
    session: AsyncSession,
    actor: Actor,
    *,
    login: NewLogin,
    enrol_engineer: bool = True,
    permission: str = "user.create",
) -> User:
    """A new login; an engineer login gets its engineer record and van (``enrol``)."""
    if permission == "user.create":
        permissions.check(actor, permission)
    username = fields.text(login.username, "username", maximum=64)
    check_password(login.password)
    if await session.scalar(select(User.id).where(User.username == username)) is not None:
        raise DomainError("USERNAME_TAKEN", field="username", username=username)
    user = User(
        username=username,
        display_name=fields.text(login.display_name, "display_name", required=False) or username,
        password_hash=hash_password(login.password),
        role=login.role,
        phone=fields.text(login.phone, "phone", maximum=32, required=False),
    )
    await _place(session, user, login.role, login.branch_id, login.agent_id, login.customer_id)
    session.add(user)
    await session.flush()
    if enrol_engineer and login.role is Role.TECHNICIAN and user.branch_id is not None:
        await enrol(session, user=user, branch_id=user.branch_id)
    audit.record(
        session, actor, "user.created", entity_type="User", entity_id=user.id, role=login.role
    )
    return user


async def _place(
    session: AsyncSession,
    user: User,
    role: Role,
    branch_id: str | None,
    agent_id: str | None,
    customer_id: str | None,
) -> None:
    """Set the branch, dealer or customer a role belongs to."""
    if branch_id is not None:
        user.branch_id = (await fields.existing(session, Branch, branch_id, "branch_id")).id
    if role in NEEDS_BRANCH and user.branch_id is None:
        raise DomainError("ROLE_NEEDS_BRANCH", field="branch_id", role=role.value)
    if role is Role.AGENT:
        if agent_id is None:
            raise DomainError("REQUIRED", field="agent_id")
        agent = await fields.existing(session, Agent, agent_id, "agent_id")
        user.agent_id, user.branch_id = agent.id, agent.branch_id
    if role is Role.CUSTOMER:
        if customer_id is None:
            raise DomainError("REQUIRED", field="customer_id")
        customer = await fields.existing(session, Customer, customer_id, "customer_id")
        user.customer_id, user.branch_id = customer.id, customer.branch_id


async def _other_active_admins(session: AsyncSession, user_id: str) -> int:
    """Every active admin's row is held (in id order) until the transaction ends: two admins
    removing each other at once both counted the other and left the company with none."""
    admins = await session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id)
        .with_for_update()
    )
    return sum(1 for admin in admins if admin != user_id)


async def end_sessions(
    session: AsyncSession, actor: Actor, user_id: str, *, keep: str | None = None
) -> None:
    """End every live session of the login, but ``keep`` (the session a user changed their
    own password from); their live connections close after the commit."""
    live = (AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    ended = update(AuthSession).values(
        revoked_at=clock_of(session).now(), revoked_by_id=actor.user_id or None
    )
    if keep is None:
        await session.execute(ended.where(*live).execution_options(synchronize_session=False))
        auth.ended(session, user_id=user_id)
        return
    others = list(
        await session.scalars(
            select(AuthSession.id).where(*live, AuthSession.id != keep).with_for_update()
        )
    )
    if others:
        await session.execute(
            ended.where(AuthSession.id.in_(others)).execution_options(synchronize_session=False)
        )
    for session_id in others:  # by session: the kept one's connections stay open
        auth.ended(session, session_id=session_id)


async def _technician(session: AsyncSession, user_id: str) -> Technician | None:
    return await session.scalar(select(Technician).where(Technician.user_id == user_id))


async def update_user(session: AsyncSession, actor: Actor, *, change: UserChange) -> User:
    """Change a login's role, branch, name, phone, language, or reactivate it."""
    permissions.check(actor, "user.update")
    user = await fields.existing(session, User, change.id, "id")
    leaves_admin = change.role is not None and change.role is not Role.ADMIN
    if (
        user.role is Role.ADMIN
        and (leaves_admin or change.is_active is False)
        and not await _other_active_admins(session, user.id)
    ):
        raise DomainError("LAST_ADMIN", field="role" if leaves_admin else "is_active")
    if change.display_name is not None:
        user.display_name = fields.text(change.display_name, "display_name")
    if change.phone is not None:
        user.phone = fields.text(change.phone, "phone", maximum=32, required=False)
    if change.locale is not None:
        # As a phone's locale is read (en-US, zh_CN, zh-Hans-CN ...); blank or a language we
        # do not write in keeps the user's.
        user.locale = supported_locale(change.locale, user.locale)
    role = change.role or user.role
    if change.role is not None or change.branch_id is not None:
        if role not in (Role.AGENT, Role.CUSTOMER):
            user.agent_id = user.customer_id = None
        await _place(session, user, role, change.branch_id, user.agent_id, user.customer_id)
        await _follow_role(session, user, role)
        user.role = role
    if change.is_active is not None:
        if change.is_active is False:
            await _deactivate(session, actor, user)
        else:
            user.is_active = True
    await session.flush()
    audit.record(
        session, actor, "user.updated", entity_type="User", entity_id=user.id, role=user.role
    )
    return user


async def _follow_role(session: AsyncSession, user: User, role: Role) -> None:
    """An engineer record follows the login: made (or reopened) for the role, closed without."""
    technician = await _technician(session, user.id)
    if role is Role.TECHNICIAN and user.branch_id is not None:
        if technician is None:
            await enrol(session, user=user, branch_id=user.branch_id)
        else:
            technician.is_active = True
            technician.branch_id = user.branch_id
    elif technician is not None and technician.is_active:
        await stand_down(session, technician, field="role")


async def _deactivate(session: AsyncSession, actor: Actor, user: User) -> None:
    if user.id == actor.user_id:
        raise DomainError("CANNOT_DEACTIVATE_SELF", field="id")
    if user.role is Role.ADMIN and not await _other_active_admins(session, user.id):
        raise DomainError("LAST_ADMIN", field="id")
    technician = await _technician(session, user.id)
    if technician is not None and technician.is_active:
        await stand_down(session, technician, field="id")
    user.is_active = False
    await end_sessions(session, actor, user.id)


async def deactivate_user(session: AsyncSession, actor: Actor, *, user_id: str) -> User:
    """The login can no longer sign in, and every session it has ends now."""
    permissions.check(actor, "user.deactivate")
    user = await fields.existing(session, User, user_id, "id")
    if user.is_active:
        await _deactivate(session, actor, user)
    await session.flush()
    audit.record(session, actor, "user.deactivated", entity_type="User", entity_id=user.id)
    return user


async def reset_password(
    session: AsyncSession, actor: Actor, *, user_id: str, password: str
) -> User:
    """A new password set by an admin; the login's sessions end, so it signs in again."""
    permissions.check(actor, "user.reset_password")
    user = await fields.existing(session, User, user_id, "id")
    user.password_hash = hash_password(check_password(password))
    await end_sessions(session, actor, user.id)
    await session.flush()
    audit.record(session, actor, "user.password_reset", entity_type="User", entity_id=user.id)
    return user
