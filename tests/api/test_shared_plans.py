"""Selection plans kept across requests (``schema/core/shared_plans.py``): by document, role
and selection, never for a document whose selections follow its variables."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, parse
from graphql.execution.collect_fields import collect_fields
from graphql.pyutils import Path

from tests.api.short_path_context import Context
from wellspring.domain import models as m
from wellspring.domain.errors import PermissionDenied
from wellspring.domain.models.enums import Role
from wellspring.schema import build_schema
from wellspring.schema.core.plain_fields import execution_context
from wellspring.schema.core.selection_plans import Plan
from wellspring.schema.core.shared_plans import SharedPlans


def _schema() -> Any:
    built = build_schema()
    return getattr(built, "graphql_schema", built)


def _run(
    world: tuple[Any, Any], document: Any, role: Role, variables: dict[str, Any] | None = None
) -> tuple[Any, list[GraphQLError]]:
    """One request: ``document``'s selection on a ticket whose customer is known."""
    schema, context_class = world
    customer = m.Customer(id="c1", name="王", phone="13800000000", tier="VIP")
    ticket = m.Ticket(id="t1", number="T-1", customer_id="c1", branch_id=None)
    context = Context(role, {m.Customer: {"c1": customer}})
    ctx = context_class.build(
        schema, document, context_value=context, raw_variable_values=variables
    )
    assert not isinstance(ctx, list), ctx
    ticket_type = schema.type_map["Ticket"]
    selection = ctx.operation.selection_set
    fields = collect_fields(schema, ctx.fragments, ctx.variable_values, ticket_type, selection)
    result = ctx.execute_fields(ticket_type, ticket, Path(None, "ticket", "Query"), fields)
    return result, ctx.collected_errors.errors


def _world() -> tuple[Any, Any]:
    """A schema and its execution context class, whose plans the requests share."""
    schema = _schema()
    return schema, execution_context(schema)


def test_a_plan_is_made_once_per_document_and_role_and_keeps_each_roles_guards() -> None:
    world = _world()
    shared: SharedPlans = world[1].shared_plans
    document = parse("{ number customer { name tier } }")  # the endpoint's cached document
    staff, errors = _run(world, document, Role.HQ)
    assert (staff, errors) == ({"number": "T-1", "customer": {"name": "王", "tier": "VIP"}}, [])
    kept = len(shared)
    assert kept == 2  # the ticket's selection and its customer's
    assert _run(world, document, Role.HQ) == (staff, [])
    assert len(shared) == kept  # the second request made no plan
    # Customer.tier is guarded from customers: their plans are their own, and the guard holds
    # on the short path before, between and after staff requests.
    for _ in range(2):
        result, errors = _run(world, document, Role.CUSTOMER)
        assert result == {"number": "T-1", "customer": None}
        assert [type(e.original_error) for e in errors] == [PermissionDenied]
        assert _run(world, document, Role.HQ) == (staff, [])
    assert len(shared) == 2 * kept


def test_a_document_whose_selections_follow_its_variables_plans_per_request() -> None:
    world = _world()
    shared: SharedPlans = world[1].shared_plans
    inline = "query($x: Boolean!) { number customer { name @include(if: $x) tier } }"
    spread = (
        "query($x: Boolean!) { number customer { ...C } } "
        "fragment C on Customer { name @skip(if: $x) tier }"
    )
    for text, named_when in ((inline, True), (spread, False)):
        document = parse(text)
        for x in (True, False, True):
            result, errors = _run(world, document, Role.HQ, {"x": x})
            assert not errors
            expected = {"name": "王", "tier": "VIP"} if x == named_when else {"tier": "VIP"}
            assert result == {"number": "T-1", "customer": expected}, (text, x)
    assert len(shared) == 0


def test_the_least_used_plans_go_first() -> None:
    shared = SharedPlans(size=2)
    plans = [Plan("Ticket", {}, [], None) for _ in range(3)]
    shared.put(("a",), plans[0])
    shared.put(("b",), plans[1])
    assert shared.get(("a",)) is plans[0]  # used: "b" is now the least used
    shared.put(("c",), plans[2])
    assert (shared.get(("a",)), shared.get(("b",)), shared.get(("c",))) == (
        plans[0],
        None,
        plans[2],
    )
