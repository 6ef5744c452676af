"""A page's to-one relations read in the page's own statement (issue 19 §3).

A list shows each row with some of its relations (a ticket's customer, its device and the
device's model). Reading them afterwards costs one statement per relation, each with its fixed
round trip; joining them to the page costs none. Each relation is joined as the actor may read
it by id (``policy.by_id_scope``), so a row the actor may not see reads as None, exactly as a
separate read by id would answer.

The scope is part of each join's condition (``LEFT JOIN customers ON customers.id =
tickets.customer_id AND <scope>``), its subqueries kept from correlating with the page's
tables; a model joined twice gets an alias.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql import visitors

from . import policy
from .actor import Actor
from .column_rows import Columns, Shape, order_keys, select_columns

# field name -> (model, foreign-key attribute on the parent, relations under it)
Relations = Mapping[str, tuple[type[Any], str, "Relations"]]


@dataclass
class Joined:
    """The page statement's extra entities, in select order, and how each hangs on its parent
    (index 0 is the page's own row)."""

    links: list[tuple[int, str, type[Any]]] = field(default_factory=list)  # (parent, fk, model)
    entities: list[Any] = field(default_factory=list)
    # When the page is read as columns (``column_rows.py``): how its rows become objects.
    shape: Shape | None = None


@dataclass(frozen=True)
class Wanted:
    """What a list is asked to join: its rows' model, the reader, and the relations."""

    base: Any
    actor: Actor
    relations: Relations
    # The attributes the caller reads, by relation path (``column_rows.py``); None: the
    # page's rows and relations are loaded whole by the ORM.
    columns: Columns | None = None


def wanted(
    base: Any, actor: Actor, relations: Relations | None, columns: Columns | None = None
) -> Wanted | None:
    """What a list function hands ``paginate`` for ``relations`` (None: nothing to join)."""
    return Wanted(base, actor, relations, columns) if relations else None


def _keys_under(plan: Relations) -> set[str]:
    return {attribute for _model, attribute, _nested in plan.values()}


def join(stmt: Select[Any], asked: Wanted, order: Iterable[Any] = ()) -> tuple[Any, Joined]:
    """``stmt`` (a select of ``asked.base``) with each relation outer-joined as an extra
    entity, or, when ``asked.columns`` says what is read, as the columns read of each (then
    ``order``, the page's sort expressions, names the row's columns its cursor reads)."""
    joined = Joined()
    actor = asked.actor
    columns = asked.columns
    seen: dict[type[Any], int] = {asked.base: 1}
    if columns is not None:
        joined.shape = Shape()
        needed = _keys_under(asked.relations) | order_keys(asked.base, order)
        keys = joined.shape.add(asked.base, columns.get(()), needed)
        stmt = select_columns(stmt, asked.base, keys)

    def walk(parent: Any, parent_index: int, plan: Relations, path: tuple[str, ...]) -> None:
        nonlocal stmt
        for name, (model, attribute, nested) in plan.items():
            occurrence = seen.get(model, 0)
            seen[model] = occurrence + 1
            table: Any = model  # a class is hashable; mypy's Hashable check says otherwise
            entity = model if occurrence == 0 else _alias(table, occurrence)
            on = (entity.id == getattr(parent, attribute)) & _scope(model, actor, entity)
            if joined.shape is None or columns is None:
                stmt = stmt.add_columns(entity)
            else:
                read = columns.get((*path, name))
                keys = joined.shape.add(model, read, _keys_under(nested))
                stmt = stmt.add_columns(*[getattr(entity, k) for k in keys])
            stmt = stmt.outerjoin_from(parent, entity, on)
            joined.links.append((parent_index, attribute, model))
            joined.entities.append(entity)
            walk(entity, len(joined.entities), nested, (*path, name))

    walk(asked.base, 0, asked.relations, ())
    return stmt, joined


@lru_cache(maxsize=256)
def _alias(model: Any, _occurrence: int) -> Any:
    """The table of a model joined a second time (a ticket's branch and its customer's):
    one alias per model and place, shared by every request."""
    return aliased(model)


def _scope(model: type[Any], actor: Actor, entity: Any) -> Any:
    """What the actor may read of ``model`` by id, said of ``entity`` (the model or its
    alias), its subqueries correlated with that row only."""
    condition = policy.by_id_scope(model, actor)
    own = inspect(entity).selectable
    if entity is not model:
        condition = sql_util.ClauseAdapter(own).traverse(condition)

    # A scope's subqueries (an engineer's customers are those of their jobs' tickets) must
    # never correlate with the other tables of the page's statement (its ``tickets``, say):
    # that would change their meaning silently. A subquery about the row itself still may.
    def correlated_with_own(element: Any, **_kw: Any) -> Any:
        return element.correlate(own) if isinstance(element, Select) else None

    return visitors.replacement_traverse(condition, {}, correlated_with_own)


def related(rows: Sequence[Any], joined: Joined) -> dict[type[Any], dict[str, Any]]:
    """The relations read with ``rows`` (tuples of the page's row and the joined entities),
    by model and id; None for an id the actor may not read."""
    found: dict[type[Any], dict[str, Any]] = {}
    # Read as columns, a model joined twice (a ticket's branch and its customer's) may hold
    # other columns in each place: the row missing fewer is kept (visibility is the model's,
    # the same in both places).
    missing = [] if joined.shape is None else [len(e[2]) for e in joined.shape.entities]
    kept_missing: dict[tuple[type[Any], str], int] = {}
    for row in rows:
        for index, (parent_index, attribute, model) in enumerate(joined.links, start=1):
            parent = row[parent_index]
            key = None if parent is None else getattr(parent, attribute)
            if key is None:
                continue
            known = found.setdefault(model, {})
            if missing:
                kept = kept_missing.get((model, key))
                if kept is not None and (row[index] is None or missing[index] >= kept):
                    continue
                kept_missing[(model, key)] = missing[index]
            known[key] = row[index]
    return found


async def read(
    session: AsyncSession, actor: Actor, base: Any, ids: Sequence[str], relations: Relations
) -> dict[type[Any], dict[str, Any]]:
    """The relations of rows already read (``ids`` of ``base``), all in one statement: for a
    list whose page is read without them."""
    stmt, joined = join(select(base).where(base.id.in_(list(ids))), Wanted(base, actor, relations))
    return related((await session.execute(stmt)).all(), joined)


def selected(relations: Relations, tree: Mapping[str, Any]) -> dict[str, Any]:
    """The relations a query selects (``tree``: selected field names, nested)."""
    return {
        name: (model, attribute, selected(nested, tree[name]))
        for name, (model, attribute, nested) in relations.items()
        if name in tree
    }
