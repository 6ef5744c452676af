"""The short path's lists and quick leaves answer exactly what graphql-core answers.

Each case executes one document twice on the same values: with graphql-core's own execution
context and with the short path's (``plain_fields.py``, ``list_values.py``). Data and errors
(message and path) must be identical, whatever the values: nulls in non-null places, errors
returned as values, values of the wrong type, tuples too short for an edge's cursor.
"""

from __future__ import annotations

import enum
from types import SimpleNamespace
from typing import Any

import graphene
from graphql import ExecutionContext, execute, parse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wellspring.schema.core.plain_fields import execution_context, is_awaitable
from wellspring.schema.core.related import Computed, Element


class Shade(enum.Enum):
    RED = "RED"
    GREEN = "GREEN"


Colour = graphene.Enum.from_enum(Shade)


class Label(graphene.ObjectType):  # type: ignore[misc]
    text = graphene.String()


class Item(graphene.ObjectType):  # type: ignore[misc]
    name = graphene.String()
    labels = graphene.List(graphene.NonNull(Label))
    size = graphene.Int(required=True)
    shade = graphene.Field(Colour)
    colours = graphene.List(graphene.NonNull(Colour))


class Edge(graphene.ObjectType):  # type: ignore[misc]
    """A connection's edge as the API reads it: item 1 of a (row, cursor) tuple."""

    cursor = graphene.String(required=True)
    node = graphene.Field(Item)
    doubled = graphene.Int()

    resolve_cursor = Element(1)
    resolve_node = Element(0)
    resolve_doubled = Computed(lambda root, _context: _size(root[0]) * 2)


def _size(row: Any) -> Any:
    return row["size"] if isinstance(row, dict) else row.size


class Query(graphene.ObjectType):  # type: ignore[misc]
    tags = graphene.List(graphene.String)
    strict_tags = graphene.List(graphene.NonNull(graphene.String))
    colours = graphene.List(graphene.NonNull(Colour))
    numbers = graphene.NonNull(graphene.List(graphene.Int))
    items = graphene.List(Item)
    strict_items = graphene.List(graphene.NonNull(Item))
    edges = graphene.List(graphene.NonNull(Edge))


SCHEMA = graphene.Schema(query=Query).graphql_schema
SHORT = execution_context(SCHEMA)
DOCUMENT = parse(
    """{
      tags strictTags colours numbers
      items { name size colours labels { text } }
      strictItems { name size shade }
      edges { cursor doubled node { name size shade colours labels { text } } }
    }"""
)

_odd = st.sampled_from([None, ValueError("broken"), object(), 1.5, "text", 7, True])
_leaf = st.one_of(st.text(max_size=5), st.integers(-5, 5), _odd)
_colour = st.one_of(st.sampled_from(list(Shade)), st.sampled_from(["RED", "BLUE"]), _odd)
_label = st.one_of(
    st.builds(SimpleNamespace, text=st.one_of(st.text(max_size=3), _odd)),
    st.fixed_dictionaries({"text": st.text(max_size=3)}),
    _odd,
)
_fields = st.fixed_dictionaries(
    {
        "name": st.one_of(st.text(max_size=5), _odd),
        "size": st.one_of(st.integers(-5, 5), _odd),
        "shade": _colour,
        "colours": st.one_of(st.lists(_colour, max_size=3), _odd),
        "labels": st.one_of(st.lists(_label, max_size=2), _odd),
    }
)
# Rows as objects (read by attribute, answered in one go when the selection allows) and as
# dicts (read by key).
_item = st.one_of(_fields.map(lambda f: SimpleNamespace(**f)), _fields, _odd)
_edge = st.one_of(st.tuples(_item, st.one_of(st.text(max_size=5), _odd)), st.tuples(_item), _odd)


def _answer(context_class: type[ExecutionContext], root: dict[str, Any]) -> Any:
    result = execute(
        SCHEMA,
        DOCUMENT,
        root_value=root,
        execution_context_class=context_class,
        is_awaitable=is_awaitable,
    )
    assert not is_awaitable(result)
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or ())  # type: ignore[union-attr]
    return result.data, errors  # type: ignore[union-attr]


def _row(**fields: Any) -> SimpleNamespace:
    return SimpleNamespace(**({"name": "a", "size": 1, "shade": None, "colours": []} | fields))


@settings(max_examples=150, deadline=None)
# Rows answered in one go up to a list that is not plain: a null object, a string for a list.
# (``numbers`` is non-null: without it the whole answer is null.)
@example(
    root={"numbers": [], "items": [_row(labels=[None])], "edges": [(_row(labels=[None]), "c")]}
)
@example(root={"numbers": [], "items": [_row(labels="ab")], "edges": [(_row(colours="RED"), "c")]})
@given(
    root=st.fixed_dictionaries(
        {
            "tags": st.one_of(st.lists(_leaf, max_size=4), st.tuples(_leaf), _odd),
            "strict_tags": st.one_of(st.lists(_leaf, max_size=4), _odd),
            "colours": st.one_of(st.lists(_colour, max_size=4), _odd),
            "numbers": st.one_of(st.lists(_leaf, max_size=4), _odd),
            "items": st.one_of(st.lists(_item, max_size=3), _odd),
            "strict_items": st.one_of(st.lists(_item, max_size=3), _odd),
            "edges": st.one_of(st.lists(_edge, max_size=3), _odd),
        }
    )
)
def test_the_short_path_answers_as_graphql_core(root: dict[str, Any]) -> None:
    assert _answer(SHORT, root) == _answer(ExecutionContext, root)


def test_plain_lists_and_edges_are_answered() -> None:
    good = SimpleNamespace(
        name="滤芯",
        size=2,
        shade=Shade.RED,
        colours=[Shade.RED, "GREEN"],
        labels=[SimpleNamespace(text="新")],
    )
    root = {
        "tags": ["a", "b"],
        "strict_tags": [],
        "colours": (Shade.GREEN,),
        "numbers": [1, 2],
        "items": [good, None],
        "strict_items": [good],
        "edges": [(good, "c1")],
    }
    data, errors = _answer(SHORT, root)
    assert errors == []
    assert data["colours"] == ["GREEN"]
    labels = [{"text": "新"}]
    item = {"name": "滤芯", "size": 2, "colours": ["RED", "GREEN"], "labels": labels}
    assert data["items"] == [item, None]
    node = {
        "name": "滤芯",
        "size": 2,
        "shade": "RED",
        "colours": ["RED", "GREEN"],
        "labels": labels,
    }
    assert data["edges"] == [{"cursor": "c1", "doubled": 4, "node": node}]


def test_errors_stay_at_their_own_path() -> None:
    """A leaf that cannot be worked out is null with its error; its siblings are answered."""
    broken = SimpleNamespace(name="x", size="not a number", shade=None, colours=[], labels=[])
    good = SimpleNamespace(name="ok", size=1, shade=Shade.GREEN, colours=[], labels=None)
    root = {"edges": [(good, "c1"), (broken, "c2")], "numbers": [1]}
    data, errors = _answer(SHORT, root)
    assert data["edges"] == [
        {
            "cursor": "c1",
            "doubled": 2,
            "node": {"name": "ok", "size": 1, "shade": "GREEN", "colours": [], "labels": None},
        },
        {"cursor": "c2", "doubled": None, "node": None},  # size is non-null: its node is null
    ]
    assert {path for _message, path in errors} == {
        ("edges", 1, "doubled"),
        ("edges", 1, "node", "size"),
    }
