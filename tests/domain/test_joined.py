"""A page's relations read in its own statement answer what separate reads by id answer
(``domain/joined.py``, issue 19 §3): the same rows, None for what the reader may not see,
for every kind of reader, on both engines, with no extra statement."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import false, select
from sqlalchemy.dialects import postgresql

from tests.domain.readers import readers, statements
from wellspring.domain import customers, joined, pagination, policy, queries, tickets
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.dispatch import board
from wellspring.domain.errors import PermissionDenied
from wellspring.domain.models.enums import Role

# Every relation the GraphQL lists join, with the same model twice on a ticket (its branch and
# its customer's); some readers may not read some of them (None answers).
TICKET_PLAN: joined.Relations = {
    "customer": (m.Customer, "customer_id", {"branch": (m.Branch, "branch_id", {})}),
    "device": (m.Device, "device_id", {"model": (m.DeviceModel, "device_model_id", {})}),
    "branch": (m.Branch, "branch_id", {}),
    "card": (m.AccountCard, "card_id", {}),
    "address": (m.Address, "address_id", {}),
}
JOB_PLAN: joined.Relations = {
    "ticket": (
        m.Ticket,
        "ticket_id",
        {
            "customer": (m.Customer, "customer_id", {"salesperson": (m.User, "sales_user_id", {})}),
            "device": (m.Device, "device_id", {}),
            "address": (m.Address, "address_id", {}),
            "card": (m.AccountCard, "card_id", {}),
        },
    ),
    "technician": (m.Technician, "technician_id", {"branch": (m.Branch, "branch_id", {})}),
}
CUSTOMER_PLAN: joined.Relations = {
    "branch": (m.Branch, "branch_id", {}),
    "agent": (m.Agent, "agent_id", {}),
    "salesperson": (m.User, "sales_user_id", {}),
}
READERS = ("hotline", "clerk-sh", "clerk-bj", "tech-sh-1", "tech-sh-2", "customer-1")


async def _expected(
    session: Any, actor: Actor, rows: list[Any], plan: joined.Relations, into: dict[Any, Any]
) -> None:
    """What separate reads by id answer (``queries.visible_by_ids``, as the DataLoaders)."""
    for model, attribute, nested in plan.values():
        ids = [getattr(r, attribute) for r in rows]
        ids = [i for i in ids if i is not None]
        found = await queries.visible_by_ids(session, actor, model, ids)
        into.setdefault(model, {}).update({i: found.get(i) for i in ids})
        await _expected(session, actor, [found[i] for i in ids if i in found], nested, into)


def _ids(related: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, str | None]]:
    return {
        model: {key: None if row is None else row.id for key, row in rows.items()}
        for model, rows in related.items()
        if rows
    }


async def _pages(session: Any, actor: Actor, plan_of: str, relations: Any) -> Any:
    if plan_of == "tickets":
        filter_ = tickets.TicketFilter()
        return await tickets.list_tickets(
            session, actor, filter=filter_, first=100, after=None, relations=relations
        )
    if plan_of == "jobs":
        now = m.utcnow()
        return await board.jobs_page(
            session,
            actor,
            filter=board.JobFilter(),
            now=now,
            first=100,
            after=None,
            relations=relations,
        )
    return await customers.search_customers(
        session, actor, search=None, first=100, after=None, relations=relations
    )


PLANS = {"tickets": TICKET_PLAN, "jobs": JOB_PLAN, "customers": CUSTOMER_PLAN}


@pytest.mark.parametrize("plan_of", sorted(PLANS))
def test_a_joined_page_answers_what_reads_by_id_answer(database_url: str, plan_of: str) -> None:
    related_rows, _hidden = _compare(database_url, plan_of)
    assert related_rows > 0  # the demo data gives every list related rows to compare


def test_a_relation_the_reader_may_not_read_is_none_as_read_by_id(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Branches closed to everyone: the page's branches (its own and its customers') read as
    None, as reads by id answer, and the rest of the page is unchanged."""
    scopes: dict[Any, Any] = policy.SCOPES
    monkeypatch.setitem(scopes, m.Branch, lambda _actor: false())
    related_rows, hidden = _compare(database_url, "tickets")
    assert hidden > 0
    assert related_rows > hidden


def _compare(database_url: str, plan_of: str) -> tuple[int, int]:
    """Every reader's page with and without its relations joined, compared with reads by id:
    (relations compared, of which not visible)."""
    plan = PLANS[plan_of]

    async def go() -> tuple[int, int]:
        related_rows = hidden = 0
        async with readers(database_url) as (engine, factory, actors):
            for name in READERS:
                actor = actors[name]
                async with factory() as session:
                    try:
                        with statements(engine) as alone:
                            bare = await _pages(session, actor, plan_of, None)
                    except PermissionDenied:
                        continue  # a reader without this list
                async with factory() as session:
                    with statements(engine) as seen:
                        page = await _pages(session, actor, plan_of, plan)
                    # The relations cost no statement of their own, and the page's size is in
                    # its SQL (PostgreSQL keeps one generic plan of it).
                    assert len(seen) == len(alone)
                    assert any("LIMIT 101" in statement for statement in seen)
                    assert [r.id for r in page.items] == [r.id for r in bare.items]
                    expected: dict[Any, Any] = {}
                    await _expected(session, actor, page.items, plan, expected)
                    assert _ids(page.related) == _ids(expected), name
                    related_rows += sum(len(rows) for rows in expected.values())
                    hidden += sum(
                        1 for rows in expected.values() for row in rows.values() if row is None
                    )
        return related_rows, hidden

    return asyncio.run(go())


def test_a_scope_keeps_its_own_tables_never_correlated_with_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scope's subquery reading tables of the page's statement (here: the customers of an
    engineer's tickets, through ``tickets`` and ``jobs``) must read its own ``tickets``, not
    the page's ticket row, which would silently make it mean something else."""
    tech = Actor(user_id="u", username="t", role=Role.TECHNICIAN, technician_id="t1")

    def through_jobs(actor: Actor) -> Any:
        mine = select(m.Ticket.customer_id).where(
            m.Ticket.id == m.Job.ticket_id, m.Job.technician_id == actor.technician_id
        )
        return m.Customer.id.in_(mine)

    scopes: dict[Any, Any] = policy.SCOPES
    monkeypatch.setitem(scopes, m.Customer, through_jobs)
    asked = joined.Wanted(m.Ticket, tech, {"customer": (m.Customer, "customer_id", {})})
    stmt, _ = joined.join(asked, m.Ticket.deleted_at.is_(None))
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    sql = " ".join(str(stmt.compile(dialect=dialect)).split())
    assert "SELECT tickets.customer_id FROM tickets, jobs WHERE" in sql
    assert joined.wanted(m.Ticket, tech, {}) is None


def test_a_model_joined_twice_is_read_through_its_alias_with_its_scope() -> None:
    clerk = Actor(user_id="u", username="c", role=Role.CLERK, branch_id="b1")
    plan: joined.Relations = {
        "branch": (m.Branch, "branch_id", {}),
        "customer": (m.Customer, "customer_id", {"branch": (m.Branch, "branch_id", {})}),
    }
    stmt, done = joined.join(joined.Wanted(m.Ticket, clerk, plan))
    assert done.entities[0] is m.Branch
    assert done.entities[2] is not m.Branch  # the customer's branch: an alias
    sql = " ".join(str(stmt).split())
    assert "LEFT OUTER JOIN branches AS branches_1 ON branches_1.id = customers.branch_id" in sql


def _tree(plan: joined.Relations) -> dict[str, Any]:
    return {name: _tree(nested) for name, (_model, _attribute, nested) in plan.items()}


@pytest.mark.parametrize("plan_of", ["tickets", "jobs"])
def test_a_page_read_alone_gets_its_relations_in_one_more_statement(
    database_url: str, plan_of: str
) -> None:
    """A list whose page does not join them (``schema/core/prefetch.py``): two or more
    selected relations cost one statement, with the answers of reads by id."""
    from wellspring.schema.core.dataloaders import Loaders
    from wellspring.schema.core.prefetch import prefetch

    plan = PLANS[plan_of]
    base = m.Ticket if plan_of == "tickets" else m.Job
    tree = _tree(plan)  # a query selecting every relation of the plan

    async def go() -> int:
        compared = 0
        async with readers(database_url) as (engine, factory, actors):
            for name in READERS:
                async with factory() as session:
                    try:
                        page = await _pages(session, actors[name], plan_of, None)
                    except PermissionDenied:
                        continue
                    if not page.items:
                        continue
                    loaders = Loaders(session, actors[name])
                    with statements(engine) as seen:
                        await prefetch(loaders, page.items, tree, plan)
                    assert len(seen) == 1, name
                    expected: dict[Any, Any] = {}
                    await _expected(session, actors[name], page.items, plan, expected)
                    for model, rows in _ids(expected).items():
                        known = loaders.known(model)
                        got = {k: None if known[k] is None else known[k].id for k in rows}
                        assert got == rows, name
                    compared += 1
                    assert all(type(r) is base for r in page.items)
        return compared

    assert asyncio.run(go()) > 0


def test_a_join_is_built_once_per_reader_and_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scopes and ON clauses are built once per reader and plan and kept (the 512 most
    used); each reader's page statement carries its own scope."""
    plan: joined.Relations = {"customer": (m.Customer, "customer_id", {})}
    sh, bj = (Actor(user_id=u, username=u, role=Role.CLERK, branch_id=u) for u in ("sh", "bj"))
    monkeypatch.setattr(joined, "BUILT_LIMIT", 2)
    joined.BUILT_JOINS.clear()

    def params(actor: Actor) -> list[Any]:
        stmt, _ = joined.join(joined.Wanted(m.Ticket, actor, plan))
        return list(stmt.compile().params.values())

    assert "sh" in params(sh)
    assert "sh" in params(sh)
    assert len(joined.BUILT_JOINS) == 1
    assert "bj" in params(bj)
    assert "sh" not in params(bj)
    assert len(joined.BUILT_JOINS) == 2
    params(Actor(user_id="gz", username="gz", role=Role.CLERK, branch_id="gz"))
    assert len(joined.BUILT_JOINS) == 2  # the least used went


def test_the_kept_statement_takes_each_calls_criteria_only() -> None:
    """The statement kept for a reader and plan is not changed by a call: each page's
    statement has its own criteria and none of another's."""
    plan: joined.Relations = {"customer": (m.Customer, "customer_id", {})}
    clerk = Actor(user_id="sh", username="sh", role=Role.CLERK, branch_id="sh")
    asked = joined.Wanted(m.Ticket, clerk, plan)
    first, _ = joined.join(asked, m.Ticket.number == "TK-1")
    second, _ = joined.join(asked, m.Ticket.number == "TK-2", m.Ticket.priority.is_not(None))
    third, _ = joined.join(asked)
    one, two, bare = (list(s.compile().params.values()) for s in (first, second, third))
    assert ("TK-1" in one, "TK-2" in one) == (True, False)
    assert ("TK-1" in two, "TK-2" in two) == (False, True)
    assert ("TK-1" in bare, "TK-2" in bare) == (False, False)
    assert "priority IS NOT NULL" in str(second)
    assert "priority" not in str(first).split("WHERE")[1]
    assert "WHERE" not in str(third).split("LEFT OUTER JOIN")[0]


def test_a_page_read_with_its_relations_is_given_as_rows() -> None:
    """``paginate`` joins relations to ``Rows`` only: a statement may hold what the kept
    statement cannot take (a join, a grouping), so it is refused rather than cut down."""
    clerk = Actor(user_id="sh", username="sh", role=Role.CLERK, branch_id="sh")
    asked = joined.wanted(m.Ticket, clerk, {"customer": (m.Customer, "customer_id", {})})
    order = [pagination.SortKey(m.Ticket.created_at), pagination.SortKey(m.Ticket.id)]

    async def page() -> Any:
        return await pagination.paginate(
            None,  # type: ignore[arg-type]  # refused before any statement
            select(m.Ticket),
            order=order,
            first=10,
            after=None,
            row_key=lambda t: (t.created_at, t.id),
            related=asked,
        )

    with pytest.raises(TypeError, match="given as Rows"):
        asyncio.run(page())
