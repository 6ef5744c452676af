"""Per-request DataLoaders: every relation a list can reach is one batched, scoped query."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain import column_rows, queries
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.child_pages import ChildPages
from wellspring.domain.dispatch import board
from wellspring.domain.inventory import queries as inventory_queries
from wellspring.domain.pagination import SortKey

from .related import LATER

K = TypeVar("K")
V = TypeVar("V")


class RequestLoader(DataLoader[K, V]):
    """A DataLoader whose loads the request waits for before its transaction ends
    (``Loaders.settle``).

    A batch runs in a task of its own, reading through the request's session. When a field
    fails at once (a non-null value it cannot serialize), graphql-core drops its siblings
    without awaiting them, and a batch one of them started still runs: the endpoint then
    rolled back and closed the session under it (``IllegalStateChangeError``, a 500), and the
    connection went back to the pool inside the batch's transaction, where later requests
    failed on it ("cannot start a transaction within a transaction")."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: set[asyncio.Future[V]] = set()

    def load(self, key: K) -> asyncio.Future[V]:
        future = super().load(key)
        if not future.done():
            self.in_flight.add(future)
            future.add_done_callback(self.in_flight.discard)
        return future


class _ByIdLoader(RequestLoader[str, Any]):
    def __init__(
        self,
        session: AsyncSession,
        actor: Actor,
        model: type[Any],
        known: dict[str, Any],
    ) -> None:
        super().__init__()
        self.session, self.actor, self.model, self.known = session, actor, model, known

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Any]:
        found = await queries.visible_by_ids(self.session, self.actor, self.model, keys)
        rows = [found.get(k) for k in keys]
        self.known.update(zip(keys, rows, strict=True))
        return rows


class _ChildrenLoader(RequestLoader[str, list[Any]]):
    def __init__(
        self,
        session: AsyncSession,
        actor: Actor,
        model: type[Any],
        parent_column: Any,
        order_by: Sequence[Any],
    ) -> None:
        super().__init__()
        self.session, self.actor, self.model = session, actor, model
        self.parent_column, self.order_by = parent_column, order_by

    async def batch_load_fn(self, keys: Sequence[str]) -> list[list[Any]]:
        grouped = await queries.visible_children(
            self.session, self.actor, self.model, self.parent_column, keys, self.order_by
        )
        return [grouped.get(k, []) for k in keys]


class _ChildPageLoader(RequestLoader[str, Any]):
    """One page of children per parent id, all parents of a tick in one statement."""

    def __init__(self, pages: ChildPages, first: int | None, after: str | None) -> None:
        super().__init__()
        self.pages, self.first, self.after = pages, first, after

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Any]:
        found = await self.pages.pages(keys, self.first, self.after)
        return [found[k] for k in keys]


class _UnscopedLoader(RequestLoader[str, Any]):
    """Internal lookups (a job's engineer's user id for a name); never returned to clients."""

    def __init__(self, session: AsyncSession, model: type[Any]) -> None:
        super().__init__()
        self.session, self.model = session, model

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Any]:
        found = await queries.by_ids(self.session, self.model, keys)
        return [found.get(k) for k in keys]


class _DisplayNameLoader(RequestLoader[str, str | None]):
    """Names of the people in a history (who approved, who visited), without their records."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session

    async def batch_load_fn(self, keys: Sequence[str]) -> list[str | None]:
        names = await queries.display_names(self.session, keys)
        return [names.get(k) for k in keys]


class _VanLoader(RequestLoader[str, dict[str, int]]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session

    async def batch_load_fn(self, keys: Sequence[str]) -> list[dict[str, int]]:
        found = await inventory_queries.vans_stock(self.session, keys)
        return [found.get(k, {}) for k in keys]


class _TechnicianDayLoader(RequestLoader[Any, Any]):
    """Engineers' status now and jobs today, one statement per page (``dispatch.board``)."""

    def __init__(self, session: AsyncSession, actor: Actor, now: dt.datetime) -> None:
        super().__init__()
        self.session, self.actor, self.now = session, actor, now

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[Any]:
        days = await board.days_of(self.session, self.actor, keys, self.now)
        return [days[k.id] for k in keys]


class Loaders:
    """Made once per request, so batching and caching never cross users.

    Rows already fetched (by a batch or a prefetch) are kept per model, so a resolver can
    return them at once instead of an awaitable: on a page of 50 tickets that saves graphql
    hundreds of futures and gathers (bench/README.md has the figures).
    """

    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.actor = actor
        self._loaders: dict[Any, RequestLoader[Any, Any]] = {}
        # Model -> id -> row (None: not visible); read directly by ``fused_rows.py``.
        self.rows: dict[type[Any], dict[str, Any]] = defaultdict(dict)
        # Rows read as some columns (``know``); what each holds is its ``__dict__``'s keys.
        self.partial_rows: dict[type[Any], dict[str, Any]] = defaultdict(dict)
        self._tech_names: dict[str, str | None] = {}  # engineer id -> display name
        self._user_names: dict[str, str | None] = {}  # user id -> display name
        self._days: dict[str, Any] = {}  # engineer id -> board.TechnicianDay

    async def settle(self) -> None:
        """Wait until every load this request started has ended, so that nothing reads
        through its session once the endpoint commits, rolls back or closes it."""
        while pending := {f for loader in self._loaders.values() for f in loader.in_flight}:
            await asyncio.wait(pending)
            for future in pending:  # read by no one when the field that asked was dropped
                if future.done() and not future.cancelled():
                    future.exception()

    def keyed(self, key: Any, make: Callable[[], RequestLoader[Any, Any]]) -> Any:
        """This request's loader for ``key``, made by ``make`` the first time it is asked for
        (an area's own batched relation, e.g. the knowledge base's suggestions)."""
        if key not in self._loaders:
            self._loaders[key] = make()
        return self._loaders[key]

    def by_id(self, model: type[Any]) -> RequestLoader[Any, Any]:
        key = ("id", model)
        if key not in self._loaders:
            if self.actor is None:
                raise RuntimeError("loaders need a signed-in actor")
            self._loaders[key] = _ByIdLoader(self.session, self.actor, model, self.rows[model])
        return self._loaders[key]

    def load(self, model: type[Any], id_: str | None) -> Any:
        """A visible row by id or None (forbidden looks exactly like missing).

        Returns the row itself when it is already known, else an awaitable of it; graphql
        accepts either from a resolver.
        """
        if id_ is None:
            return None
        known = self.rows[model]
        if id_ in known:
            return known[id_]
        return self.by_id(model).load(id_)

    def known(self, model: type[Any]) -> dict[str, Any]:
        """The rows of ``model`` fetched so far in this request, by id (None: not visible)."""
        return self.rows[model]

    def peek(self, model: type[Any], id_: str | None) -> Any:
        """A row fetched earlier in this request, or None."""
        return None if id_ is None else self.rows[model].get(id_)

    def know(self, related: Mapping[type[Any], Mapping[str, Any]]) -> None:
        """Rows read with a page (``Page.related``): by model and id, None when not visible.

        A row read as some columns only (``domain/column_rows.py``) is kept apart: only a
        selection that reads no other column may be answered from it (``partial_row``); any
        other read of that id loads the whole row."""
        for model, rows in related.items():
            known, partial = self.rows[model], self.partial_rows[model]
            for id_, row in rows.items():
                if row is not None and column_rows.is_partial(row):
                    if id_ not in known:
                        partial[id_] = row
                else:
                    known[id_] = row

    def partial_row(self, model: type[Any], id_: str, columns: frozenset[str] | None) -> Any | None:
        """A row of ``model`` read with a page as some columns, if it holds all of
        ``columns`` (None: not said, so never), else None."""
        row = self.partial_rows[model].get(id_)
        if row is None or columns is None:
            return None
        return row if columns <= row.__dict__.keys() else None

    async def prefetch(self, model: type[Any], ids: Sequence[str | None]) -> None:
        """Fetch in one statement the visible rows of ``ids`` not known yet."""
        if self.actor is None:
            return
        known = self.rows[model]
        missing = [i for i in dict.fromkeys(ids) if i is not None and i not in known]
        if not missing:
            return
        found = await queries.visible_by_ids(self.session, self.actor, model, missing)
        known.update((i, found.get(i)) for i in missing)

    def children(
        self, model: type[Any], parent_column: Any, order_by: Sequence[Any] = ()
    ) -> RequestLoader[Any, Any]:
        key = ("children", model, parent_column.key, tuple(str(o) for o in order_by))
        if key not in self._loaders:
            if self.actor is None:
                raise RuntimeError("loaders need a signed-in actor")
            self._loaders[key] = _ChildrenLoader(
                self.session, self.actor, model, parent_column, order_by
            )
        return self._loaders[key]

    def child_page(
        self,
        model: type[Any],
        parent_column: Any,
        order: Sequence[SortKey],
        row_key: Callable[[Any], Sequence[Any]],
        first: int | None,
        after: str | None,
    ) -> RequestLoader[Any, Any]:
        """Loads a ``Page`` of ``model`` per parent id (a nested connection)."""
        key = ("child_page", model, parent_column.key, first, after)
        if key not in self._loaders:
            if self.actor is None:
                raise RuntimeError("loaders need a signed-in actor")
            pages = ChildPages(
                self.session, self.actor, model, parent_column, order=order, row_key=row_key
            )
            self._loaders[key] = _ChildPageLoader(pages, first, after)
        return self._loaders[key]

    async def unscoped(self, model: type[Any], id_: str | None) -> Any:
        if id_ is None:
            return None
        key = ("unscoped", model)
        if key not in self._loaders:
            self._loaders[key] = _UnscopedLoader(self.session, model)
        return await self._loaders[key].load(id_)

    async def van(self, technician_id: str | None) -> dict[str, int]:
        """Good stock per part in an engineer's van (for the jobs this request shows)."""
        if technician_id is None:
            return {}
        if "vans" not in self._loaders:
            self._loaders["vans"] = _VanLoader(self.session)
        stock: dict[str, int] = await self._loaders["vans"].load(technician_id)
        return stock

    async def know_technician_days(
        self, technicians: Sequence[Any], now: dt.datetime, columns: frozenset[str] | None = None
    ) -> None:
        """Read in one statement a page's engineers' days (status now, jobs today), the jobs
        as ``columns`` only when given (``board.days_of``)."""
        missing = [t for t in technicians if t.id not in self._days]
        if missing and self.actor is not None:
            days = await board.days_of(self.session, self.actor, missing, now, columns)
            self._days.update(days)

    def technician_day_known(self, technician: Any) -> Any:
        """An engineer's day when their page read it, else ``related.LATER``."""
        return self._days.get(technician.id, LATER)

    def technician_day_now(self, technician: Any, now: dt.datetime) -> Any:
        """An engineer's day at once when their page read it, else an awaitable of it."""
        known = self._days.get(technician.id)
        return known if known is not None else self.technician_day(technician, now)

    async def technician_day(self, technician: Any, now: dt.datetime) -> Any:
        """A ``board.TechnicianDay`` (status now, jobs today) for an engineer row."""
        if "technician_days" not in self._loaders:
            if self.actor is None:
                raise RuntimeError("loaders need a signed-in actor")
            self._loaders["technician_days"] = _TechnicianDayLoader(self.session, self.actor, now)
        return await self._loaders["technician_days"].load(technician)

    def _names(self) -> Any:
        if "names" not in self._loaders:
            self._loaders["names"] = _DisplayNameLoader(self.session)
        return self._loaders["names"]

    async def know_technician_names(self, technician_ids: Sequence[str | None]) -> None:
        """Read in one statement the names of a page's engineers (``technician_name``)."""
        missing = [i for i in dict.fromkeys(technician_ids) if i and i not in self._tech_names]
        if missing:
            found = await queries.technician_names(self.session, missing)
            self._tech_names.update((i, found.get(i)) for i in missing)

    def technician_name_known(self, technician_id: str | None) -> Any:
        """An engineer's display name this request has read (None for no engineer), else
        ``related.LATER``."""
        if technician_id is None:
            return None
        return self._tech_names.get(technician_id, LATER)

    def technician_name(self, technician_id: str | None) -> Any:
        """An engineer's display name: at once when their page read it, else an awaitable."""
        if technician_id is None:
            return None
        if technician_id in self._tech_names:
            return self._tech_names[technician_id]
        return self._technician_name(technician_id)

    async def _technician_name(self, technician_id: str) -> str | None:
        tech = await self.unscoped(m.Technician, technician_id)
        return await self.display_name(tech.user_id if tech else None)

    async def display_name(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        name: str | None = await self._names().load(user_id)
        return name

    def know_display_names(self, names: dict[str, str]) -> None:
        """Names a resolver has already read (user id -> name): no second statement for them."""
        loader = self._names()
        for user_id, name in names.items():
            loader.prime(user_id, name)
        self._user_names.update(names)

    async def know_user_names(self, user_ids: Sequence[str | None]) -> None:
        """Read in one statement the display names of a page's people."""
        missing = [i for i in dict.fromkeys(user_ids) if i and i not in self._user_names]
        if missing:
            found = await queries.display_names(self.session, missing)
            self.know_display_names(found)
            self._user_names.update((i, None) for i in missing if i not in found)

    def display_name_known(self, user_id: str | None) -> Any:
        """A display name this request has read (None for no user), else ``related.LATER``."""
        if user_id is None:
            return None
        return self._user_names.get(user_id, LATER)
