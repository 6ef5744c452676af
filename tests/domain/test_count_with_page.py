"""A list's count read as a column of its page's statement (``paginate``'s
``count_with_page``, issue 19 §3) answers what the count read on its own answers, for every
reader, list and filter, on both engines, in one statement fewer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.domain.readers import readers, statements
from tests.domain.test_joined import READERS, TICKET_PLAN
from wellspring.domain import customers, tickets
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.dispatch import board
from wellspring.domain.errors import PermissionDenied
from wellspring.domain.models.enums import TicketStatus

# (list, filter, page size): the maintained count (a branch or all, by status), the bounded
# count (another filter), an empty page, and pages of one row.
CASES: list[tuple[str, Any, int]] = [
    ("tickets", tickets.TicketFilter(), 100),
    ("tickets", tickets.TicketFilter(statuses=[TicketStatus.CREATED]), 1),
    ("tickets", tickets.TicketFilter(open=True, urgent_first=True), 5),
    ("tickets", tickets.TicketFilter(overdue=True), 3),
    ("tickets", tickets.TicketFilter(statuses=[TicketStatus.COMPLETED], open=True), 1),
    ("tickets", tickets.TicketFilter(open=False), 5),
    ("tickets", tickets.TicketFilter(open=False, overdue=False), 5),
    ("tickets", tickets.TicketFilter(customer_id="none-such"), 10),
    ("jobs", board.JobFilter(), 2),
    ("jobs", board.JobFilter(unassigned=True), 100),
    ("jobs", board.JobFilter(unassigned=False), 5),
    ("customers", None, 1),
    ("customers", "138", 20),
]


async def _page(
    session: Any, actor: Actor, case: tuple[str, Any, int], after: str | None, counted: bool
) -> Any:
    kind, f, size = case
    if kind == "tickets":
        relations = TICKET_PLAN if size > 1 else None
        return await tickets.list_tickets(
            session,
            actor,
            filter=f,
            first=size,
            after=after,
            relations=relations,
            count_with_page=counted,
        )
    if kind == "jobs":
        return await board.jobs_page(
            session,
            actor,
            filter=f,
            now=m.utcnow(),
            first=size,
            after=after,
            count_with_page=counted,
        )
    return await customers.search_customers(
        session, actor, search=f, first=size, after=after, count_with_page=counted
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_the_count_read_with_the_page_is_the_count_read_alone(
    database_url: str, case: tuple[str, Any, int]
) -> None:
    async def go() -> int:
        compared = 0
        async with readers(database_url) as (engine, factory, actors):
            for name in READERS:
                actor = actors[name]
                after: str | None = None
                for _ in range(2):  # the first page, then the one after it
                    async with factory() as session:
                        try:
                            with statements(engine) as alone_sql:
                                alone = await _page(session, actor, case, after, False)
                                alone_count = await alone.total_count()
                                alone_exact = await alone.total_count_exact()
                        except PermissionDenied:
                            break  # a reader without this list
                    async with factory() as session:
                        with statements(engine) as with_sql:
                            page = await _page(session, actor, case, after, True)
                            count = await page.total_count()
                            exact = await page.total_count_exact()
                    assert [r.id for r in page.items] == [r.id for r in alone.items], name
                    assert (count, exact) == (alone_count, alone_exact), name
                    # An empty page counts on its own when asked; otherwise one statement less.
                    fewer = 1 if page.items else 0
                    assert len(with_sql) == len(alone_sql) - fewer, name
                    compared += 1
                    after = page.end_cursor
                    if after is None:
                        break
        return compared

    assert asyncio.run(go()) > 0
