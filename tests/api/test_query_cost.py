"""The cost rule counts a connection without ``first`` at its default page size."""

from __future__ import annotations

from graphql import OperationDefinitionNode, ValidationContext, parse
from graphql.utilities import TypeInfo
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import GraphQL
from wellspring.api import limits
from wellspring.domain.pagination import DEFAULT_PAGE_SIZE
from wellspring.schema import build_schema

NESTED = (
    "query($n: Int) {{ customers{args} {{ edges {{ node {{ devices {{ tickets {{ "
    "jobs {{ history {{ id }} }} }} }} }} }} }} }}"
)


def _cost(query: str, variables: dict[str, object]) -> int:
    schema = build_schema().graphql_schema
    document = parse(query)
    context = ValidationContext(schema, document, TypeInfo(schema), lambda _e: None)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return limits.query_cost(schema, context, operation, variables)


def test_a_connection_without_first_costs_its_default_page() -> None:
    without = _cost(NESTED.format(args=""), {})
    at_default = _cost(NESTED.format(args=f"(first: {DEFAULT_PAGE_SIZE})"), {})
    one = _cost(NESTED.format(args="(first: 1)"), {})
    assert without == at_default > one
    # A `first` whose variable is missing or null is the default page too.
    assert _cost(NESTED.format(args="(first: $n)"), {}) == at_default
    assert _cost(NESTED.format(args="(first: $n)"), {"n": None}) == at_default


def test_a_query_too_costly_at_the_default_page_is_refused_without_first(gql: GraphQL) -> None:
    # Each alias costs 3,161 at the default page of 20 (it used to count as 159).
    deep = "edges { node { devices { tickets { jobs { history { id } } } } } }"
    query = f"{{ a: customers {{ {deep} }} b: customers {{ {deep} }} }}"
    response = gql.post(query, as_user="hq")
    assert response.status_code == 400
    ext = response.json()["errors"][0]["extensions"]
    assert ext["code"] == "QUERY_TOO_COMPLEX"
    assert ext["requestedQueryCost"] == 2 * 3161
    assert gql.post(f"{{ a: customers {{ {deep} }} }}", as_user="hq").status_code == 200


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5_000) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(variables=st.dictionaries(st.sampled_from(["n", "m", "id", "q"]), _VALUES))
def test_the_cost_depends_on_nothing_but_the_cost_key(variables: dict[str, object]) -> None:
    # The endpoint remembers a cost per document and cost_key: any two variable sets with the
    # same key must cost the same, so the key alone (as variables) must give the same cost.
    query = (
        "query($n: Int, $m: Int, $id: ID, $q: String) { customers(first: $n) { edges { node {"
        " devices { tickets { jobs { history { id } } } } } } } "
        "b: customers(first: $m) { edges { node { id } } } }"
    )
    key = limits.cost_key(variables)
    assert key is not None
    assert _cost(query, variables) == _cost(query, dict(key))


def test_a_cost_remembered_for_one_page_size_does_not_pass_a_larger_one(gql: GraphQL) -> None:
    query = (
        "query($n: Int, $q: String) { customers(first: $n, search: $q) { edges { node {"
        " devices { tickets { jobs { history { id } } } } } } } }"
    )
    assert gql.post(query, {"n": 1, "q": "a"}, as_user="hq").status_code == 200
    assert gql.post(query, {"n": 1, "q": "b"}, as_user="hq").status_code == 200
    refused = gql.post(query, {"n": 500, "q": "a"}, as_user="hq")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
