"""Reads that every area shares: one visible row, visible rows by id, children of parents.

All of them filter through ``policy.scope`` so a row the actor may not see is never loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import policy
from .actor import Actor
from .errors import PermissionDenied
from .models import Branch, DeviceModel, Technician, User

M = TypeVar("M")
_CHUNK = 500


async def get_visible(
    session: AsyncSession,
    actor: Actor,
    model: type[M],
    id_: str,
    *,
    include_deleted: bool = False,
) -> M | None:
    """The row if it exists and the actor may see it; else None.

    A soft-deleted customer, device or ticket is None too, unless an admin asks for deleted
    rows (``include_deleted``, the audit read); anyone else asking for them is refused.
    """
    if include_deleted and not policy.can_read_deleted(actor):
        raise PermissionDenied
    stmt = select(model).where(
        model.id == id_,  # type: ignore[attr-defined]
        policy.by_id_scope(model, actor, include_deleted=include_deleted),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def visible_by_ids(
    session: AsyncSession, actor: Actor, model: type[M], ids: Sequence[str]
) -> dict[str, M]:
    """Visible rows keyed by id, in one statement per 500 ids (for DataLoaders)."""
    found: dict[str, M] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        stmt = select(model).where(
            model.id.in_(chunk),  # type: ignore[attr-defined]
            policy.by_id_scope(model, actor),
        )
        for row in (await session.execute(stmt)).scalars():
            found[row.id] = row  # type: ignore[attr-defined]
    return found


async def by_ids(session: AsyncSession, model: type[M], ids: Sequence[str]) -> dict[str, M]:
    """Rows by id with no policy: for internal joins only, never handed to a client as is."""
    found: dict[str, M] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        stmt = select(model).where(model.id.in_(chunk))  # type: ignore[attr-defined]
        for row in (await session.execute(stmt)).scalars():
            found[row.id] = row  # type: ignore[attr-defined]
    return found


async def visible_children(
    session: AsyncSession,
    actor: Actor,
    model: type[M],
    parent_column: Any,
    parent_ids: Sequence[str],
    order_by: Sequence[Any] = (),
    *,
    include_retired: bool = False,
) -> dict[str, list[M]]:
    """Visible rows grouped by their parent id (for one-to-many DataLoaders)."""
    grouped: dict[str, list[M]] = defaultdict(list)
    unique = list(dict.fromkeys(parent_ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        stmt = select(model).where(parent_column.in_(chunk), policy.scope(model, actor))
        if not include_retired:
            stmt = stmt.where(model.deleted_at.is_(None))  # type: ignore[attr-defined]
        stmt = stmt.order_by(*order_by) if order_by else stmt
        for row in (await session.execute(stmt)).scalars():
            grouped[getattr(row, parent_column.key)].append(row)
    return grouped


async def display_names(session: AsyncSession, user_ids: Sequence[str]) -> dict[str, str]:
    """Display names only: what a history shows about its actors to anyone who sees it."""
    names: dict[str, str] = {}
    unique = list(dict.fromkeys(user_ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        stmt = select(User.id, User.display_name).where(User.id.in_(chunk))
        for id_, name in (await session.execute(stmt)).all():
            names[id_] = name
    return names


async def technician_names(session: AsyncSession, technician_ids: Sequence[str]) -> dict[str, str]:
    """Engineers' display names by engineer id, in one statement per 500 (a job list's
    ``technicianName``: shown to whoever sees the job, like a history's names)."""
    names: dict[str, str] = {}
    unique = list(dict.fromkeys(technician_ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        stmt = (
            select(Technician.id, User.display_name)
            .join(User, User.id == Technician.user_id)
            .where(Technician.id.in_(chunk))
        )
        for id_, name in (await session.execute(stmt)).all():
            names[id_] = name
    return names


async def branches(
    session: AsyncSession, actor: Actor, *, is_active: bool | None = None
) -> list[Branch]:
    """The branch directory the actor may see, by code (``is_active``: only those, if given)."""
    stmt = select(Branch).where(policy.branches_scope(actor), Branch.deleted_at.is_(None))
    if is_active is not None:
        stmt = stmt.where(Branch.is_active.is_(is_active))
    return list((await session.execute(stmt.order_by(Branch.code))).scalars())


async def device_models(
    session: AsyncSession, *, is_active: bool | None = None
) -> list[DeviceModel]:
    """The catalogue of device models, by code (``is_active``: only those, if given)."""
    stmt = select(DeviceModel).where(DeviceModel.deleted_at.is_(None))
    if is_active is not None:
        stmt = stmt.where(DeviceModel.is_active.is_(is_active))
    return list((await session.execute(stmt.order_by(DeviceModel.code))).scalars())


async def listed(
    session: AsyncSession,
    actor: Actor,
    model: type[M],
    order: Any,
    *,
    is_active: bool | None = None,
) -> list[M]:
    """Every visible row of a small table (warehouses, parts), in ``order``; ``is_active``
    keeps only the active (true) or deactivated (false) ones."""
    stmt = select(model).where(
        policy.scope(model, actor),
        model.deleted_at.is_(None),  # type: ignore[attr-defined]
    )
    if is_active is not None:
        stmt = stmt.where(model.is_active.is_(is_active))  # type: ignore[attr-defined]
    return list((await session.execute(stmt.order_by(order))).scalars())
