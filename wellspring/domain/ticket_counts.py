"""Live tickets counted per branch × status × type, kept at every commit (issue 19 §3).

A list's ``totalCount`` over a branch (or all of them), filtered by status or type only, is a
sum over a few rows of ``ticket_counts`` instead of a scan of every visible ticket.

How the counts stay exact: every ORM flush that writes a ticket records, the first time it
sees that ticket in the transaction, the key it was counted under (``None`` for a new or a
deleted one). At the outermost commit each touched ticket's key now is taken from the
loaded object, or read back from the database when the session no longer holds it loaded (a
rolled-back savepoint expires what it wrote; a new ticket it added is gone). The difference
is added to the counts with ``n = n + d`` in one insert-on-conflict, keys in sorted order
(one statement per commit that moved a ticket): two transactions moving tickets at once
serialise on the count rows only for the length of their commits, never lose an update, and
cannot deadlock on them. Writes that bypass the ORM (the demo data's bulk inserts, benches)
call ``rebuild`` afterwards, and no code may change a ticket's branch, status, type or
deletion by a Core UPDATE; ``wellspring counts verify|rebuild`` checks and repairs a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, Table, delete, event, func, insert, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, attributes

from .models import Ticket, TicketCount
from .models.enums import TicketStatus, TicketType

Key = tuple[str, TicketStatus, TicketType]
_KEY = "wellspring.ticket_counts"
_COUNTS: Table = TicketCount.__table__  # type: ignore[assignment]
_CHUNK = 500


def _was(obj: Ticket, name: str) -> Any:
    """The attribute's value before this flush (the committed one when it changed)."""
    history = attributes.get_history(obj, name)
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, name)


def _key_before(obj: Ticket) -> Key | None:
    if _was(obj, "deleted_at") is not None:
        return None
    return (_was(obj, "branch_id"), _was(obj, "status"), _was(obj, "type"))


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    seen: dict[str, tuple[Key | None, Ticket]] = session.info.setdefault(_KEY, {})
    for obj in session.new:
        if isinstance(obj, Ticket) and obj.id not in seen:
            seen[obj.id] = (None, obj)
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, Ticket) and obj.id not in seen:
            # The object is held (the identity map's references are weak) for the commit.
            seen[obj.id] = (_key_before(obj), obj)


def _upsert(session: Session | AsyncSession) -> Any:
    """Executed with the rows as parameters: compiled once per process (a multi-row
    ``values()`` would be compiled at every commit that moves a ticket)."""
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_COUNTS)
    return stmt.on_conflict_do_update(
        index_elements=["branch_id", "status", "type"],
        set_={"n": _COUNTS.c.n + stmt.excluded.n},
    )


def _delta_rows(delta: Counter[Key]) -> list[dict[str, Any]]:
    keys = sorted((k for k, d in delta.items() if d), key=lambda k: (k[0], k[1].value, k[2].value))
    return [{"branch_id": b, "status": s, "type": t, "n": delta[(b, s, t)]} for b, s, t in keys]


_FIELDS = frozenset({"branch_id", "status", "type", "deleted_at"})


def _key_now(obj: Ticket) -> tuple[bool, Key | None]:
    """(known, key) from the loaded ticket; not known when it left the session (deleted, or
    added by a savepoint rolled back) or was expired (a savepoint rolled back): the database
    answers for those."""
    state = inspect(obj)
    if not state.persistent or state.expired or _FIELDS & state.unloaded:
        return False, None
    return True, (None if obj.deleted_at is not None else (obj.branch_id, obj.status, obj.type))


def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer commit counts what it left
    session.flush()
    seen: dict[str, tuple[Key | None, Ticket]] = session.info.pop(_KEY, {})
    if not seen:
        return
    now: dict[str, Key | None] = {}
    unknown = []
    for ticket_id, (_, obj) in seen.items():
        known, key = _key_now(obj)
        if known:
            now[ticket_id] = key
        else:
            unknown.append(ticket_id)
    unknown.sort()
    for start in range(0, len(unknown), _CHUNK):
        rows = session.execute(
            select(Ticket.id, Ticket.branch_id, Ticket.status, Ticket.type).where(
                Ticket.id.in_(unknown[start : start + _CHUNK]), Ticket.deleted_at.is_(None)
            )
        )
        now.update({r.id: (r.branch_id, r.status, r.type) for r in rows})
    delta: Counter[Key] = Counter()
    for ticket_id, (before, _) in seen.items():
        after = now.get(ticket_id)
        if before != after:
            if before is not None:
                delta[before] -= 1
            if after is not None:
                delta[after] += 1
    rows_ = _delta_rows(delta)
    if rows_:
        session.execute(_upsert(session), rows_)


def _after_rollback(session: Session, ended: SessionTransaction) -> None:
    if not ended.nested:
        session.info.pop(_KEY, None)


def install(factory: async_sessionmaker[AsyncSession]) -> None:
    """Keep the counts in every session the factory makes (after ``versioning.install``)."""
    cls: Any = factory.kw.get("sync_session_class", Session)
    event.listen(cls, "after_flush", _after_flush)
    event.listen(cls, "before_commit", _before_commit)
    event.listen(cls, "after_soft_rollback", _after_rollback)


def total_select(
    *,
    branch_id: str | None,
    statuses: Sequence[TicketStatus] = (),
    types: Sequence[TicketType] = (),
) -> Select[Any]:
    """Live tickets of one branch (or all), of these statuses and types (empty: any), as a
    statement: a list page can read it as one of its own columns."""
    return _total_select(branch_id, tuple(statuses), tuple(types))


# A statement is immutable, so one serves every request for the same values: building it
# cost a page about 0.06 ms (bench/README.md, "the page's statement kept").
@lru_cache(maxsize=1024)
def _total_select(
    branch_id: str | None, statuses: tuple[TicketStatus, ...], types: tuple[TicketType, ...]
) -> Select[Any]:
    stmt = select(func.coalesce(func.sum(TicketCount.n), 0))
    if branch_id is not None:
        stmt = stmt.where(TicketCount.branch_id == branch_id)
    if statuses:
        stmt = stmt.where(TicketCount.status.in_(statuses))
    if types:
        stmt = stmt.where(TicketCount.type.in_(types))
    return stmt


async def total(
    session: AsyncSession,
    *,
    branch_id: str | None,
    statuses: Sequence[TicketStatus] = (),
    types: Sequence[TicketType] = (),
) -> int:
    """Live tickets of one branch (or all), of these statuses and types (empty: any)."""
    stmt = total_select(branch_id=branch_id, statuses=statuses, types=types)
    return int((await session.execute(stmt)).scalar_one())


_ACTUAL = (
    select(Ticket.branch_id, Ticket.status, Ticket.type, func.count().label("n"))
    .where(Ticket.deleted_at.is_(None))
    .group_by(Ticket.branch_id, Ticket.status, Ticket.type)
)


async def differences(session: AsyncSession) -> dict[Key, tuple[int, int]]:
    """Every key whose maintained count is not the tickets' own: key → (kept, actual)."""
    actual = {(r.branch_id, r.status, r.type): int(r.n) for r in await session.execute(_ACTUAL)}
    kept = {
        (r.branch_id, r.status, r.type): int(r.n)
        for r in await session.execute(select(*_COUNTS.c).where(TicketCount.n != 0))
    }
    return {
        k: (kept.get(k, 0), actual.get(k, 0))
        for k in sorted(set(actual) | set(kept), key=lambda k: (k[0], k[1].value, k[2].value))
        if kept.get(k, 0) != actual.get(k, 0)
    }


async def rebuild(session: AsyncSession) -> None:
    """Count every live ticket again (after bulk writes, or to repair a database)."""
    await session.flush()
    session.sync_session.info.pop(_KEY, None)  # what was flushed so far is counted below
    if session.get_bind().dialect.name == "postgresql":
        # Writers of tickets wait for the rebuild; readers do not.
        await session.execute(text("LOCK TABLE tickets IN SHARE MODE"))
    await session.execute(delete(TicketCount))
    await session.execute(
        insert(TicketCount).from_select(["branch_id", "status", "type", "n"], _ACTUAL)
    )
