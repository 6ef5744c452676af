"""A joined page read as the columns its caller reads (``domain/column_rows.py``, issue 19 §3)
answers what the ORM's page answers: the same rows, cursors, count and relations (None where
the reader may not look), each object holding the columns asked for and the keys the page
needs, detached, and loud about any other column; on both engines, with no extra statement."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm.exc import DetachedInstanceError

from tests.domain.readers import readers, statements
from wellspring.domain import column_rows, joined, tickets
from wellspring.domain import models as m
from wellspring.domain.errors import PermissionDenied

PLAN: joined.Relations = {
    "customer": (m.Customer, "customer_id", {"branch": (m.Branch, "branch_id", {})}),
    "device": (m.Device, "device_id", {"model": (m.DeviceModel, "device_model_id", {})}),
    "branch": (m.Branch, "branch_id", {}),
}
COLUMNS: column_rows.Columns = {
    (): frozenset({"number", "status"}),
    ("customer",): frozenset({"name"}),
    ("customer", "branch"): frozenset({"name"}),
    ("device",): frozenset({"serial_number"}),
    ("device", "model"): frozenset({"code"}),
    ("branch",): None,  # read whole
}
# What each model's objects must hold: the columns asked for, the id, and the keys the page
# hangs its relations on; and the page's own rows their order's columns (the cursor's).
HELD = {
    m.Ticket: {"id", "number", "status", "customer_id", "device_id", "branch_id"},
    m.Customer: {"id", "name", "branch_id"},
    m.Device: {"id", "serial_number", "device_model_id"},
    m.DeviceModel: {"id", "code"},
}
READERS = ("hotline", "clerk-sh", "tech-sh-1", "customer-1")


def _every(model: Any) -> set[str]:
    return {attr.key for attr in inspect(model).column_attrs}


async def _page(session: Any, actor: Any, columns: Any, urgent: bool, after: Any) -> Any:
    return await tickets.list_tickets(
        session,
        actor,
        filter=tickets.TicketFilter(urgent_first=urgent),
        first=30,
        after=after,
        relations=PLAN,
        columns=columns,
        count_with_page=True,
    )


def _check_held(page: Any, order: set[str]) -> int:
    """Each object holds what it must and no other column; returns the objects checked."""
    checked = 0
    for ticket in page.items:
        assert set(ticket.__dict__) & _every(m.Ticket) == HELD[m.Ticket] | order
        assert inspect(ticket).detached
        with pytest.raises(DetachedInstanceError):
            _ = ticket.description  # not read: loud, never a quiet None
        checked += 1
    for model, rows in page.related.items():
        for row in rows.values():
            if row is None:
                continue
            held = set(row.__dict__) & _every(model)
            # A branch is joined twice: whole as the ticket's, its name as the customer's.
            assert held in (
                (_every(model), {"id", "name"}) if model is m.Branch else (HELD[model],)
            )
            assert column_rows.unread(row) == frozenset(_every(model) - held)
            checked += 1
    return checked


@pytest.mark.parametrize("urgent", [False, True], ids=["newest", "urgent"])
def test_a_page_read_as_columns_answers_what_the_orm_page_answers(
    database_url: str, urgent: bool
) -> None:
    order = {"created_at"} | ({"priority", "due_at"} if urgent else set())

    async def go() -> int:
        checked = 0
        async with readers(database_url) as (engine, factory, actors):
            for name in READERS:
                actor = actors[name]
                after_orm = after_columns = None
                for _ in range(2):  # two pages: the cursor reads the columns it sorts by
                    async with factory() as session:
                        try:
                            with statements(engine) as orm_statements:
                                whole = await _page(session, actor, None, urgent, after_orm)
                        except PermissionDenied:
                            break
                    async with factory() as session:
                        with statements(engine) as seen:
                            page = await _page(session, actor, COLUMNS, urgent, after_columns)
                    assert len(seen) == len(orm_statements)
                    assert [t.id for t in page.items] == [t.id for t in whole.items], name
                    assert page.cursors == whole.cursors
                    assert page.has_next_page == whole.has_next_page
                    assert await page.total_count() == await whole.total_count()
                    for ours, theirs in zip(page.items, whole.items, strict=True):
                        assert (ours.number, ours.status) == (theirs.number, theirs.status)
                    for model, rows in whole.related.items():
                        assert set(page.related[model]) == set(rows), model
                        for key, row in rows.items():
                            mine = page.related[model][key]
                            assert (mine is None) == (row is None)
                            held = set() if mine is None else set(mine.__dict__) & _every(model)
                            for attribute in held:
                                assert getattr(mine, attribute) == getattr(row, attribute)
                    checked += _check_held(page, order)
                    # Rows that share a customer share its object, as in the ORM's page.
                    customers = [t.customer_id for t in page.items if t.customer_id]
                    objects = page.related.get(m.Customer, {})
                    assert len({id(objects[c]) for c in customers}) == len(set(customers))
                    after_orm, after_columns = whole.end_cursor, page.end_cursor
                    if not whole.has_next_page:
                        break
        return checked

    assert asyncio.run(go()) > 100


def test_a_column_the_model_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="no columns"):
        column_rows.Shape().add(m.Ticket, frozenset({"customer"}), ())
