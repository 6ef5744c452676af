"""Keyset pages of one-to-many children (a device's tickets) for many parents at once.

A connection nested in a list (every device on a page of customers, each with its tickets)
must not cost one statement per parent: one windowed statement ranks each parent's visible
children in the page order and keeps ``first + 1`` of each, and the counts, asked for lazily,
are one grouped statement for the whole batch.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from . import policy
from .actor import Actor
from .cursors import decode_cursor, encode_cursor
from .pagination import Page, SortKey, check_page_size, keyset_after

_CHUNK = 500


class ChildPages:
    """Pages of ``model`` rows per parent id, in ``order``, after one shared cursor."""

    def __init__(
        self,
        session: AsyncSession,
        actor: Actor,
        model: type[Any],
        parent_column: Any,
        *,
        order: Sequence[SortKey],
        row_key: Callable[[Any], Sequence[Any]],
    ) -> None:
        self.session, self.actor, self.model = session, actor, model
        self.parent_column, self.order, self.row_key = parent_column, order, row_key
        self._counts: dict[str, int] = {}
        self._parents: list[str] = []
        # Sibling totalCount resolvers run concurrently; the first counts for all of them.
        self._counting = asyncio.Lock()

    def _visible(self, parent_ids: Sequence[str]) -> ColumnElement[bool]:
        return and_(
            self.parent_column.in_(parent_ids),
            policy.scope(self.model, self.actor),
            self.model.deleted_at.is_(None),
        )

    async def pages(
        self, parent_ids: Sequence[str], first: int | None, after: str | None
    ) -> dict[str, Page[Any]]:
        size = check_page_size(first)
        cursor = decode_cursor(after, [k.column for k in self.order]) if after else None
        unique = list(dict.fromkeys(parent_ids))
        self._parents += unique
        grouped: dict[str, list[Any]] = defaultdict(list)
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            base = select(self.model).where(self._visible(chunk))
            if cursor is not None:
                base = base.where(keyset_after(self.order, cursor))
            rank = (
                func.row_number()
                .over(
                    partition_by=self.parent_column,
                    order_by=[
                        k.column.desc() if k.descending else k.column.asc() for k in self.order
                    ],
                )
                .label("rank_in_parent")
            )
            ranked = base.add_columns(rank).subquery()
            row = aliased(self.model, ranked)
            stmt = (
                select(row)
                .where(ranked.c.rank_in_parent <= size + 1)
                .order_by(ranked.c[self.parent_column.key], ranked.c.rank_in_parent)
            )
            for child in (await self.session.execute(stmt)).scalars():
                grouped[getattr(child, self.parent_column.key)].append(child)
        return {pid: self._page(pid, grouped.get(pid, []), size, after) for pid in unique}

    def _page(self, parent_id: str, rows: list[Any], size: int, after: str | None) -> Page[Any]:
        async def count() -> int:
            return (await self._count_all()).get(parent_id, 0)

        kept = rows[:size]
        return Page(
            items=kept,
            cursors=[encode_cursor(self.row_key(r)) for r in kept],
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            _count=count,
        )

    async def _count_all(self) -> dict[str, int]:
        """The totals of every parent paged so far, in one grouped statement per new batch."""
        async with self._counting:
            missing = [p for p in dict.fromkeys(self._parents) if p not in self._counts]
            for start in range(0, len(missing), _CHUNK):
                chunk = missing[start : start + _CHUNK]
                stmt = (
                    select(self.parent_column, func.count())
                    .where(self._visible(chunk))
                    .group_by(self.parent_column)
                )
                found = {pid: int(n) for pid, n in (await self.session.execute(stmt)).all()}
                self._counts.update({pid: found.get(pid, 0) for pid in chunk})
        return self._counts
