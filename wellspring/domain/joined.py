"""A page's to-one relations read in the page's own statement (issue 19 §3).

A list shows each row with some of its relations (a ticket's customer, its device and the
device's model). Reading them afterwards costs one statement per relation, each with its fixed
round trip; joining them to the page costs none. Each relation is joined as the actor may read
it by id (``policy.by_id_scope``), so a row the actor may not see reads as None, exactly as a
separate read by id would answer.

The scope is part of each join's condition (``LEFT JOIN customers ON customers.id =
tickets.customer_id AND <scope>``), its subqueries kept from correlating with the page's
tables; a model joined twice gets an alias. What a plan joins for one reader (its scopes,
ON clauses and columns) is built once and kept (``BUILT_JOINS``).
"""

from __future__ import annotations

from collections import OrderedDict
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


def join(asked: Wanted, *criteria: Any, order: Iterable[Any] = ()) -> tuple[Any, Joined]:
    """A select of ``asked.base`` where every one of ``criteria`` holds, with each relation
    outer-joined as an extra entity, or, when ``asked.columns`` says what is read, as the
    columns read of each (then ``order``, the page's sort expressions, names the row's
    columns its cursor reads). Only the criteria are added at each call: the rest of the
    statement is kept with the reader's joins."""
    built = _built(asked, tuple(order))
    joined = Joined(list(built.links), list(built.entities), built.shape)
    return built.statement.where(*criteria), joined


@dataclass(frozen=True)
class _Built:
    """A page's statement for one reader and plan before its criteria (what it selects of
    the page's row and of each relation, the relations' joins with their ON clauses and
    scopes), and how its rows split into objects."""

    statement: Select[Any]
    links: tuple[tuple[int, str, type[Any]], ...]
    entities: tuple[Any, ...]
    shape: Shape | None


# Built once per reader and plan: a page's scopes, ON clauses and column lists cost about
# 0.4 ms a request to build (bench/README.md, "the join built once per reader"), and the
# statement they make (its columns and joins) about 0.15 ms more. Readers are few per
# process (the staff who list), and an entry is a few expression trees.
BUILT_JOINS: OrderedDict[Any, _Built] = OrderedDict()
BUILT_LIMIT = 512


def _built(asked: Wanted, order: tuple[Any, ...]) -> _Built:
    actor = asked.actor
    # Everything a scope reads of the actor (policy.py and the areas' scopes.py), and the
    # scope functions themselves (a test may replace one).
    reader = (
        actor.role,
        actor.user_id,
        actor.branch_id,
        actor.agent_id,
        actor.customer_id,
        actor.technician_id,
    )
    scopes = tuple(policy.SCOPES.get(model) for model in _models(asked.relations))
    columns = None if asked.columns is None else tuple(sorted(asked.columns.items()))
    key = (asked.base, reader, scopes, _frozen(asked.relations), columns, order)
    found = BUILT_JOINS.get(key)
    if found is not None:
        BUILT_JOINS.move_to_end(key)
        return found
    found = BUILT_JOINS[key] = _build(asked, order)
    if len(BUILT_JOINS) > BUILT_LIMIT:
        BUILT_JOINS.popitem(last=False)
    return found


def _models(plan: Relations) -> list[type[Any]]:
    return [m for model, _a, nested in plan.values() for m in (model, *_models(nested))]


def _frozen(plan: Relations) -> tuple[Any, ...]:
    return tuple((n, m, a, _frozen(nested)) for n, (m, a, nested) in plan.items())


def _build(asked: Wanted, order: tuple[Any, ...]) -> _Built:
    actor, columns = asked.actor, asked.columns
    shape = None if columns is None else Shape()
    stmt = select(asked.base)
    if shape is not None and columns is not None:
        needed = _keys_under(asked.relations) | order_keys(asked.base, order)
        stmt = select_columns(stmt, asked.base, shape.add(asked.base, columns.get(()), needed))
    links: list[tuple[int, str, type[Any]]] = []
    entities: list[Any] = []
    seen: dict[type[Any], int] = {asked.base: 1}

    def walk(parent: Any, parent_index: int, plan: Relations, path: tuple[str, ...]) -> None:
        nonlocal stmt
        for name, (model, attribute, nested) in plan.items():
            occurrence = seen.get(model, 0)
            seen[model] = occurrence + 1
            table: Any = model  # a class is hashable; mypy's Hashable check says otherwise
            entity = model if occurrence == 0 else _alias(table, occurrence)
            on = (entity.id == getattr(parent, attribute)) & _scope(model, actor, entity)
            if shape is None or columns is None:
                selected: tuple[Any, ...] = (entity,)
            else:
                keys = shape.add(model, columns.get((*path, name)), _keys_under(nested))
                selected = tuple(getattr(entity, k) for k in keys)
            stmt = stmt.add_columns(*selected).outerjoin_from(parent, entity, on)
            links.append((parent_index, attribute, model))
            entities.append(entity)
            walk(entity, len(entities), nested, (*path, name))

    walk(asked.base, 0, asked.relations, ())
    return _Built(stmt, tuple(links), tuple(entities), shape)


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
    stmt, joined = join(Wanted(base, actor, relations), base.id.in_(list(ids)))
    return related((await session.execute(stmt)).all(), joined)


@dataclass(frozen=True)
class Listed:
    """A short list's rows, and the relations read with them by model and id (``related``)."""

    items: list[Any]
    related: dict[type[Any], dict[str, Any]]


async def listed(
    session: AsyncSession, asked: Wanted, *criteria: Any, order_by: Sequence[Any] = ()
) -> Listed:
    """Every row of ``asked.base`` where ``criteria`` hold, in ``order_by``, with the
    relations (and, when ``asked.columns`` says, only the columns) ``asked`` names, all in
    one statement: for a list too short to page (an engineer's jobs)."""
    stmt, joined = join(asked, *criteria)
    rows = (await session.execute(stmt.order_by(*order_by))).all()
    tuples = rows if joined.shape is None else joined.shape.objects(rows)
    return Listed([t[0] for t in tuples], related(tuples, joined))


def selected(relations: Relations, tree: Mapping[str, Any]) -> dict[str, Any]:
    """The relations a query selects (``tree``: selected field names, nested)."""
    return {
        name: (model, attribute, selected(nested, tree[name]))
        for name, (model, attribute, nested) in relations.items()
        if name in tree
    }
