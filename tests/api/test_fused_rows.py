"""A ticket and its relations answered in one go (``fused_rows.py``) answer exactly what
graphql-core answers on the same rows, for every role, whatever the values: relations known,
hidden or not yet loaded, nulls where a value must be, values that do not serialize."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import ExecutionContext, GraphQLObjectType, parse
from graphql.execution.collect_fields import collect_fields
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.api.short_path_context import NOW, Context, execute_with
from wellspring.domain import column_rows
from wellspring.domain import models as m
from wellspring.domain.models.enums import CustomerTier, Role, TicketStatus
from wellspring.schema import build_schema
from wellspring.schema.core import fused_rows
from wellspring.schema.core.fused_rows import ABANDONED, answer_row
from wellspring.schema.core.ids import global_id
from wellspring.schema.core.plain_fields import execution_context

SCHEMA = build_schema().graphql_schema
SHORT = execution_context(SCHEMA)
TICKETS = parse(
    """{ tickets(first: 5) { edges { cursor node { id number status dueAt overdue
         customer { id name tier } branch { id name } } } } }"""
)


_text = st.one_of(st.text(max_size=4), st.none(), st.just(7))
_customer = st.builds(
    lambda name, tier, phone: m.Customer(id="c1", name=name, phone=phone, tier=tier),
    name=_text,
    tier=st.one_of(st.sampled_from(list(CustomerTier)), st.none(), st.just("PLATINUM")),
    phone=st.just("13800000000"),
)
_ticket = st.builds(
    lambda number, status, due, customer_id, branch_id: m.Ticket(
        id="t1",
        number=number,
        status=status,
        due_at=due,
        customer_id=customer_id,
        branch_id=branch_id,
    ),
    number=_text,
    status=st.one_of(st.sampled_from(list(TicketStatus)), st.none()),
    due=st.one_of(st.none(), st.just(NOW - dt.timedelta(hours=1)), st.just("not a time")),
    customer_id=st.sampled_from([None, "c1", "missing"]),
    branch_id=st.sampled_from([None, "b1"]),
)


def _execute(context_class: type[ExecutionContext], role: Role, rows: Any, tickets: Any) -> Any:
    """The ``{ tickets { edges ... } }`` selection on ``tickets`` as the page's edges."""
    cursors = [f"cursor-{i}" for i in range(len(tickets))]

    def page(_root: Any, _info: Any, **_args: Any) -> Any:
        return SimpleNamespace(items=tickets, cursors=cursors)

    context = Context(role, rows)
    return execute_with(SCHEMA, TICKETS, "tickets", page, context, context_class)


@settings(max_examples=300, deadline=None)
@example(  # a field hidden from the role, inside a relation the page already knows
    role=Role.CUSTOMER,
    tickets=[m.Ticket(id="t1", number="T-1", status=TicketStatus.DISPATCHED, customer_id="c1")],
    customer=m.Customer(id="c1", name="王", phone="13800000000", tier=CustomerTier.VIP),
    branch_name="上海",
)
@given(
    role=st.sampled_from(list(Role)),
    tickets=st.lists(_ticket, max_size=3),
    customer=st.one_of(st.none(), _customer),
    branch_name=_text,
)
def test_fused_rows_answer_as_graphql_core(
    role: Role, tickets: list[m.Ticket], customer: m.Customer | None, branch_name: Any
) -> None:
    branch = m.Branch(id="b1", name=branch_name)
    rows = {m.Customer: {"c1": customer}, m.Branch: {"b1": branch}}
    ours = _execute(SHORT, role, rows, tickets)
    assert ours == _execute(ExecutionContext, role, rows, tickets)


def _ticket_plan(selection: str, context: Context) -> tuple[Any, Any]:
    """An execution context of the short path for ``selection`` on a ticket, and its plan."""
    ctx = SHORT.build(SCHEMA, parse(selection), context_value=context)
    assert not isinstance(ctx, list)
    ticket_type = SCHEMA.type_map["Ticket"]
    assert isinstance(ticket_type, GraphQLObjectType)
    fields = collect_fields(SCHEMA, {}, {}, ticket_type, ctx.operation.selection_set)
    return ctx, ctx.plan_of(ticket_type, fields)  # type: ignore[attr-defined]


def test_a_plain_ticket_is_answered_in_one_go_and_an_unknown_relation_is_not() -> None:
    """The fused answer is taken for a ticket whose relations are known, and abandoned (to be
    answered the ordinary way) when one is not loaded yet."""
    customer = m.Customer(id="c1", name="王", phone="13800000000", tier=CustomerTier.VIP)
    ticket = m.Ticket(id="t1", number="T-1", status=TicketStatus.DISPATCHED, customer_id="c1")
    context = Context(Role.HQ, {m.Customer: {"c1": customer}})
    ctx, plan = _ticket_plan("{ number customer { name tier } }", context)
    assert plan.program is not None
    answer = answer_row(ctx, plan, ticket)
    assert answer == {"number": "T-1", "customer": {"name": "王", "tier": "VIP"}}
    ticket.customer_id = "not-loaded"
    assert answer_row(ctx, plan, ticket) is ABANDONED


def test_a_plans_function_is_made_once_and_names_only_literals() -> None:
    """A program becomes one function per plan, kept on it; what it writes into source are
    names (field and attribute names, refused unless identifiers), never other values."""
    ctx, plan = _ticket_plan("{ number status }", Context(Role.HQ, {}))
    assert plan.run is None
    ticket = m.Ticket(id="t1", number="T-1", status=TicketStatus.DISPATCHED)
    assert answer_row(ctx, plan, ticket) == {"number": "T-1", "status": "DISPATCHED"}
    made = plan.run
    assert made is not None
    assert answer_row(ctx, plan, {"number": "T-1"}) is ABANDONED  # a dict: the ordinary way
    assert plan.run is made
    assert fused_rows._literal("dueAt") == "'dueAt'"
    with pytest.raises(ValueError, match="not a name"):
        fused_rows._literal("a'] = 1; import os #")


SUGGESTIONS = parse(
    """{ suggestTechnicians(jobId: "j1") { suggestions { score
         technician { id displayName skills } } } }"""
)
_engineer = st.builds(
    lambda user_id, skills: m.Technician(id="e1", user_id=user_id, skills=skills),
    user_id=st.sampled_from([None, "u1", "u2"]),
    skills=st.one_of(st.just(["REPAIR"]), st.just([]), st.just(["REPAIR", "GONE"]), st.none()),
)


@settings(max_examples=200, deadline=None)
@given(
    role=st.sampled_from(list(Role)),
    technician_ids=st.lists(st.sampled_from([None, "e1", "hidden", "not-loaded"]), max_size=3),
    engineer=_engineer,
)
def test_a_non_null_relation_answers_as_graphql_core(
    role: Role, technician_ids: list[str | None], engineer: m.Technician
) -> None:
    """A suggestion's engineer is a non-null ``Related``: known, it is answered in one go;
    hidden, missing or not loaded yet, the row is answered the ordinary way, whose error nulls
    what graphql-core's nulls."""
    suggestions = [SimpleNamespace(technician_id=i, score=1.5) for i in technician_ids]

    def suggest(_root: Any, _info: Any, **_args: Any) -> Any:
        return SimpleNamespace(job=None, suggestions=suggestions, errors=[])

    rows = {m.Technician: {"e1": engineer, "hidden": None}}

    def run(context_class: type[ExecutionContext]) -> Any:
        context = Context(role, rows, names={"u1": "张工"}, later={"u2": "李工"})
        return execute_with(
            SCHEMA, SUGGESTIONS, "suggestTechnicians", suggest, context, context_class
        )

    assert run(SHORT) == run(ExecutionContext)


def test_a_suggestions_engineer_is_answered_in_one_go_from_a_row_read_as_columns() -> None:
    """A suggestion's engineer, read by the ring search as some columns (a partial row), is
    answered with the suggestion when the selection reads within them; a hidden one, or a
    selection reading another column, is left to the ordinary way."""
    engineer = column_rows.detached(
        m.Technician, {"id": "e1", "user_id": "u1", "skills": ["REPAIR"]}
    )
    context = Context(Role.CLERK, {m.Technician: {"hidden": None}}, names={"u1": "张工"})
    context.loaders.partial_rows[m.Technician]["e1"] = engineer
    suggestion_type = SCHEMA.type_map["TechnicianSuggestion"]
    assert isinstance(suggestion_type, GraphQLObjectType)

    def plan(selection: str) -> tuple[Any, Any]:
        ctx = SHORT.build(SCHEMA, parse(selection), context_value=context)
        assert not isinstance(ctx, list)
        fields = collect_fields(SCHEMA, {}, {}, suggestion_type, ctx.operation.selection_set)
        return ctx, ctx.plan_of(suggestion_type, fields)  # type: ignore[attr-defined]

    ctx, shown = plan("{ score technician { id displayName skills } }")
    assert shown.program is not None
    answer = answer_row(ctx, shown, SimpleNamespace(technician_id="e1", score=2.0))
    technician = {"id": global_id("Technician", "e1"), "displayName": "张工", "skills": ["REPAIR"]}
    assert answer == {"score": 2.0, "technician": technician}
    assert answer_row(ctx, shown, SimpleNamespace(technician_id="hidden", score=2.0)) is ABANDONED
    assert answer_row(ctx, shown, SimpleNamespace(technician_id=None, score=2.0)) is ABANDONED
    ctx, wider = plan("{ technician { id shiftStart } }")
    assert wider.program is not None
    assert answer_row(ctx, wider, SimpleNamespace(technician_id="e1")) is ABANDONED
