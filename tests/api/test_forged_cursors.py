"""Forged cursors: whatever JSON a client base64-encodes and sends as ``after``, every
connection of the schema answers a page or ``INVALID_CURSOR`` (docs/api.md, "Lists"), never
INTERNAL_ERROR. A null, a string where an instant is sorted on or an infinite number used to
reach the SQL and fail there."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from graphql import GraphQLObjectType, is_required_argument
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.schema import build_schema
from wellspring.schema.core.ids import global_id

USER = "admin"
# Required arguments of a list, by name: the type whose id the list is asked about.
_REQUIRED_IDS = {"warehouseId": "Warehouse"}
# The same list sorted another way reads another cursor: each order is asked too.
_OTHER_ORDERS = {
    "tickets": ["filter: {urgentFirst: true}"],
    "jobs": ["orderBy: APPOINTMENT"],
    "articles": ['search: "滤芯 漏水"'],
}
# Parents of nested connections that are not nodes: the root field that reads one by id.
_READ_BY_ID = {"Import": "import"}


def _connections() -> list[tuple[str, str]]:
    """(parent type, field) of every list that takes ``after`` (subscriptions resume from
    another kind of cursor, tested in tests/live)."""
    schema = build_schema().graphql_schema
    found = []
    for name, type_ in schema.type_map.items():
        if not isinstance(type_, GraphQLObjectType) or name.startswith("__"):
            continue
        if name == "Subscription":
            continue
        found += [(name, field) for field, f in type_.fields.items() if "after" in f.args]
    return sorted(found)


CONNECTIONS = _connections()


@pytest.fixture(scope="module")
def parents(gql: GraphQL, database_url: str) -> dict[str, str]:
    """A global id of each parent type (a row of the demo data, or an import of ours whose one
    row is refused, so that nothing other tests count changes)."""
    models: dict[str, Any] = {
        "Customer": m.Customer,
        "Device": m.Device,
        "Ticket": m.Ticket,
        "Warehouse": m.Warehouse,
    }
    found = {
        type_: global_id(type_, scalars(database_url, select(model.id).limit(1))[0])
        for type_, model in models.items()
    }
    content = "姓名,电话,省份,城市,区县,分公司\n坏号码,999,广东省,广州市,天河区,SH\n".encode()
    started = gql.data(
        doc("StartImport"),
        {
            "input": {
                "kind": "CUSTOMERS",
                "fileName": "游标.csv",
                "content": base64.b64encode(content).decode(),
            }
        },
        as_user="hq",
    )["startImport"]
    assert started["errors"] == [], started
    assert started["import"]["appliedRows"] == 0, started
    found["Import"] = started["import"]["id"]
    return found


def _documents(parent: str, field: str, ids: dict[str, str]) -> list[str]:
    """Documents asking ``parent.field`` for one page after ``$a``: one per order."""
    type_ = build_schema().graphql_schema.get_type(parent)
    assert isinstance(type_, GraphQLObjectType)
    arguments = ["first: 1", "after: $a"]
    for name, argument in type_.fields[field].args.items():
        if is_required_argument(argument):
            assert name in _REQUIRED_IDS, f"{parent}.{field} needs {name}: add it above"
            arguments.append(f'{name}: "{ids[_REQUIRED_IDS[name]]}"')
    orders = ["", *_OTHER_ORDERS.get(field, [])] if parent == "Query" else [""]
    documents = []
    for order in orders:
        listed = f"{field}({', '.join(arguments + ([order] if order else []))}) {{ totalCount }}"
        if parent == "Query":
            documents.append(f"query($a: String) {{ {listed} }}")
        elif parent in _READ_BY_ID:
            root = _READ_BY_ID[parent]
            documents.append(f'query($a: String) {{ {root}(id: "{ids[parent]}") {{ {listed} }} }}')
        else:
            node = f'node(id: "{ids[parent]}") {{ ... on {parent} {{ {listed} }} }}'
            documents.append(f"query($a: String) {{ {node} }}")
    return documents


def _cursor(raw: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def _codes(gql: GraphQL, document: str, cursor: str) -> list[str]:
    response = gql.post(document, {"a": cursor}, as_user=USER)
    assert response.status_code < 500, response.text
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]


# The tester's examples: every list refuses them (no list sorts on nulls, numbers with text
# or floats), and text pairs are a cursor only where a list sorts on two texts.
_NEVER_CURSORS = [
    _cursor([None, None]),
    _cursor([1, 2]),
    base64.urlsafe_b64encode(b'[1e400,"x"]').decode(),
]


@pytest.mark.parametrize(("parent", "field"), CONNECTIONS)
def test_the_testers_forged_cursors_are_invalid_cursors(
    gql: GraphQL, parents: dict[str, str], parent: str, field: str
) -> None:
    for document in _documents(parent, field, parents):
        for cursor in _NEVER_CURSORS:
            assert _codes(gql, document, cursor) == ["INVALID_CURSOR"], (document, cursor)
        assert _codes(gql, document, "WyJ4IiwieSJd") in ([], ["INVALID_CURSOR"]), document


def test_tickets_refuse_a_pair_of_texts_for_their_time_and_id(gql: GraphQL) -> None:
    body = gql.post(
        'query { tickets(first: 100, after: "WyJ4IiwieSJd") { totalCount } }', as_user="hq"
    ).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_CURSOR"]


_odd_text = st.sampled_from(["", "x", "\x00", "a\x00b", "\ud800", "王", "2026-12-03"])
_instants = st.sampled_from(
    [
        "2026-12-03T09:00:00+08:00",
        "2026-12-03T09:00:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "2026-12-03",
        "not a time",
    ]
)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=6),
    _odd_text,
    st.builds(lambda s: {"dt": s}, _instants | st.integers()),
    st.builds(lambda s: {"d": s}, _instants | st.text(max_size=10)),
)
_json = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
# Mostly lists as wide as a list's order (1 to 3 columns), so that most reach the values.
_forged = st.one_of(st.lists(_scalar, min_size=1, max_size=3), _json)


@pytest.mark.parametrize(("parent", "field"), CONNECTIONS)
def test_no_json_sent_as_a_cursor_is_an_internal_error(
    gql: GraphQL, parents: dict[str, str], parent: str, field: str
) -> None:
    documents = _documents(parent, field, parents)

    @settings(
        max_examples=12,  # per connection (33): about 400 forged cursors per engine
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(raw=_forged, which=st.integers(0, len(documents) - 1))
    def send(raw: Any, which: int) -> None:
        codes = _codes(gql, documents[which], _cursor(raw))
        assert set(codes) <= {"INVALID_CURSOR"}, (documents[which], raw, codes)

    send()
