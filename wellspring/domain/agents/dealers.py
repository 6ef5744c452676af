"""Agents (代理商): HQ creates and edits them; an agent reads itself and its sub-distributors.

A city general agent (一级城市总代理) reports to HQ; a sub-distributor (二级分销) to one city
general agent, inside that agent's territory. Only a city general agent can be a parent, and a
city general agent has none, so the tree is two levels deep and can hold no cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, policy
from ..actor import Actor
from ..errors import DomainError
from ..masterdata import fields
from ..models import Agent, Branch
from ..models.enums import AgentLevel
from ..pagination import Page, SortKey, paginate
from . import territory
from .territory import Area

_TEXTS = (
    ("territory", 200),
    ("contract_number", 64),
    ("contact_name", 50),
    ("contact_phone", 32),
    ("contact_email", 100),
    ("address", 200),
)


@dataclass(frozen=True)
class AgentChange:
    """What to set; ``None`` leaves a field as it is (code, name, branch required on create)."""

    id: str | None = None
    code: str | None = None
    name: str | None = None
    level: AgentLevel | None = None
    parent_agent_id: str | None = None
    branch_id: str | None = None
    territory: str | None = None
    territory_areas: list[Area] | None = None
    contract_number: str | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    deposit: Decimal | None = None
    credit_limit: Decimal | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    address: str | None = None
    is_active: bool | None = None


async def upsert_agent(session: AsyncSession, actor: Actor, *, change: AgentChange) -> Agent:
    permissions.check(actor, "agent.upsert")
    if change.id is None:
        if change.branch_id is None:
            raise DomainError("REQUIRED", field="branch_id")
        agent = Agent(
            code=fields.code(change.code, "code"),
            name=fields.text(change.name, "name"),
            level=change.level or AgentLevel.CITY_GENERAL,
            branch_id=(await fields.existing(session, Branch, change.branch_id, "branch_id")).id,
            territory_areas=[],
        )
    else:
        # Held until the transaction ends, and read afresh under the lock: a change of level
        # then waits for (and counts) a sub-distributor being attached to it (_place_in_tree).
        agent = await _held(session, change.id, "id", share=False)
        if change.code is not None:
            agent.code = fields.code(change.code, "code")
        if change.name is not None:
            agent.name = fields.text(change.name, "name")
        if change.branch_id is not None:
            branch = await fields.existing(session, Branch, change.branch_id, "branch_id")
            agent.branch_id = branch.id
    await fields.unique(session, Agent.code, agent.code, field="code", own_id=change.id)
    for name, maximum in _TEXTS:
        value = getattr(change, name)
        if value is not None:
            setattr(agent, name, fields.text(value, name, maximum=maximum, required=False))
    if change.territory_areas is not None:
        agent.territory_areas = territory.checked_areas(change.territory_areas)
    if change.contract_start is not None:
        agent.contract_start = change.contract_start
    if change.contract_end is not None:
        agent.contract_end = change.contract_end
    if agent.contract_start and agent.contract_end and agent.contract_end < agent.contract_start:
        raise DomainError("INVALID_PERIOD", field="contract_end")
    if change.deposit is not None:
        agent.deposit = fields.amount(change.deposit, "deposit")
    if change.credit_limit is not None:
        agent.credit_limit = fields.amount(change.credit_limit, "credit_limit")
    if change.is_active is not None:
        agent.is_active = change.is_active
    await _place_in_tree(session, agent, change)
    if change.id is None:
        session.add(agent)
    await session.flush()
    action = "agent.created" if change.id is None else "agent.updated"
    audit.record(
        session,
        actor,
        action,
        entity_type="Agent",
        entity_id=agent.id,
        code=agent.code,
        level=agent.level.value,
        credit_limit=str(agent.credit_limit),
    )
    return agent


async def _held(session: AsyncSession, agent_id: str, field: str, *, share: bool) -> Agent:
    """The agent, its row locked until the transaction ends (FOR SHARE with ``share``, else
    FOR NO KEY UPDATE: a reference to it from a new row still goes through) and read afresh
    under the lock."""
    lock = {"read": True} if share else {"key_share": True}
    agent = await session.get(Agent, agent_id, with_for_update=lock, populate_existing=True)
    if agent is None or agent.deleted_at is not None:
        raise DomainError("NOT_FOUND", field=field)
    return agent


async def _place_in_tree(session: AsyncSession, agent: Agent, change: AgentChange) -> None:
    """Level and parent: a sub-distributor under an active city general agent, inside its
    territory; a city general agent under nobody, and not made a sub-distributor while it
    has sub-distributors of its own.

    The parent is held (FOR SHARE) and the agent edited held by ``upsert_agent`` (FOR NO KEY
    UPDATE), so attaching a sub-distributor and making its parent a sub-distributor at once
    wait for each other: each decided on what the other had not committed yet, and both
    committed a three-level tree."""
    if change.level is not None and change.id is not None:
        if change.level is AgentLevel.SUB_DISTRIBUTOR and agent.level is AgentLevel.CITY_GENERAL:
            children = await session.scalar(
                select(func.count()).where(
                    Agent.parent_agent_id == agent.id, Agent.deleted_at.is_(None)
                )
            )
            if children:
                raise DomainError("INVALID_AGENT_PARENT", field="level")
        agent.level = change.level
    if change.parent_agent_id is not None:
        if change.parent_agent_id == agent.id:
            raise DomainError("INVALID_AGENT_PARENT", field="parent_agent_id")
        parent = await _held(session, change.parent_agent_id, "parent_agent_id", share=True)
        if parent.level is not AgentLevel.CITY_GENERAL or not parent.is_active:
            raise DomainError("INVALID_AGENT_PARENT", field="parent_agent_id")
        agent.parent_agent_id = parent.id
    if agent.level is AgentLevel.CITY_GENERAL:
        if change.parent_agent_id is not None:
            raise DomainError("INVALID_AGENT_PARENT", field="parent_agent_id")
        agent.parent_agent_id = None
        return
    if agent.parent_agent_id is None:
        raise DomainError("REQUIRED", field="parent_agent_id")
    parent = await _held(session, agent.parent_agent_id, "parent_agent_id", share=True)
    if parent.territory_areas and not territory.within(agent.territory_areas, parent):
        raise DomainError("INVALID_TERRITORY", field="territory_areas")


async def agents_page(
    session: AsyncSession,
    actor: Actor,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Page[Agent]:
    """Agents by code: HQ sees all, a clerk its branch's, an agent itself and its
    sub-distributors."""
    permissions.check(actor, "agents.list")
    stmt = select(Agent).where(policy.agents_scope(actor), Agent.deleted_at.is_(None))
    text = (search or "").strip()[:50]
    if text:
        like = f"%{text}%"
        stmt = stmt.where(
            or_(Agent.name.ilike(like), Agent.code.ilike(like), Agent.contact_phone.ilike(like))
        )
    return await paginate(
        session,
        stmt,
        order=(SortKey(Agent.code, descending=False), SortKey(Agent.id, descending=False)),
        first=first,
        after=after,
        row_key=lambda a: (a.code, a.id),
    )


async def own_agent(session: AsyncSession, actor: Actor, *, lock: bool = False) -> Agent:
    """The acting agent's own record, active (a deactivated dealer places nothing); with
    ``lock``, held as ``held_agent`` holds it."""
    if lock and actor.agent_id:
        return await held_agent(session, actor.agent_id)
    agent = await session.get(Agent, actor.agent_id) if actor.agent_id else None
    return _active(agent)


async def held_agent(session: AsyncSession, agent_id: str) -> Agent:
    """The agent, active, its row locked (FOR UPDATE) until the transaction ends and read
    afresh under the lock: a decision on its credit limit or state is then made on what an
    edit committed meanwhile (locking alone left the row read before the lock in place)."""
    agent = await session.get(Agent, agent_id, with_for_update=True, populate_existing=True)
    return _active(agent)


def _active(agent: Agent | None) -> Agent:
    if agent is None or agent.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="agent_id")
    if not agent.is_active:
        raise DomainError("AGENT_INACTIVE", field="agent_id")
    return agent
