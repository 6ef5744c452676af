"""Every GraphQL mutation has a declared rule, each restricted field states it in its
description (generated from ``domain/permissions.py``), and docs/api.md carries the table."""

from __future__ import annotations

from pathlib import Path

from wellspring.domain import permissions
from wellspring.schema import build_schema
from wellspring.schema.core import permission_docs as docs

API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_every_mutation_maps_to_a_table_entry_and_says_who_may_call_it() -> None:
    schema = build_schema().graphql_schema
    assert schema.mutation_type is not None
    mutations = schema.mutation_type.fields
    assert len(mutations) > 30
    undeclared = sorted(set(mutations) - set(docs.MUTATIONS) - set(docs.UNRESTRICTED))
    assert undeclared == [], f"mutations without a rule (permission_docs.py): {undeclared}"
    assert set(docs.MUTATIONS) <= set(mutations)
    assert set(docs.QUERIES) <= set(schema.query_type.fields)
    for table, root in ((docs.MUTATIONS, mutations), (docs.QUERIES, schema.query_type.fields)):
        for name, operations in table.items():
            assert operations, name
            assert set(operations) <= set(permissions.RULES), name
            description = root[name].description or ""
            assert description.endswith(docs.requirement(operations)), name
            assert "Requires: " in description, name
    subscriptions = schema.subscription_type.fields
    assert set(docs.SUBSCRIPTIONS) == set(subscriptions)
    for name, operations in docs.SUBSCRIPTIONS.items():
        assert (subscriptions[name].description or "").endswith(docs.requirement(operations))
    assert mutations["upsertTechnician"].description.endswith(
        "Requires: ADMIN, HQ; CLERK (own branch)."
    )


def test_every_operation_of_the_table_has_a_door() -> None:
    tables = (docs.MUTATIONS, docs.QUERIES, docs.SUBSCRIPTIONS)
    called = {op for table in tables for ops in table.values() for op in ops}
    assert set(permissions.RULES) - called - set(docs.SYNC) - set(docs.HTTP) == set()
    assert set(docs.WHEN) <= set(permissions.RULES)


def test_docs_api_carries_the_table_as_generated() -> None:
    table = docs.markdown_table()
    assert table.count("\n") > len(permissions.RULES)
    assert table in API_MD.read_text(encoding="utf-8"), (
        "docs/api.md's permission table is stale: paste permission_docs.markdown_table()"
    )
