"""Keyset pagination: opaque cursors holding the sort key of the last row, never an OFFSET."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, literal, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import joined as joins
from .cursors import decode_cursor, encode_cursor
from .errors import DomainError

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A list counts at most this many rows past its filters (docs/api.md, "Counting"): an exact
# count of a large scope reads every row of it on every request, the page only ``first``.
COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class SortKey:
    """One column of the order, and whether it runs descending."""

    column: Any
    descending: bool = True


@dataclass(frozen=True)
class Rows:
    """What a list reads: the rows of ``model`` where every one of ``criteria`` holds. Given
    to ``paginate`` in place of a statement, it lets a page that reads relations with its
    rows reuse the reader's kept statement and add only the criteria (``joined.join``)."""

    model: Any
    criteria: tuple[Any, ...]

    def where(self, *criteria: Any) -> Rows:
        return Rows(self.model, (*self.criteria, *criteria))

    def select(self) -> Select[Any]:
        return select(self.model).where(*self.criteria)


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    _count: Callable[[], Awaitable[int]] = field(repr=False)
    _counted: int | None = field(default=None, repr=False)
    # totalCount and totalCountExact resolve concurrently: one count serves both.
    _counting: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # True when ``_count`` reads a maintained count (ticket_counts.py): exact at any size.
    _maintained: bool = field(default=False, repr=False)
    # Relations read with the page (``joined.py``): model -> id -> row, None when not visible.
    related: dict[type[Any], dict[str, Any]] = field(default_factory=dict)

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    @property
    def page_info(self) -> Page[T]:
        """What a connection's ``pageInfo`` reads (``hasNextPage``, ``endCursor``...): the
        page's own attributes."""
        return self

    async def _rows_counted(self) -> int:
        async with self._counting:
            if self._counted is None:
                self._counted = await self._count()
            return self._counted

    async def total_count(self) -> int:
        """Counted only when a client asks for it: a maintained count whole, any other at
        most ``COUNT_LIMIT``."""
        counted = await self._rows_counted()
        return counted if self._maintained else min(counted, COUNT_LIMIT)

    async def total_count_exact(self) -> bool:
        """False when there are more rows than ``COUNT_LIMIT`` (the count stopped there)."""
        return self._maintained or await self._rows_counted() <= COUNT_LIMIT

    def counted_total(self) -> tuple[int, bool] | None:
        """``(total_count, total_count_exact)`` when the count is already read (with the
        page's rows), else None: the caller need not await it then."""
        counted = self._counted
        if counted is None:
            return None
        if self._maintained:
            return counted, True
        return min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT


def keyset_after(order: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order: (a > x) or (a = x and b > y) ..."""
    clauses = []
    for i, key in enumerate(order):
        equal = [order[j].column == values[j] for j in range(i)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def _counting(stmt: Select[Any] | Rows, maintained: Select[Any] | None) -> Select[Any]:
    """What counts ``stmt``'s rows: the maintained count, else the rows counted up to one
    past ``COUNT_LIMIT``, so that it reads no more than that many, and a constant of each,
    not their columns."""
    if maintained is not None:
        return maintained
    rows = stmt.select() if isinstance(stmt, Rows) else stmt
    return select(func.count()).select_from(
        rows.with_only_columns(literal_column("1"), maintain_column_froms=True)
        .order_by(None)
        .limit(literal(COUNT_LIMIT + 1, literal_execute=True))
        .subquery()
    )


def check_page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 1 or size > MAX_PAGE_SIZE:
        raise DomainError("PAGE_SIZE_OUT_OF_RANGE", field="first", maximum=MAX_PAGE_SIZE)
    return size


async def paginate(
    session: AsyncSession,
    stmt: Select[Any] | Rows,
    *,
    order: Sequence[SortKey],
    first: int | None,
    after: str | None,
    row_key: Callable[[Any], Sequence[Any]],
    maintained_count: Select[Any] | None = None,
    related: joins.Wanted | None = None,
    count_with_page: bool = False,
) -> Page[Any]:
    """One page of ``stmt`` (a select of one entity, or ``Rows``) in ``order``, after the
    cursor.

    ``row_key`` reads the sort values from a loaded row, in ``order``'s order.
    ``maintained_count``, when given, answers ``totalCount`` exactly in place of the bounded
    count over ``stmt`` (it must count exactly the rows ``stmt`` selects).
    ``related``, when given (with ``Rows``), names to-one relations read in the page's own
    statement (``Page.related``). ``count_with_page``: the count is read as a column of the
    page's statement (one round trip fewer when the caller will ask for it); a page with no
    row counts on its own when asked.
    """
    size = check_page_size(first)
    joined = joins.Joined()
    if related is not None and related.relations:
        if not isinstance(stmt, Rows):
            raise TypeError("a page read with its relations is given as Rows")
        columns = [k.column for k in order]
        paged, joined = joins.join(related, *stmt.criteria, order=columns)
    else:
        paged = stmt.select() if isinstance(stmt, Rows) else stmt
    if after:
        paged = paged.where(keyset_after(order, decode_cursor(after, [k.column for k in order])))
    paged = paged.order_by(*[k.column.desc() if k.descending else k.column.asc() for k in order])
    # The page size is written into the SQL, not bound: PostgreSQL then keeps one generic
    # plan of a prepared page statement instead of planning it anew at every request (an
    # unknown LIMIT makes each custom plan look cheaper than the generic one).
    paged = paged.limit(literal(size + 1, literal_execute=True))
    found: dict[type[Any], dict[str, Any]] = {}
    if count_with_page:
        # Uncorrelated: the count is over its own statement, never the page's row.
        paged = paged.add_columns(
            _counting(stmt, maintained_count).scalar_subquery().correlate(None)
        )
    tuples: Sequence[Sequence[Any]]
    if joined.shape is not None:
        tuples = joined.shape.objects((await session.execute(paged)).all())
        found = joins.related(tuples[:size], joined)
        rows = [t[0] for t in tuples]
    elif joined.entities or count_with_page:
        tuples = list((await session.execute(paged)).all())
        found = joins.related(tuples[:size], joined) if joined.entities else {}
        rows = [t[0] for t in tuples]
    else:
        tuples = []
        rows = list((await session.execute(paged)).scalars().all())
    has_next = len(rows) > size
    rows = rows[:size]

    async def count() -> int:
        counting = _counting(stmt, maintained_count)
        return int((await session.execute(counting)).scalar_one())

    return Page(
        items=rows,
        cursors=[encode_cursor(row_key(r)) for r in rows],
        has_next_page=has_next,
        has_previous_page=after is not None,
        _count=count,
        _counted=int(tuples[0][-1]) if count_with_page and tuples else None,
        _maintained=maintained_count is not None,
        related=found,
    )
