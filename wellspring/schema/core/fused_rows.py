"""A row and its objects answered in one go (issue 19 §3), for the short path of
``plain_fields.py``.

On a page, each edge is six objects (the edge, its ticket, the ticket's branch, customer,
device and the device's model), and the short path answers each through a chain of calls
that carry a path and graphql-core's error handling. When a selection's plan has a program
(``selection_plans.py``: every field a quick leaf or an object the short path reads), the
row is answered here instead, by one loop per object, with no path and no error handling:
the first thing that is not plain (a null where a value must be, an error, a relation not
yet loaded, a value that does not serialize) abandons the whole row, and the caller answers
it again the ordinary way, which records the error where graphql-core would. Nothing here
records anything or starts a load, so answering a row twice is safe.
"""

from __future__ import annotations

from typing import Any

from graphql.pyutils import Undefined

from .list_values import SKIP, leaves
from .selection_plans import (
    ATTRIBUTE,
    COMPUTED,
    FUSED_DIRECT,
    FUSED_LEAVES,
    FUSED_LINKED,
    INDEX,
    Plan,
)

ABANDONED: Any = object()  # the row is answered the ordinary way
_MISSING: Any = object()


class _Abandon(Exception):
    """Raised inside a row's answer: not plain, answer it the ordinary way."""


def answer_row(context: Any, plan: Plan, row: Any) -> Any:
    """``row`` answered by ``plan``'s program, or ``ABANDONED``. ``context`` is the execution
    context (``plain_fields.ShortPathContext``)."""
    try:
        return _answer(context, plan, row)
    except Exception:
        return ABANDONED


def _answer(context: Any, plan: Plan, row: Any) -> dict[str, Any]:
    program = plan.program
    if program is None or isinstance(row, dict):
        raise _Abandon
    # A loaded column of a mapped row sits in its __dict__, where SQLAlchemy's attribute
    # would read it; anything else (a row not mapped, an attribute not loaded) uses getattr.
    loaded = row.__dict__ if context.is_mapped(type(row)) else {}
    request = context.context_value
    answer: dict[str, Any] = {}
    for name, how, a, b, c, d, e in program:
        # Leaves: a: what to read; b: serialize; c: relay id encoder or None; d: non-null.
        if how == ATTRIBUTE:
            value = loaded.get(a, _MISSING)
            if value is _MISSING:
                value = getattr(row, a, None)
        elif how == INDEX:
            value = row[a]
        elif how == COMPUTED:
            value = a.compute(row, request)
        elif how == FUSED_DIRECT:  # a: attribute or index; b: its plan; d: non-null; e: model
            value = row[a] if isinstance(a, int) else getattr(row, a, None)
            if value is None:
                if d:
                    raise _Abandon
                answer[name] = None
                continue
            # A row the type accepts; with no model to check, anything but an error or an
            # awaitable (graphql-core's own path handles those).
            if e is not None:
                if not isinstance(value, e):
                    raise _Abandon
            elif isinstance(value, Exception) or context.is_awaitable(value):
                raise _Abandon
            answer[name] = _answer(context, b, value)
            continue
        elif how != FUSED_LINKED:  # a list; a: what to read; b: leaf type or plan; e: model
            value = _read(row, a, request)
            if value is None:
                if d:
                    raise _Abandon
                answer[name] = None
            elif type(value) not in (list, tuple):
                raise _Abandon
            elif how == FUSED_LEAVES:
                completed = leaves(b, value)
                if completed is SKIP:
                    raise _Abandon
                answer[name] = completed
            else:
                answer[name] = [_item(context, b, e, item) for item in value]
            continue
        else:  # a relation (``Related``) the request already knows; b: its plan
            id_ = getattr(row, a.attribute)
            related = None if id_ is None else request.loaders.known(a.model).get(id_, _MISSING)
            if related is _MISSING:
                # A row read with the page as the columns this selection reads, or not
                # loaded yet: the DataLoader, on the ordinary path.
                related = request.loaders.partial_row(a.model, id_, b.columns)
                if related is None:
                    raise _Abandon
            if related is None:  # no relation, or not visible to this actor: as if missing
                answer[name] = None
            elif not isinstance(related, a.model):
                raise _Abandon
            else:
                answer[name] = _answer(context, b, related)
            continue
        if value is None:
            if d or c is not None:
                raise _Abandon
            answer[name] = None
            continue
        if value is Undefined or isinstance(value, Exception):
            raise _Abandon
        if c is not None:
            value = c(plan.type_name, value)
        serialized = b(value)
        if serialized is None or serialized is Undefined:
            raise _Abandon
        answer[name] = serialized
    return answer


def _read(row: Any, what: Any, request: Any) -> Any:
    if isinstance(what, str):
        return getattr(row, what, None)
    if isinstance(what, int):
        return row[what]
    return what.compute(row, request)


def _item(context: Any, plan: Plan, model: Any, item: Any) -> dict[str, Any]:
    """An object of a list: a row the type accepts (with no model, anything but a null, an
    error or an awaitable)."""
    if model is not None:
        if not isinstance(item, model):
            raise _Abandon
    elif item is None or isinstance(item, Exception) or context.is_awaitable(item):
        raise _Abandon
    return _answer(context, plan, item)
