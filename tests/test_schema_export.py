"""schema.graphql is the exported schema; a change to the schema must update it (make schema)."""

from __future__ import annotations

from pathlib import Path

from wellspring.schema import build_schema

EXPORTED = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_graphql_matches_the_code() -> None:
    current = str(build_schema()).rstrip() + "\n"
    assert EXPORTED.read_text(encoding="utf-8") == current, "run `make schema` and commit it"
