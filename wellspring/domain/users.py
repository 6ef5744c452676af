"""Creating logins (the command line's ``create-user``; an admin mutation can reuse it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import audit
from .actor import Actor
from .auth import hash_password
from .errors import DomainError
from .masterdata.technicians import enrol
from .models import Agent, Branch, Customer, User
from .models.enums import Role

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # a passphrase fits; a megabyte sent to the hasher does not
_NEEDS_BRANCH = frozenset({Role.CLERK, Role.SALES, Role.TECHNICIAN})


async def create_user(
    session: AsyncSession,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    branch_code: str | None = None,
    agent_code: str | None = None,
    customer_code: str | None = None,
    phone: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise DomainError("REQUIRED", field="username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("PASSWORD_TOO_SHORT", field="password", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError("VALUE_TOO_LONG", field="password", maximum=MAX_PASSWORD_LENGTH)
    taken = await session.execute(select(User.id).where(User.username == username))
    if taken.first() is not None:
        raise DomainError("USERNAME_TAKEN", field="username", username=username)

    branch_id = agent_id = customer_id = None
    if branch_code:
        branch = (
            await session.execute(select(Branch).where(Branch.code == branch_code))
        ).scalar_one_or_none()
        if branch is None:
            raise DomainError("UNKNOWN_BRANCH", field="branch", value=branch_code)
        branch_id = branch.id
    if role in _NEEDS_BRANCH and branch_id is None:
        raise DomainError("ROLE_NEEDS_BRANCH", field="branch", role=role.value)
    if role is Role.AGENT:
        agent = (
            await session.execute(select(Agent).where(Agent.code == (agent_code or "")))
        ).scalar_one_or_none()
        if agent is None:
            raise DomainError("UNKNOWN_AGENT", field="agent", value=agent_code or "")
        agent_id, branch_id = agent.id, agent.branch_id
    if role is Role.CUSTOMER:
        customer = (
            await session.execute(select(Customer).where(Customer.code == (customer_code or "")))
        ).scalar_one_or_none()
        if customer is None:
            raise DomainError("UNKNOWN_CUSTOMER", field="customer", value=customer_code or "")
        customer_id, branch_id = customer.id, customer.branch_id

    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        role=role,
        branch_id=branch_id,
        agent_id=agent_id,
        customer_id=customer_id,
        phone=phone,
    )
    session.add(user)
    await session.flush()
    if role is Role.TECHNICIAN and branch_id is not None:
        await enrol(session, user=user, branch_id=branch_id)  # the engineer record and van
    audit.record(session, actor, "user.created", entity_type="User", entity_id=user.id, role=role)
    return user
