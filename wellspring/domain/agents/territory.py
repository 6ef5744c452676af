"""An agent's territory (cities and districts) and the conflicts logged when an agent reaches
outside it (the seed's poaching problem).

An agent asking for work on a customer it does not own (a branch's direct customer, another
agent's), or registering a customer whose phone another owner already has, or an address
outside its areas, is refused; the refusal is a ``TerritoryConflict`` row and an audit entry
that outlive the refused work (``DomainError.keep``), for HQ's list. Naming a customer by id
answers ``NOT_FOUND`` like any row out of scope; the phone and the address answer with what
the agent typed, so they say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..models import Agent, Branch, Customer, Technician, TerritoryConflict, Ticket
from ..models.enums import ConflictKind, Role
from ..pagination import Page, SortKey, paginate
from .price_lookup import Region

MAX_AREAS = 50


@dataclass(frozen=True)
class Area:
    """A city, or one district of it (an empty district is the whole city)."""

    province: str
    city: str
    district: str = ""


def checked_areas(areas: list[Area]) -> list[dict[str, str]]:
    if len(areas) > MAX_AREAS:
        raise DomainError("TOO_MANY_ITEMS", field="territory_areas", maximum=MAX_AREAS)
    checked: list[dict[str, str]] = []
    for index, area in enumerate(areas):
        values = {
            "province": area.province.strip(),
            "city": area.city.strip(),
            "district": area.district.strip(),
        }
        if not values["province"] or not values["city"] or max(map(len, values.values())) > 50:
            raise DomainError("INVALID_TERRITORY", field=f"territory_areas.{index}")
        if values not in checked:
            checked.append(values)
    return checked


def covers(areas: list[dict[str, str]], province: str, city: str, district: str) -> bool:
    return any(
        a["province"] == province
        and a["city"] == city
        and (not a.get("district") or a["district"] == district)
        for a in areas
    )


def within(areas: list[dict[str, str]], parent: Agent) -> bool:
    """Every area lies inside the parent's (a whole city only if the parent has all of it)."""
    return all(
        covers(parent.territory_areas, a["province"], a["city"], a.get("district", ""))
        and (a.get("district") or covers(parent.territory_areas, a["province"], a["city"], ""))
        for a in areas
    )


async def region_of(session: AsyncSession, agent: Agent) -> Region:
    """Where an agent's prices are read: its first area's city, else its branch's."""
    if agent.territory_areas:
        first = agent.territory_areas[0]
        return Region(province=first["province"], city=first["city"])
    branch = await session.get(Branch, agent.branch_id)
    return Region(province=branch.province, city=branch.city) if branch else Region()


def _refusal(
    session: AsyncSession,
    actor: Actor,
    error: DomainError,
    *,
    kind: ConflictKind,
    operation: str,
    customer: Customer | None = None,
    agent_id: str | None = None,
    **detail: Any,
) -> DomainError:
    """``error``, carrying the conflict row and the audit entry to keep; the conflict is the
    acting agent's, or that of the agent a dispatcher named (``agent_id``)."""
    conflict = TerritoryConflict(
        agent_id=agent_id or actor.agent_id,
        actor_id=actor.user_id or None,
        kind=kind,
        operation=operation[:48],
        customer_id=customer.id if customer else None,
        owner_branch_id=customer.branch_id if customer and customer.agent_id is None else None,
        owner_agent_id=customer.agent_id if customer else None,
        detail=detail,
        at=clock_of(session).now(),
    )
    entry = audit.entry(
        actor,
        "territory.conflict",
        entity_type="Customer",
        entity_id=customer.id if customer else None,
        kind=kind.value,
        operation=operation,
    )
    error.keep = (conflict, entry)
    return error


def _owner_kind(customer: Customer) -> ConflictKind:
    if customer.agent_id is None:
        return ConflictKind.DIRECT_CUSTOMER
    return ConflictKind.OTHER_AGENT_CUSTOMER


async def check_customer(
    session: AsyncSession, actor: Actor, *, customer_id: str, operation: str
) -> None:
    """An agent naming a customer of someone else: NOT_FOUND to it, a conflict for HQ."""
    if actor.role is not Role.AGENT:
        return
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        return  # really missing: the caller's scoped read says so
    if customer.agent_id != actor.agent_id:
        raise _refusal(
            session,
            actor,
            DomainError("NOT_FOUND", field="customer_id"),
            kind=_owner_kind(customer),
            operation=operation,
            customer=customer,
        )


async def check_new_customer(
    session: AsyncSession,
    actor: Actor,
    *,
    agent: Agent,
    phone: str,
    province: str,
    city: str,
    district: str,
    operation: str,
) -> None:
    """A customer registered for an agent (by its login, or by a dispatcher naming it): not
    one another owner has (by phone), and at an address inside its territory (when it has
    areas)."""
    other = (
        await session.execute(
            select(Customer)
            .where(
                Customer.phone == phone,
                Customer.deleted_at.is_(None),
                Customer.agent_id.is_distinct_from(agent.id),
            )
            .limit(1)
        )
    ).scalar_one_or_none()
    if other is not None:
        raise _refusal(
            session,
            actor,
            DomainError("TERRITORY_CONFLICT", field="new_customer.phone"),
            kind=_owner_kind(other),
            operation=operation,
            customer=other,
            agent_id=agent.id,
        )
    areas = agent.territory_areas
    if areas and not covers(areas, province, city, district):
        raise _refusal(
            session,
            actor,
            DomainError("OUT_OF_TERRITORY", field="new_customer.address"),
            kind=ConflictKind.OUT_OF_TERRITORY,
            operation=operation,
            agent_id=agent.id,
            province=province,
            city=city,
            district=district,
        )


async def through_agent(session: AsyncSession, actor: Actor, agent_id: str | None) -> Agent | None:
    """The agent a dispatcher opens a ticket through (``agentId``), active; None if unnamed."""
    if agent_id is None:
        return None
    permissions.check(actor, "ticket.open_through_agent")
    agent = await session.get(Agent, agent_id)
    if agent is None or agent.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="agent_id")
    if not agent.is_active:
        raise DomainError("AGENT_INACTIVE", field="agent_id")
    return agent


async def check_through(
    session: AsyncSession, actor: Actor, *, agent: Agent, customer: Customer, operation: str
) -> None:
    """A ticket through an agent is for that agent's own customer: naming it for a direct
    customer or another agent's is refused, and kept for HQ like an agent's own reach."""
    if customer.agent_id != agent.id:
        raise _refusal(
            session,
            actor,
            DomainError("TERRITORY_CONFLICT", field="agent_id"),
            kind=_owner_kind(customer),
            operation=operation,
            customer=customer,
            agent_id=agent.id,
        )


async def check_engineer(
    session: AsyncSession, actor: Actor, *, technician: Technician, ticket: Ticket
) -> None:
    """An agent sends only its own engineers, an agent's engineer goes only to that agent's
    customers (whoever assigns), and a ticket opened through an agent only to its engineers."""
    if actor.role is Role.AGENT and technician.agent_id != actor.agent_id:
        raise DomainError("NOT_AGENT_ENGINEER", field="technician_id")
    if ticket.agent_id is not None and technician.agent_id != ticket.agent_id:
        raise DomainError("NOT_AGENT_ENGINEER", field="technician_id")
    if technician.agent_id is not None:
        owner = await session.scalar(
            select(Customer.agent_id).where(Customer.id == ticket.customer_id)
        )
        if owner != technician.agent_id:
            raise DomainError("NOT_AGENT_ENGINEER", field="technician_id")


async def conflicts_page(
    session: AsyncSession,
    actor: Actor,
    *,
    agent_id: str | None,
    first: int | None,
    after: str | None,
) -> Page[TerritoryConflict]:
    """HQ's list of refused territory conflicts, newest first."""
    permissions.check(actor, "territory_conflicts.list")
    stmt = select(TerritoryConflict).where(TerritoryConflict.deleted_at.is_(None))
    if agent_id is not None:
        stmt = stmt.where(TerritoryConflict.agent_id == agent_id)
    return await paginate(
        session,
        stmt,
        order=(SortKey(TerritoryConflict.at), SortKey(TerritoryConflict.id)),
        first=first,
        after=after,
        row_key=lambda c: (c.at, c.id),
    )
