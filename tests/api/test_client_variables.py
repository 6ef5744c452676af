"""Generated proof: every document under ``clients/`` sent as the clients send it, with
generated variables, as users of every kind. No answer may be a 5xx or carry INTERNAL_ERROR.

``test_generated_graphql.py`` writes arguments into the document as literals, which the
validator checks; a variable's value is only checked as the document runs. This test found
three faults the literal one could not: a null variable for an argument typed
``T! = default``, a field error that nulled its parent while siblings still read, and a
subscription sent over HTTP. Values are drawn from each variable's type, with nulls, left-out
variables, real ids, edges (NaN and infinities included, sent as Python's JSON writes them)
and now and then a value of another type. The run has its own database, since generated
mutations change data (and may sign a user out, or deactivate one: that user then stops).

``WELLSPRING_VARIABLES_EXAMPLES`` sets the requests (default 300), the same ones every run;
``WELLSPRING_VARIABLES_EXPLORE=1`` draws new ones, to hunt for more.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    type_from_ast,
)
from graphql_relay import to_global_id
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.api.test_generated_graphql import (
    SCHEMA_FILE,
    _errors,
    _real_ids,
    generated_settings,
)
from tests.conftest import GraphQL, _seed, make_database, make_settings
from wellspring.api import migrations
from wellspring.api.app import create_app

EXAMPLES = int(os.environ.get("WELLSPRING_VARIABLES_EXAMPLES", "300"))
EXPLORE = os.environ.get("WELLSPRING_VARIABLES_EXPLORE") == "1"
CLIENTS = Path(__file__).resolve().parents[2] / "clients"
USERS = ("hq", "tech-sh-1", "clerk-sh", "customer-1", "agent-1", "admin")
DOCUMENTS = {
    f"{p.parent.name}/{p.stem}": p.read_text() for p in sorted(CLIENTS.glob("*/*.graphql"))
}

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


def _mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` 19 times in 20, else ``odd`` (``one_of`` would weigh them alike)."""
    return st.integers(0, 19).flatmap(lambda roll: odd if roll == 0 else usual)


def _scalars(real_ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    near = ["2026-12-03T09:00:00+08:00", "2026-12-03T18:00:00", "1970-01-01T00:00:00+14:00"]
    return {
        "ID": _mostly(
            st.sampled_from(real_ids),
            st.text(max_size=14)
            | st.sampled_from([to_global_id("Ticket", "x"), to_global_id("Nope", "1"), "===="]),
        ),
        "String": st.text(max_size=20)
        | st.sampled_from(["", " ", "13800138000", "上海市", "a" * 3000, "1e999"]),
        "Int": _mostly(
            st.integers(-5, 120),
            st.sampled_from([2**31 - 1, -(2**31), 2**31, 2**63, 10**30, 1.5, float("inf")]),
        ),
        "Float": _mostly(
            st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from([31.2304, 121.4737, -90.0, 180.0]),
            st.sampled_from([1e308, float("nan"), float("-inf")]),
        ),
        "Boolean": st.booleans(),
        "DateTime": _mostly(
            st.sampled_from(near) | st.datetimes().map(lambda d: d.isoformat()),
            st.sampled_from(["2026-12-03", "9999-12-31T23:59:59"]) | st.text(max_size=12),
        ),
        "Date": _mostly(
            st.sampled_from(["2026-12-03", "2199-12-31"]) | st.dates().map(lambda d: d.isoformat()),
            st.just("2026-02-30") | st.text(max_size=10),
        ),
        "Decimal": _mostly(
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
            | st.sampled_from(["0", "-0.01", "9999999999.99", "1E+5", "1e-20"]),
            st.text(max_size=8),
        ),
    }


def _value(
    kind: GraphQLInputType, scalars: dict[str, st.SearchStrategy[Any]], depth: int = 0
) -> st.SearchStrategy[Any]:
    """A value for ``kind``: mostly of its type, null at times (even where it may not be)."""
    nullable = not isinstance(kind, GraphQLNonNull)
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if isinstance(inner, GraphQLList):
        base: st.SearchStrategy[Any] = st.lists(
            _value(inner.of_type, scalars, depth + 1), max_size=3 if depth < 2 else 1
        )
    elif isinstance(inner, GraphQLEnumType):
        base = _mostly(st.sampled_from(sorted(inner.values)), st.just("NOPE"))
    elif isinstance(inner, GraphQLScalarType):
        base = scalars.get(inner.name, JUNK)
    elif isinstance(inner, GraphQLInputObjectType) and depth <= 3:
        fields = {name: _value(f.type, scalars, depth + 1) for name, f in inner.fields.items()}
        needed = {n for n, f in inner.fields.items() if isinstance(f.type, GraphQLNonNull)}
        base = st.fixed_dictionaries(
            {n: v for n, v in fields.items() if n in needed},
            optional={n: v for n, v in fields.items() if n not in needed},
        )
    else:
        base = st.just({})
    return _mostly(base, st.none()) if not nullable else st.none() | base


def _variables(
    schema: GraphQLSchema, document: str, scalars: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """The document's variables: each drawn for its type, left out at times, and now and
    then a value of another type."""
    operations = [d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)]
    needed: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for operation in operations:
        for definition in operation.variable_definitions:
            kind = type_from_ast(schema, definition.type)
            assert kind is not None, definition.variable.name.value
            value = _mostly(_value(kind, scalars), JUNK)  # type: ignore[arg-type]
            given = needed if isinstance(kind, GraphQLNonNull) else optional
            given[definition.variable.name.value] = value
    return st.fixed_dictionaries(needed, optional=optional)


class Sender:
    """Posts a document with its variables as a user, signing in again after a generated
    logout or revocation; a user a generated mutation deactivated stops sending."""

    def __init__(self, client: TestClient) -> None:
        self.gql = GraphQL(client)
        self.lost: set[str] = set()
        self.statuses: Counter[int] = Counter()
        self.codes: Counter[str] = Counter()
        self.broken: list[str] = []

    def send(self, user: str, name: str, variables: dict[str, Any], locale: str) -> None:
        if user in self.lost:
            return
        try:
            token = self.gql.token(user)
        except AssertionError:
            self.lost.add(user)
            return
        body = json.dumps({"query": DOCUMENTS[name], "variables": variables})  # NaN as NaN
        response = self.gql.client.post(
            "/graphql",
            content=body.encode(),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept-Language": locale,
                "Content-Type": "application/json",
            },
        )
        self.statuses[response.status_code] += 1
        codes = {e.get("extensions", {}).get("code") for e in _errors(response)}
        self.codes.update(str(code) for code in codes)
        if "UNAUTHENTICATED" in codes:
            self.gql.tokens.pop(user, None)
        if response.status_code >= 500 or "INTERNAL_ERROR" in codes:
            self.broken.append(f"{user} {name} {body[-300:]}\n{response.text[:400]}")
        for said in _messages(_json(response.content)):
            if PLACEHOLDER.search(said):  # a message raised without its values
                self.broken.append(f"{user} {name} {body[-300:]}\nunfilled: {said}")


PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _messages(answer: Any) -> Iterator[str]:
    """Every error message of an answer: the GraphQL errors' and the payloads' alike."""
    if isinstance(answer, dict):
        extensions = answer.get("extensions")
        coded = "code" in answer or (isinstance(extensions, dict) and "code" in extensions)
        if coded and isinstance(answer.get("message"), str):
            yield answer["message"]
        for value in answer.values():
            yield from _messages(value)
    elif isinstance(answer, list):
        for value in answer:
            yield from _messages(value)


@pytest.fixture(scope="module")
def sender(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sender]:
    url, drop = make_database(tmp_path_factory.mktemp("variables"), "variables")
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, 40))
        schema = build_schema(SCHEMA_FILE.read_text())
        scalars = _scalars(asyncio.run(_real_ids(url)))
        strategies = {name: _variables(schema, doc, scalars) for name, doc in DOCUMENTS.items()}
        with TestClient(create_app(make_settings(url)), raise_server_exceptions=False) as client:
            sender = Sender(client)

            @generated_settings(EXAMPLES, EXPLORE)
            @given(
                data=st.data(),
                name=st.sampled_from(sorted(DOCUMENTS)),
                user=st.sampled_from(USERS),
                locale=st.sampled_from(["zh-CN", "en"]),
            )
            def send(data: st.DataObject, name: str, user: str, locale: str) -> None:
                sender.send(user, name, data.draw(strategies[name]), locale)

            send()
            yield sender
    finally:
        drop()


def test_no_client_document_with_generated_variables_gets_a_5xx_or_an_internal_error(
    sender: Sender,
) -> None:
    print(f"statuses: {dict(sender.statuses)}; users lost: {sorted(sender.lost)}")
    print(f"error codes: {dict(sender.codes.most_common())}")
    assert sender.broken == [], "\n\n".join(sender.broken[:5])
    assert sum(sender.statuses.values()) >= EXAMPLES * 0.8
    # The run reached the resolvers, not only the variables' checks.
    assert sender.statuses[200] > sum(sender.statuses.values()) // 3
