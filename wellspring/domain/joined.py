"""A page's to-one relations read in the page's own statement (issue 19 §3).

A list shows each row with some of its relations (a ticket's customer, its device and the
device's model). Reading them afterwards costs one statement per relation, each with its fixed
round trip; joining them to the page costs none. Each relation is joined as the actor may read
it by id (``policy.by_id_scope``), so a row the actor may not see reads as None, exactly as a
separate read by id would answer.

The scope is applied inside a derived table (``LEFT JOIN (SELECT … WHERE scope) AS r``): a
scope's own subqueries (an engineer's customers are those of their jobs' tickets) then never
correlate with the tables of the page's statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from . import policy
from .actor import Actor

# field name -> (model, foreign-key attribute on the parent, relations under it)
Relations = Mapping[str, tuple[type[Any], str, "Relations"]]


@dataclass
class Joined:
    """The page statement's extra entities, in select order, and how each hangs on its parent
    (index 0 is the page's own row)."""

    links: list[tuple[int, str, type[Any]]] = field(default_factory=list)  # (parent, fk, model)
    entities: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Wanted:
    """What a list is asked to join: its rows' model, the reader, and the relations."""

    base: Any
    actor: Actor
    relations: Relations


def wanted(base: Any, actor: Actor, relations: Relations | None) -> Wanted | None:
    """What a list function hands ``paginate`` for ``relations`` (None: nothing to join)."""
    return Wanted(base, actor, relations) if relations else None


def join(stmt: Select[Any], asked: Wanted) -> tuple[Any, Joined]:
    """``stmt`` (a select of ``asked.base``) with each relation outer-joined as an extra
    entity."""
    joined = Joined()
    actor = asked.actor
    seen: dict[type[Any], int] = {}

    def walk(parent: Any, parent_index: int, plan: Relations) -> None:
        nonlocal stmt
        for model, attribute, nested in plan.values():
            entity = _visible(model, actor, seen.get(model, 0))
            seen[model] = seen.get(model, 0) + 1
            stmt = stmt.add_columns(entity).outerjoin(
                entity, entity.id == getattr(parent, attribute)
            )
            joined.links.append((parent_index, attribute, model))
            joined.entities.append(entity)
            walk(entity, len(joined.entities), nested)

    walk(asked.base, 0, asked.relations)
    return stmt, joined


def _visible(model: Any, actor: Actor, occurrence: int) -> Any:
    """``model`` as the actor may read it by id, as a derived table; ``occurrence`` counts
    the model's earlier joins in this statement (a ticket's branch and its customer's branch
    are two tables)."""
    # Built once per reader and model: making a derived table's columns costs more than
    # the statement it saves (the key leaves out what no scope reads).
    reader = replace(actor, session_id=None, session_last_seen_at=None)
    return _visible_to(model, reader, occurrence)


@lru_cache(maxsize=1024)
def _visible_to(model: Any, actor: Actor, _occurrence: int) -> Any:
    return aliased(model, select(model).where(policy.by_id_scope(model, actor)).subquery())


def related(rows: Sequence[Any], joined: Joined) -> dict[type[Any], dict[str, Any]]:
    """The relations read with ``rows`` (tuples of the page's row and the joined entities),
    by model and id; None for an id the actor may not read."""
    found: dict[type[Any], dict[str, Any]] = {}
    for row in rows:
        for index, (parent_index, attribute, model) in enumerate(joined.links, start=1):
            parent = row[parent_index]
            key = None if parent is None else getattr(parent, attribute)
            if key is not None:
                found.setdefault(model, {})[key] = row[index]
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
