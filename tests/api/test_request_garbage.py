"""A request leaves nothing of ours for the cycle collector: its session, loaders and rows
are freed when it ends. A reference cycle reaching them (a recursive closure over the
request's ``info`` did) kept every row of a page until the collector's next run, which came
every ten pages or so and cost a quarter of a millisecond a page (bench/README.md)."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.orm.state import InstanceState

from tests.api.seen import doc
from tests.conftest import GraphQL

LISTS = [("Tickets", {"first": 20}), ("Customers", {"first": 20}), ("Jobs", {"first": 20})]


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """What becomes garbage in cycles inside the block (freed only by the collector)."""
    gc.collect()
    found: list[object] = []
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _ours(garbage: list[object]) -> Counter[str]:
    return Counter(
        type(o).__qualname__
        for o in garbage
        if isinstance(o, InstanceState) or type(o).__module__.startswith("wellspring.")
    )


@pytest.mark.parametrize(("name", "variables"), LISTS)
def test_a_list_request_leaves_no_cycle_of_ours(
    gql: GraphQL, name: str, variables: dict[str, object]
) -> None:
    token = gql.token("hq")
    gql.data(doc(name), variables, token=token)  # plans, caches and statements made once
    with cyclic_garbage() as garbage:
        for _ in range(3):
            assert gql.data(doc(name), variables, token=token)
    assert _ours(garbage) == Counter()


def test_the_check_sees_a_cycle() -> None:
    class Held:
        pass

    Held.__module__ = "wellspring.probe"
    with cyclic_garbage() as garbage:
        held = Held()
        held.me = held  # type: ignore[attr-defined]
        del held
    assert _ours(garbage) == Counter({"test_the_check_sees_a_cycle.<locals>.Held": 1})
