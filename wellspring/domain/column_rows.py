"""A joined page read as columns (issue 19 §3).

The ORM builds each object of a page through its loading machinery, about 4 µs an object,
and a page's statement reads every column of every joined table (98 on the Tickets page, JSON
documents included) where the list shows a dozen. When the caller says which attributes it
reads (``Columns``), the page's statement selects those columns only, and each row's objects
are made here: instances of the models, detached, holding the columns read. An attribute that
was not read is marked expired, so reading it raises ``DetachedInstanceError`` at once rather
than answering None: a caller that under-declares fails loudly in its tests.

The objects are outside the session: nothing may change them and flush them back. Only
readers ask for them: the GraphQL Tickets, Customers and Jobs lists
(``schema/core/read_columns.py`` says which columns) and the Tickets bench's bare endpoint;
the exports and the domain's own callers read whole rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state, manager_of_class
from sqlalchemy.sql import visitors

# A relation's path from the page's row (() for the row itself, ("device", "model") for a
# ticket's device's model) -> the attributes read there, or None for all of them.
Columns = Mapping[tuple[str, ...], frozenset[str] | None]


@lru_cache(maxsize=256)
def _column_keys(model: Any) -> tuple[str, ...]:
    mapper: Mapper[Any] = inspect(model)
    return tuple(attr.key for attr in mapper.column_attrs)


@lru_cache(maxsize=256)
def _keys_by_column(model: Any) -> dict[tuple[Any, str], str]:
    mapper: Mapper[Any] = inspect(model)
    return {(c.table, c.name): attr.key for attr in mapper.column_attrs for c in attr.columns}


def order_keys(model: Any, order: Iterable[Any]) -> frozenset[str]:
    """The attributes of ``model`` an order's expressions read (its cursor reads them too)."""
    by_column = _keys_by_column(model)
    keys: set[str] = set()
    for expression in order:
        for element in visitors.iterate(expression):
            key = by_column.get((getattr(element, "table", None), getattr(element, "name", "")))
            if key is not None:
                keys.add(key)
    return frozenset(keys)


class Shape:
    """How a row of the column statement splits into objects: per entity, its model, the
    attributes read (in select order) and those left expired."""

    __slots__ = ("entities",)

    def __init__(self) -> None:
        self.entities: list[tuple[Any, tuple[str, ...], frozenset[str]]] = []

    def add(self, model: Any, wanted: frozenset[str] | None, needed: Iterable[str]) -> list[str]:
        """Entity ``model`` reads ``wanted`` (None: every column) and ``needed`` (its id, the
        keys its relations hang on); the attribute keys to select, in order."""
        every = _column_keys(model)
        if wanted is None:
            keys = every
        else:
            unknown = (set(wanted) | set(needed)) - set(every)
            if unknown:  # a caller's mistake, found by its tests
                raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
            chosen = {"id", *wanted, *needed}
            keys = tuple(k for k in every if k in chosen)
        self.entities.append((model, keys, frozenset(every) - frozenset(keys)))
        return list(keys)

    def objects(self, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """Each row as its objects (None for an outer join that found nothing), then what
        follows the entities' columns (the page's count); one object per entity and id (a
        model joined twice, a ticket's branch and its customer's, may read other columns)."""
        made: dict[tuple[int, Any], Any] = {}
        plans = []
        start = 0
        for model, keys, expired in self.entities:
            end = start + len(keys)
            new, identity = _makers(model)
            plans.append((new, identity, keys, expired, start, end, start + keys.index("id")))
            start = end
        answer = []
        for row in rows:
            objects: list[Any] = []
            for at, (new, identity, keys, expired, first, last, id_at) in enumerate(plans):
                key = row[id_at]
                if key is None:
                    objects.append(None)
                    continue
                found = made.get((at, key))
                if found is None:
                    # A detached instance: its identity, the columns read, the rest expired.
                    found = made[(at, key)] = new()
                    found.__dict__.update(zip(keys, row[first:last], strict=True))
                    state = instance_state(found)
                    state.key = identity((key,))
                    if expired:
                        state.expired_attributes.update(expired)
                objects.append(found)
            objects.extend(row[start:])
            answer.append(objects)
        return answer


def detached(model: Any, values: Mapping[str, Any]) -> Any:
    """One instance of ``model`` made as ``Shape.objects`` makes a page's: detached, holding
    ``values`` (by attribute, its id among them), its other columns expired."""
    new, identity = _makers(model)
    made = new()
    made.__dict__.update(values)
    state = instance_state(made)
    state.key = identity((values["id"],))
    expired = frozenset(_column_keys(model)) - values.keys()
    if expired:
        state.expired_attributes.update(expired)
    return made


def is_partial(row: Any) -> bool:
    """Whether a mapped row lacks some column (``unread`` is not empty)."""
    return bool(instance_state(row).expired_attributes)


def unread(row: Any) -> frozenset[str]:
    """The attributes of a mapped row that it does not hold and cannot load (read as columns
    and detached): empty for a row loaded whole."""
    return frozenset(instance_state(row).expired_attributes)


@lru_cache(maxsize=256)
def _makers(model: Any) -> tuple[Any, Any]:
    """How an instance of ``model`` is made without ``__init__``, and its identity key."""
    mapper: Mapper[Any] = inspect(model)
    return manager_of_class(model).new_instance, mapper.identity_key_from_primary_key


def select_columns(stmt: Select[Any], entity: Any, keys: Sequence[str]) -> Select[Any]:
    """``stmt`` (a select of ``entity``) selecting ``keys`` of it instead."""
    return stmt.with_only_columns(*[getattr(entity, k) for k in keys], maintain_column_froms=True)
