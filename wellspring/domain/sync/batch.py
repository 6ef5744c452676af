"""What a phone's push loads up front, so that its records cost writes and not reads.

A push of 500 records names a few hundred jobs and records; the use cases it runs read them
one by one (``session.get``). ``preload`` reads them in a few ``IN`` queries instead and
keeps them referenced, so the session's identity map answers those reads, and notes which
ids do not exist, so ``get`` answers "none" without asking the database. It also notes each
job's and ticket's latest history time (the clock rules' "previous step"), valid until the
row moves again, and collects the engineers whose ETAs the push's moves leave to refresh,
once at the end. Without a preload (GraphQL, the desk), every helper here reads as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from ..dispatch import eta
from ..models import Technician
from .scope import chunks

KEY = "wellspring.sync.preloaded"
T = TypeVar("T")


@dataclass
class Preloaded:
    rows: list[Any] = field(default_factory=list)  # held, so the identity map keeps them
    absent: set[tuple[type[Any], str]] = field(default_factory=set)
    last_steps: dict[tuple[type[Any], str], dt.datetime | None] = field(default_factory=dict)
    steps: dict[tuple[type[Any], str, Any], Any] = field(default_factory=dict)  # just written
    eta_due: dict[str, dt.datetime] = field(default_factory=dict)  # technician id -> now
    made: dict[tuple[type[Any], str], Any] = field(default_factory=dict)  # added by the push
    locked: set[tuple[type[Any], str]] = field(default_factory=set)  # see lock
    deferring: bool = False  # see defer_writes


def held_rows(session: AsyncSession) -> list[Any]:
    loaded = of(session)
    return [] if loaded is None else list(loaded.rows)


async def refresh_etas(session: AsyncSession) -> None:
    """The ETA refreshes the push's moves left for the end, one per engineer."""
    loaded: Preloaded = session.info[KEY]
    due, loaded.eta_due = loaded.eta_due, {}
    for technician_id, now in due.items():
        tech = await session.get(Technician, technician_id)
        if tech is not None:
            await eta.refresh(session, tech, now)
    await session.flush()


def of(session: AsyncSession) -> Preloaded | None:
    found: Preloaded | None = session.info.get(KEY)
    return found


def begin(session: AsyncSession) -> Preloaded:
    """Start a push's preload (dropped by ``end``)."""
    loaded = Preloaded()
    session.info[KEY] = loaded
    return loaded


def end(session: AsyncSession) -> Preloaded | None:
    loaded: Preloaded | None = session.info.pop(KEY, None)
    return loaded


async def rows(
    session: AsyncSession, model: type[Any], ids: Iterable[str], column: Any = None
) -> list[Any]:
    """Load the rows with these ids (or ``column`` values) in ``IN`` queries and hold them;
    an id not found is remembered as absent (by primary key only)."""
    loaded = of(session)
    wanted = set(ids)
    key = column if column is not None else model.id
    found: list[Any] = []
    for part in chunks(wanted):
        found.extend((await session.execute(select(model).where(key.in_(part)))).scalars())
    if loaded is not None:
        loaded.rows.extend(found)
        if column is None:
            present = {row.id for row in found}
            loaded.absent.update((model, i) for i in wanted - present)
    return found


async def lock(session: AsyncSession, model: type[Any], ids: Iterable[str]) -> None:
    """Lock these rows until the push commits (``FOR UPDATE``, in id order; SQLite's writer
    holds its database lock already) and read them afresh: no other writer can move them
    between these checks and the push's writes, so a versioned UPDATE cannot find them stale."""
    loaded = of(session)
    for part in chunks(sorted(set(ids))):
        stmt = (
            select(model)
            .where(model.id.in_(part))
            .order_by(model.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found = (await session.execute(stmt)).scalars().all()
        if loaded is not None:
            loaded.rows.extend(found)
            loaded.locked.update((model, row.id) for row in found)


def holds_lock(session: AsyncSession, model: type[Any], row_id: str) -> bool:
    """Whether the push locked and read this row with the others (``lock``)."""
    loaded = of(session)
    return loaded is not None and (model, row_id) in loaded.locked


async def last_steps(session: AsyncSession, history: type[Any], key: Any, ids: set[str]) -> None:
    """Each row's latest history time (``max(at)``), for the clock rules."""
    loaded: Preloaded = session.info[KEY]
    known: dict[str, dt.datetime | None] = dict.fromkeys(ids)
    for part in chunks(ids):
        stmt = select(key, func.max(history.at)).where(key.in_(part)).group_by(key)
        known.update({row_id: at for row_id, at in (await session.execute(stmt)).all()})
    loaded.last_steps.update({(history, row_id): at for row_id, at in known.items()})


def last_step(session: AsyncSession, history: type[Any], row_id: str) -> tuple[bool, Any]:
    """(known, the latest history time) for a row the push preloaded and has not moved."""
    loaded = of(session)
    steps = loaded.last_steps if loaded is not None else {}
    return (history, row_id) in steps, steps.get((history, row_id))


def moved(session: AsyncSession, history: type[Any], row_id: str, at: dt.datetime) -> None:
    """The row got a new history row at ``at``: the latest time is the later of the two."""
    loaded = of(session)
    key = (history, row_id)
    if loaded is not None and key in loaded.last_steps:
        known = loaded.last_steps[key]
        loaded.last_steps[key] = at if known is None else max(known, at)


def remember_step(session: AsyncSession, row_id: str, step: Any) -> None:
    """The history row a move just wrote (a push's event takes its times from it)."""
    loaded = of(session)
    if loaded is not None:
        loaded.steps[(type(step), row_id, step.to_status)] = step


def take_step(session: AsyncSession, history: type[Any], row_id: str, to_status: Any) -> Any:
    """The history row remembered for this move, once (None without a push, or none made)."""
    loaded = of(session)
    return None if loaded is None else loaded.steps.pop((history, row_id, to_status), None)


async def get(session: AsyncSession, model: type[T], row_id: str) -> T | None:
    """``session.get``, answered without a query for an id the push found absent, and with
    the row for one it made (``add``), written or not."""
    loaded = of(session)
    if loaded is not None and (model, row_id) in loaded.made:
        made: T = loaded.made[(model, row_id)]
        return made
    if loaded is not None and (model, row_id) in loaded.absent:
        held = session.sync_session.identity_map.get(identity_key(model, row_id))
        if held is None:
            return None
    return await session.get(model, row_id)


def defer_eta(session: AsyncSession, technician_id: str, now: dt.datetime) -> bool:
    """Leave this engineer's ETA refresh to the end of the push (True), if one is running."""
    loaded = of(session)
    if loaded is None:
        return False
    loaded.eta_due[technician_id] = max(now, loaded.eta_due.get(technician_id, now))
    return True


def defer_writes(session: AsyncSession, on: bool) -> None:
    """While on, the record a push applies writes at the push's next flush (the next
    savepoint's, its bookkeeping's or the commit's) instead of one flush of its own.

    The push turns it on only for a record whose use case checks everything before its first
    write, on rows ``lock`` holds: what is left to fail in those writes is a duplicate key
    from a concurrent push of the same records, which refuses the whole push (409) as a
    flush of its own would have.
    """
    loaded = of(session)
    if loaded is not None:
        loaded.deferring = on


def writes_deferred(session: AsyncSession) -> bool:
    loaded = of(session)
    return loaded is not None and loaded.deferring


async def flush(session: AsyncSession) -> None:
    """``session.flush()``, unless the push defers this record's writes (``defer_writes``)."""
    if not writes_deferred(session):
        await session.flush()


def add(session: AsyncSession, row: Any) -> None:
    """``session.add``; with writes deferred, ``get`` finds the row by its id before it is
    written (a row written at once is in the identity map, and leaves it if rolled back)."""
    session.add(row)
    loaded = of(session)
    if loaded is not None and loaded.deferring:
        loaded.made[(type(row), row.id)] = row
