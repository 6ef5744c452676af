"""Fetch a page's related rows before graphql walks it, for the relations the query selects.

A connection resolver knows its whole page; fetching each selected relation for all of it
at once lets the field resolvers answer from memory (``Loaders.load`` returns known rows
directly) instead of parking one future per row. The statements are the ones the DataLoaders
would have issued, one per relation, so the count per request stays the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from .dataloaders import Loaders

# field name -> (model, foreign-key attribute, relations under that field)
Relations = dict[str, tuple[type[Any], str, "Relations"]]  # the shape of joined.Relations
Tree = dict[str, "Tree"]


def selection_tree(info: Any) -> Tree:
    """The selected field names under the current field, fragments merged."""
    tree: Tree = {}

    def walk(selection_set: SelectionSetNode | None, into: Tree) -> None:
        if selection_set is None:
            return
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                walk(sel.selection_set, into.setdefault(sel.name.value, {}))
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set, into)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = info.fragments.get(sel.name.value)
                if fragment is not None:
                    walk(fragment.selection_set, into)

    for node in info.field_nodes:
        walk(node.selection_set, tree)
    return tree


def connection_nodes(tree: Tree) -> Tree:
    """What a connection's query selects on its nodes (``edges.node`` and ``nodes``)."""
    merged: Tree = {}
    for part in (tree.get("edges", {}).get("node", {}), tree.get("nodes", {})):
        for name, sub in part.items():
            merged.setdefault(name, {}).update(sub)
    return merged


async def prefetch(loaders: Loaders, rows: Sequence[Any], tree: Tree, plan: Relations) -> None:
    for field, (model, attribute, nested) in plan.items():
        if field not in tree or not rows:
            continue
        ids = [getattr(row, attribute) for row in rows]
        await loaders.prefetch(model, ids)
        if nested:
            related = [loaders.peek(model, i) for i in ids]
            await prefetch(loaders, [r for r in related if r is not None], tree[field], nested)
