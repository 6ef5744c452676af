"""An agent's figures (§6): its own and its sub-distributors' customers, never another
agent's or a direct customer's; a sub-distributor's only its own. The rows added here are
rolled back with the session, so the hand-made world's figures stay as they are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.reports.conftest import read
from tests.reports.world import World, at
from wellspring.domain.actor import Actor
from wellspring.domain.models import AccountCard, Agent, Customer, Ticket
from wellspring.domain.models.enums import (
    AgentLevel,
    CardStatus,
    OwnerKind,
    Role,
    TicketStatus,
    TicketType,
)
from wellspring.domain.reports import accounts, repairs, satisfaction, service

NOV: dict[str, Any] = {
    "branch_id": None,
    "first": dt.date(2026, 11, 1),
    "last": dt.date(2026, 11, 30),
}


async def _dealers(session: AsyncSession, world: World) -> dict[str, Actor]:
    """A sub-distributor S under the world's agent G and another agent O, each with one
    customer, an open repair opened in November and an active card."""
    a, g = world.ids["A"], world.ids["G"]
    sub = Agent(code="RS", name="分销", level=AgentLevel.SUB_DISTRIBUTOR, branch_id=a)
    sub.parent_agent_id = g
    other = Agent(code="RO", name="别家", level=AgentLevel.CITY_GENERAL, branch_id=a)
    session.add_all([sub, other])
    await session.flush()
    for agent, phone in ((sub, "13800000011"), (other, "13800000012")):
        customer = Customer(
            code=f"R{agent.code}C",
            name="客户",
            phone=phone,
            branch_id=a,
            agent_id=agent.id,
            owner_kind=OwnerKind.AGENT,
        )
        session.add(customer)
        await session.flush()
        session.add_all(
            [
                Ticket(
                    number=f"RT-{agent.code}",
                    type=TicketType.REPAIR,
                    status=TicketStatus.CREATED,
                    customer_id=customer.id,
                    branch_id=a,
                    created_by_id=world.actors["hq"].user_id,
                    created_at=at(11, 5),
                ),
                AccountCard(
                    card_number=f"RC-{agent.code}",
                    secret_hash="!",
                    status=CardStatus.ACTIVE,
                    branch_id=a,
                    agent_id=agent.id,
                    customer_id=customer.id,
                    activated_at=at(11, 6),
                ),
            ]
        )
    await session.flush()

    def login(agent: Agent) -> Actor:
        return Actor(
            user_id="", username=agent.code, role=Role.AGENT, branch_id=a, agent_id=agent.id
        )

    return {"sub": login(sub), "other": login(other)}


def _figures(reports_world: tuple[str, World]) -> dict[str, Any]:
    url, world = reports_world

    async def work(session: AsyncSession) -> dict[str, Any]:
        actors = {"general": world.actors["agent"], **await _dealers(session, world)}
        out: dict[str, Any] = {}
        for who, actor in actors.items():
            kpis = await service.service_kpis(session, actor, **NOV)
            opened = await service.open_tickets(session, actor, **NOV)
            cards = await accounts.cards(session, actor, **NOV)
            out[who] = {
                "kpis": (kpis.opened, kpis.open, kpis.missed_calls),
                "open": sum(row.opened for row in opened),
                "cards": [(c.opened, c.active) for c in cards],
                "repairs": await repairs.repairs_by_fault(session, actor, **NOV),
                "parts": await repairs.parts_by_model(session, actor, **NOV),
                "months": await satisfaction.follow_ups_by_month(session, actor, **NOV),
            }
        return out

    figures: dict[str, Any] = read(url, work)
    return figures


def test_an_agents_reports_count_its_sub_distributors_and_no_one_else(
    reports_world: tuple[str, World],
) -> None:
    figures = _figures(reports_world)
    # the world's agent G alone: 2 opened, 2 open, one active card (test_figures.py); with
    # its sub-distributor's customer: one more of each. The other agent's are never counted.
    general = figures["general"]
    assert general["kpis"] == (3, 3, None)
    assert general["open"] == 3
    assert general["cards"] == [(1, 2)]
    for alone in ("sub", "other"):
        assert figures[alone]["kpis"] == (1, 1, None)  # no hotline totals for a dealer
        assert figures[alone]["open"] == 1
        assert figures[alone]["cards"] == [(1, 1)]
        assert figures[alone]["repairs"] == []
        assert figures[alone]["parts"] == []
        assert figures[alone]["months"] == []
