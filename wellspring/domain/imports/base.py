"""What every kind of import shares: the rows it is given, what checking them yields, and the
lookups of codes (branches, agents, warehouses, models) done once per run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..models import Agent, Branch, CustomField, DeviceModel, Warehouse
from .values import RowError

CHUNK = 500  # ids per IN (...) lookup


@dataclass(frozen=True)
class SourceRow:
    line: int
    values: dict[str, str]


@dataclass
class Checked:
    """The rows to write (in file order), the rows already in the database, the bad rows."""

    items: list[Any] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def keep_new(self, candidates: Iterable[Any], present: Callable[[Any], bool]) -> Checked:
        """The idempotence rule: a row whose natural key is already in the database is left
        as it is (counted unchanged), so the same file imported twice changes nothing."""
        for item in candidates:
            if present(item):
                self.unchanged += 1
            else:
                self.items.append(item)
        return self


@dataclass
class Context:
    actor: Actor
    now: dt.datetime
    default_branch_id: str | None = None
    branches: dict[str, str] = field(default_factory=dict)  # code -> id
    agents: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (id, branch)
    warehouses: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    models: dict[str, DeviceModel] = field(default_factory=dict)  # code and name -> model
    custom_fields: list[CustomField] = field(default_factory=list)  # the kind's active ones


async def load_context(
    session: AsyncSession, actor: Actor, now: dt.datetime, branch_code: str | None
) -> Context:
    """Codes resolved once per run: branches, agents, warehouses and device models are few."""
    ctx = Context(actor=actor, now=now)
    for id_, code in await session.execute(
        select(Branch.id, Branch.code).where(Branch.deleted_at.is_(None), Branch.is_active)
    ):
        ctx.branches[code.upper()] = id_
    for id_, code, branch_id in await session.execute(
        select(Agent.id, Agent.code, Agent.branch_id).where(Agent.deleted_at.is_(None))
    ):
        ctx.agents[code.upper()] = (id_, branch_id)
    for id_, code, house_branch in await session.execute(
        select(Warehouse.id, Warehouse.code, Warehouse.branch_id).where(
            Warehouse.deleted_at.is_(None), Warehouse.is_active
        )
    ):
        ctx.warehouses[code.upper()] = (id_, house_branch)
    models = (await session.execute(select(DeviceModel).where(DeviceModel.is_active))).scalars()
    for model in models:
        ctx.models[model.code.upper()] = model
        ctx.models.setdefault(model.name.upper(), model)
    if branch_code:
        ctx.default_branch_id = ctx.branches.get(branch_code.strip().upper())
    return ctx


class Handler(Protocol):
    """One kind of import: check every row, then write the good ones a batch at a time."""

    async def check(
        self, session: AsyncSession, rows: Sequence[SourceRow], ctx: Context
    ) -> Checked: ...

    async def apply(self, session: AsyncSession, items: Sequence[Any], ctx: Context) -> None: ...


def chunks(values: Iterable[str]) -> Iterable[list[str]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def record_columns(now: dt.datetime) -> dict[str, Any]:
    """The Record columns of a row written by a bulk insert (stamped at commit)."""
    return {"created_at": now, "updated_at": now, "version": 0, "deleted_at": None}
