"""Every enum in the schema, and every value of it, says what it means."""

from __future__ import annotations

from graphql import GraphQLEnumType

from wellspring.schema import build_schema


def test_every_enum_and_value_is_described() -> None:
    schema = build_schema().graphql_schema
    enums = [
        t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLEnumType) and not name.startswith("__")
    ]
    assert len(enums) > 20  # the vocabularies are all there, not filtered away
    missing = [
        f"{t.name}.{value}" if value else t.name
        for t in enums
        for value, desc in [("", t.description), *((v, e.description) for v, e in t.values.items())]
        if not desc or desc == "An enumeration."
    ]
    assert missing == [], f"undocumented enums or values (add them to enum_docs.py): {missing}"
