"""Dealers decided on while HQ edits them (found by reading ``place_agent_order`` and
``upsert_agent``; each answered OK with a wrong result):

- an order placed while HQ lowers the agent's credit limit, or deactivates it, waited for the
  edit but decided on the agent as it read it before: no approval asked, or an order for a
  deactivated agent;
- a sub-distributor attached to a city general agent while HQ makes that agent a
  sub-distributor itself: each saw the other's change uncommitted, and both committed a
  three-level tree.

Made certain as in ``test_decision_races.py``; only PostgreSQL lets two writers overlap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tests.api.dealer_world import CREATE_USER, PASSWORD, upsert_agent
from tests.api.held_writes import race
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import raw_id, scalars, unique
from wellspring.domain.actor import SYSTEM
from wellspring.domain.agents import dealers
from wellspring.domain.models import Agent, AgentOrder, Branch
from wellspring.domain.models.enums import AgentLevel
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")


def _sh(database_url: str) -> str:
    return str(scalars(database_url, select(Branch.id).where(Branch.code == "SH"))[0])


def _agent(gql: GraphQL, database_url: str, **fields: Any) -> str:
    """A new city general agent of the Shanghai branch (global id), no territory."""
    sh = global_id("Branch", _sh(database_url))
    new = {"code": unique("AR"), "name": "竞速净水", "branchId": sh, **fields}
    return str(ok(upsert_agent(gql, new))["agent"]["id"])


def _login(gql: GraphQL, agent: str) -> str:
    username = unique("agent")
    login = {"username": username, "password": PASSWORD, "role": "AGENT", "agentId": agent}
    ok(gql.data(CREATE_USER, {"input": login}, as_user="admin")["createUser"])
    gql.sign_in(username, PASSWORD)
    return username


def _a_part(gql: GraphQL) -> dict[str, Any]:
    """An order line of one new part, list price 20."""
    new = {"sku": unique("P"), "name": "前置滤芯", "cost": "9", "listPrice": "20"}
    part = ok(payload(gql, "UpsertPart", {"input": new}, "hq"))["part"]
    return {"item": "PART", "quantity": 1, "partId": part["id"]}


def _edit(agent: str, **change: Any) -> Callable[[AsyncSession], Awaitable[Any]]:
    """HQ's edit of the agent, through the domain, held uncommitted."""

    async def hold(session: AsyncSession) -> None:
        edit = dealers.AgentChange(id=raw_id(agent), **change)
        await dealers.upsert_agent(session, SYSTEM, change=edit)

    return hold


def test_an_order_placed_while_the_credit_limit_is_lowered_asks_for_approval(
    database_url: str, gql: GraphQL
) -> None:
    """The limit goes from 10000 to 0 (uncommitted) while the agent orders 20 worth: the order
    waited for the edit but compared with the 10000 it had read, and needed no approval."""
    agent = _agent(gql, database_url, creditLimit="10000")
    login = _login(gql, agent)
    lines = [_a_part(gql)]

    hold = _edit(agent, credit_limit=Decimal("0"))
    answer = race(
        database_url, gql, login, hold, doc("PlaceAgentOrder"), {"input": {"lines": lines}}
    )
    order = ok(answer["data"]["placeAgentOrder"])["order"]
    assert order["needsApproval"] is True


def test_no_order_is_placed_for_an_agent_deactivated_meanwhile(
    database_url: str, gql: GraphQL
) -> None:
    """HQ orders for an agent being deactivated (uncommitted): the order waited for the
    deactivation, then was placed for the agent it had read as active."""
    agent = _agent(gql, database_url, creditLimit="10000")
    variables = {"input": {"lines": [_a_part(gql)], "agentId": agent}}

    hold = _edit(agent, is_active=False)
    answer = race(database_url, gql, "hq", hold, doc("PlaceAgentOrder"), variables)
    codes = [e["code"] for e in answer["data"]["placeAgentOrder"]["errors"]]
    assert codes == ["AGENT_INACTIVE"]
    placed = select(AgentOrder.id).where(AgentOrder.agent_id == raw_id(agent))
    assert scalars(database_url, placed) == []


def _three_levels(database_url: str, *agents: str) -> int:
    """How many of ``agents`` are sub-distributors with sub-distributors of their own."""
    child = aliased(Agent)
    deep = (
        select(func.count(func.distinct(Agent.id)))
        .join(child, child.parent_agent_id == Agent.id)
        .where(
            Agent.id.in_([raw_id(a) for a in agents]),
            Agent.level == AgentLevel.SUB_DISTRIBUTOR,
            child.deleted_at.is_(None),
        )
    )
    return int(scalars(database_url, deep)[0])


def test_no_sub_distributor_is_attached_to_an_agent_made_a_sub_distributor_meanwhile(
    database_url: str, gql: GraphQL
) -> None:
    """HQ makes A a sub-distributor of P (uncommitted; A has no sub-distributors) while B is
    attached to A: B's attach read A as a city general agent, and both committed."""
    parent, a = _agent(gql, database_url), _agent(gql, database_url)

    hold = _edit(a, level=AgentLevel.SUB_DISTRIBUTOR, parent_agent_id=raw_id(parent))
    b = {
        "code": unique("AB"), "name": "竞速分销", "level": "SUB_DISTRIBUTOR", "parentAgentId": a,
        "branchId": global_id("Branch", _sh(database_url)),
    }  # fmt: skip
    answer = race(database_url, gql, "hq", hold, doc("UpsertAgent"), {"input": b}, waits=None)
    assert _three_levels(database_url, a) == 0, "a sub-distributor under a sub-distributor"
    errors = answer["data"]["upsertAgent"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_AGENT_PARENT", "parentAgentId")]


def test_an_agent_given_a_sub_distributor_meanwhile_is_not_made_one(
    database_url: str, gql: GraphQL
) -> None:
    """B is being attached to A (uncommitted) while HQ makes A a sub-distributor of P: A's
    change counted no sub-distributors of its own, and both committed."""
    parent, a = _agent(gql, database_url), _agent(gql, database_url)
    sh = _sh(database_url)

    async def hold(session: AsyncSession) -> None:  # B, attached to A through the domain
        new = dealers.AgentChange(
            code=unique("AB"), name="竞速分销", level=AgentLevel.SUB_DISTRIBUTOR,
            parent_agent_id=raw_id(a), branch_id=sh,
        )  # fmt: skip
        await dealers.upsert_agent(session, SYSTEM, change=new)

    change = {"id": a, "level": "SUB_DISTRIBUTOR", "parentAgentId": parent}
    answer = race(database_url, gql, "hq", hold, doc("UpsertAgent"), {"input": change}, waits=None)
    assert _three_levels(database_url, a) == 0, "a sub-distributor under a sub-distributor"
    errors = answer["data"]["upsertAgent"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_AGENT_PARENT", "level")]
