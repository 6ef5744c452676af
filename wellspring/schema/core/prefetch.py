"""Fetch a page's related rows before graphql walks it, for the relations the query selects.

A connection resolver knows its whole page; fetching each selected relation for all of it
at once lets the field resolvers answer from memory (``Loaders.load`` returns known rows
directly) instead of parking one future per row. Two or more relations are read in one
statement (``domain/joined.py``); a single one with the statement the DataLoader would issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from sqlalchemy import inspect as sa_inspect

from wellspring.domain import joined

from .dataloaders import Loaders

# field name -> (model, foreign-key attribute, relations under that field)
Relations = joined.Relations
Tree = dict[str, "Tree"]


def selection_tree(info: Any) -> Tree:
    """The selected field names under the current field, fragments merged."""
    tree: Tree = {}
    for node in info.field_nodes:
        _walk(node.selection_set, tree, info.fragments)
    return tree


def _walk(selection_set: SelectionSetNode | None, into: Tree, fragments: Any) -> None:
    # A function of the module, not a closure over the request's info: a recursive closure
    # is a reference cycle, which would keep the request's rows for the cycle collector.
    if selection_set is None:
        return
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            _walk(sel.selection_set, into.setdefault(sel.name.value, {}), fragments)
        elif isinstance(sel, InlineFragmentNode):
            _walk(sel.selection_set, into, fragments)
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                _walk(fragment.selection_set, into, fragments)


def connection_nodes(tree: Tree) -> Tree:
    """What a connection's query selects on its nodes (``edges.node`` and ``nodes``)."""
    merged: Tree = {}
    for part in (tree.get("edges", {}).get("node", {}), tree.get("nodes", {})):
        for name, sub in part.items():
            merged.setdefault(name, {}).update(sub)
    return merged


def counted(tree: Tree) -> bool:
    """Whether a connection's query asks for its count: then the page reads it with its rows
    (``paginate``'s ``count_with_page``)."""
    return "totalCount" in tree or "totalCountExact" in tree


async def prefetch(loaders: Loaders, rows: Sequence[Any], tree: Tree, plan: Relations) -> None:
    await _joined(loaders, rows, joined.selected(plan, tree))
    for field, (model, attribute, nested) in plan.items():
        if field not in tree or not rows:
            continue
        ids = [getattr(row, attribute) for row in rows]
        await loaders.prefetch(model, ids)
        if nested:
            related = [loaders.peek(model, i) for i in ids]
            await prefetch(loaders, [r for r in related if r is not None], tree[field], nested)


def _size(relations: joined.Relations) -> int:
    return sum(1 + _size(nested) for _model, _attribute, nested in relations.values())


async def _joined(loaders: Loaders, rows: Sequence[Any], relations: joined.Relations) -> None:
    """Two or more relations, not known yet, of a page of model rows: read in one statement
    (``domain/joined.py``) instead of one per relation; the loop above then finds them."""
    if loaders.actor is None or not rows or _size(relations) < 2:
        return
    base = type(rows[0])
    mapped = sa_inspect(base, raiseerr=False) is not None and hasattr(base, "id")
    if not mapped or any(type(r) is not base for r in rows):
        return
    known = all(
        getattr(r, attribute) is None or getattr(r, attribute) in loaders.known(model)
        for model, attribute, _nested in relations.values()
        for r in rows
    )
    if not known:
        ids = [r.id for r in rows]
        loaders.know(await joined.read(loaders.session, loaders.actor, base, ids, relations))
