"""Selection plans kept across requests (issue 19 §3).

A plan (``selection_plans.py``) was made once per request and selection: three for a page
of tickets, about 0.1 ms of its CPU (``bench/tickets_profile``). What a plan holds depends on
three things besides the schema:

- the selection's field nodes, which are the same objects in every request of a document
  (the endpoint keeps parsed documents in an LRU cache), and so are named by their ids;
- the actor's role, which decides the field guards a plan reads past
  (``FieldGuard.allows`` looks at nothing else), or no actor at all;
- whether a middleware is in use (then nothing takes the short path).

Its sub-selections are also collected with the request's variables, but only ``@skip`` and
``@include`` make them depend on those: a document that uses either keeps making its plans
per request. A kept plan holds its first request's selection, so the nodes its key names
stay alive (their ids cannot be reused) for as long as the plan is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from .selection_plans import NO_ACTOR, Fields, Plan

PLANS_KEPT = 1024  # selections × roles; the endpoint keeps 256 documents
_CONDITIONS = frozenset({"skip", "include"})


def _conditional(selection_set: SelectionSetNode | None) -> bool:
    """Whether a selection (recursively) carries ``@skip`` or ``@include``."""
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if any(d.name.value in _CONDITIONS for d in selection.directives or ()):
            return True
        if isinstance(selection, FieldNode | InlineFragmentNode) and _conditional(
            selection.selection_set
        ):
            return True
        if not isinstance(selection, FieldNode | InlineFragmentNode | FragmentSpreadNode):
            return True  # a kind of selection this check does not know: do not share
    return False


class SharedPlans:
    """The plans of one schema, by selection, role and middleware; the least used go first."""

    def __init__(self, size: int = PLANS_KEPT) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()
        # id(operation) -> (the operation, whether its document may share plans)
        self._documents: OrderedDict[int, tuple[OperationDefinitionNode, bool]] = OrderedDict()

    def key(self, context: Any, parent_type: Any, fields: Fields) -> tuple[Any, ...] | None:
        """The key of ``fields`` on ``parent_type`` for ``context``'s request, or None when
        its document's selections depend on the request's variables."""
        if not self._shareable(context):
            return None
        actor = getattr(context.context_value, "actor", NO_ACTOR)
        who = actor if actor is None or actor is NO_ACTOR else actor.role
        nodes = tuple((name, *map(id, field_nodes)) for name, field_nodes in fields.items())
        return (id(parent_type), who, bool(context.middleware_manager), nodes)

    def get(self, key: tuple[Any, ...]) -> Plan | None:
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
        return plan

    def put(self, key: tuple[Any, ...], plan: Plan) -> None:
        self._plans[key] = plan
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)

    def __len__(self) -> int:
        return len(self._plans)

    def _shareable(self, context: Any) -> bool:
        operation = context.operation
        known = self._documents.get(id(operation))
        if known is not None and known[0] is operation:
            self._documents.move_to_end(id(operation))
            return known[1]
        shareable = not _conditional(operation.selection_set) and not any(
            _conditional(fragment.selection_set) for fragment in context.fragments.values()
        )
        self._documents[id(operation)] = (operation, shareable)
        if len(self._documents) > self.size:
            self._documents.popitem(last=False)
        return shareable
