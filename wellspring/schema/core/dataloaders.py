"""Per-request DataLoaders: every relation a list can reach is one batched, scoped query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain import queries
from wellspring.domain.actor import Actor


class _ByIdLoader(DataLoader):
    def __init__(self, session: AsyncSession, actor: Actor, model: type[Any]) -> None:
        super().__init__()
        self.session, self.actor, self.model = session, actor, model

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Any]:
        found = await queries.visible_by_ids(self.session, self.actor, self.model, keys)
        return [found.get(k) for k in keys]


class _ChildrenLoader(DataLoader):
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


class _UnscopedLoader(DataLoader):
    """Internal lookups (a job's engineer's user id for a name); never returned to clients."""

    def __init__(self, session: AsyncSession, model: type[Any]) -> None:
        super().__init__()
        self.session, self.model = session, model

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Any]:
        found = await queries.by_ids(self.session, self.model, keys)
        return [found.get(k) for k in keys]


class _DisplayNameLoader(DataLoader):
    """Names of the people in a history (who approved, who visited), without their records."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__()
        self.session = session

    async def batch_load_fn(self, keys: Sequence[str]) -> list[str | None]:
        names = await queries.display_names(self.session, keys)
        return [names.get(k) for k in keys]


class Loaders:
    """Made once per request, so batching and caching never cross users."""

    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.actor = actor
        self._loaders: dict[Any, DataLoader] = {}

    def by_id(self, model: type[Any]) -> DataLoader:
        key = ("id", model)
        if key not in self._loaders:
            if self.actor is None:
                raise RuntimeError("loaders need a signed-in actor")
            self._loaders[key] = _ByIdLoader(self.session, self.actor, model)
        return self._loaders[key]

    def children(
        self, model: type[Any], parent_column: Any, order_by: Sequence[Any] = ()
    ) -> DataLoader:
        key = ("children", model, parent_column.key, tuple(str(o) for o in order_by))
        if key not in self._loaders:
            if self.actor is None:
                raise RuntimeError("loaders need a signed-in actor")
            self._loaders[key] = _ChildrenLoader(
                self.session, self.actor, model, parent_column, order_by
            )
        return self._loaders[key]

    async def unscoped(self, model: type[Any], id_: str | None) -> Any:
        if id_ is None:
            return None
        key = ("unscoped", model)
        if key not in self._loaders:
            self._loaders[key] = _UnscopedLoader(self.session, model)
        return await self._loaders[key].load(id_)

    async def display_name(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        if "names" not in self._loaders:
            self._loaders["names"] = _DisplayNameLoader(self.session)
        name: str | None = await self._loaders["names"].load(user_id)
        return name

    async def load(self, model: type[Any], id_: str | None) -> Any:
        """A visible row by id, or None (forbidden looks exactly like missing)."""
        if id_ is None:
            return None
        return await self.by_id(model).load(id_)
