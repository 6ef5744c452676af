"""A to-one relation resolved from the request's loaders (``ticket.customer`` and the like).

``Related(m.Customer, "customer_id")`` as a type's ``resolve_customer`` answers what
``loaders.load`` answers: the row when this request already knows it (a connection's
prefetch), else an awaitable of it. Because it says which model and which key it reads,
``plain_fields.py`` can answer a known row on its short path, without graphql-core's
per-field machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Related:
    __slots__ = ("attribute", "model")

    def __init__(self, model: type[Any], attribute: str) -> None:
        self.model, self.attribute = model, attribute

    def __call__(self, root: Any, info: Any) -> Any:
        return info.context.loaders.load(self.model, getattr(root, self.attribute))


class Element:
    """Item ``index`` of a tuple (a connection's edge is ``(row, cursor)``): a resolver the
    short path of ``plain_fields.py`` reads directly."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __call__(self, root: Any, _info: Any) -> Any:
        return root[self.index]


class Later(Exception):
    """What a ``Computed`` answers when the row and what the request already read cannot say
    (a name not read yet). It is an exception only so that every quick read of the short path,
    which takes any exception for "not plain", hands the field to the ordinary path, where
    ``Computed.__call__`` asks its ``later`` resolver. It is never raised."""


LATER = Later()


class Computed:
    """A leaf or a list worked out from the row and the request's context alone
    (``Ticket.overdue`` from the request's clock, an engineer's skills): a resolver the short
    path of ``plain_fields.py`` calls directly, without graphql-core's per-field machinery.

    With ``later``, ``compute`` may answer ``LATER`` when it cannot say now; the field then
    takes the ordinary path, where ``later(root, info)`` resolves it (a DataLoader's read).
    ``columns`` names the row's attributes ``compute`` reads, so that a page read as columns
    (``domain/column_rows.py``) reads them; without it the page reads every column."""

    __slots__ = ("columns", "compute", "later")

    def __init__(
        self, compute: Any, later: Any = None, columns: tuple[str, ...] | None = None
    ) -> None:
        self.compute, self.later = compute, later
        self.columns = None if columns is None else frozenset(columns)

    def __call__(self, root: Any, info: Any) -> Any:
        value = self.compute(root, info.context)
        if value is LATER and self.later is not None:
            return self.later(root, info)
        return value


def reads(*columns: str) -> Callable[[F], F]:
    """Marks a resolver of ours with the row's columns it reads (``Customer.defaultAddress``
    reads the customer's id), so that a page read as columns (``read_columns.py``) reads
    them for it instead of the whole row. Reading any other column of a row read so raises."""

    def mark(resolve: F) -> F:
        resolve.reads_columns = frozenset(columns)  # type: ignore[attr-defined]
        return resolve

    return mark
