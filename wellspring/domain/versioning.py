"""The server-wide change version every synced row carries.

A sync cursor asks for "everything after version V", so a version must never become visible
after a higher one: otherwise a reader that already moved past the higher version would miss
the late row forever. A sequence drawn during the transaction has exactly that hole (two
overlapping writers, the lower one committing last).

So the version is drawn *at commit*, under a lock: just before COMMIT the transaction
increments the single ``change_clock`` row (``UPDATE ... RETURNING``), which takes that row's
lock until COMMIT finishes, then stamps every row it wrote with the new value. A second writer
blocks on the clock row until the first has committed, and only then draws the next number.
Versions therefore become visible in the order they are drawn, on PostgreSQL and on SQLite
(where writers are serialised anyway). The lock is held only for the stamping, not for the
whole transaction.

Rows written through the ORM are found in the session's flushes; a bulk Core statement must
call ``mark_changed`` for the rows it touched.

Savepoints: the rows a savepoint wrote are kept apart until it ends. Its commit hands them to
the enclosing transaction (SQLAlchemy runs ``before_commit`` for a savepoint too: drawing the
clock there would lock it from the first savepoint to the final commit, so a push of 500
records would block every other writer throughout); its rollback forgets only them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from .errors import present
from .models import Base, ChangeClock, Record

_KEY = "wellspring.changed"
_CLOCK_ID = 1


Pending = dict[str, set[str]]  # table name -> ids written


def _levels(session: Session) -> dict[SessionTransaction, Pending]:
    """Rows written and not yet stamped, per open transaction (the outer one or a savepoint)."""
    levels: dict[SessionTransaction, Pending] = session.info.setdefault(_KEY, {})
    return levels


def _pending(session: Session) -> Pending:
    current = session.get_nested_transaction() or session.get_transaction()
    current = present(current, "the transaction a write happens in")
    return _levels(session).setdefault(current, defaultdict(set))


def mark_changed(session: Session | AsyncSession, table: Table, ids: list[str] | set[str]) -> None:
    """Record rows written by a bulk statement so that they are stamped at commit."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    _pending(sync)[table.name].update(ids)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    pending = _pending(session)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Record) and obj.id is not None:
            pending[obj.__table__.name].add(obj.id)  # type: ignore[attr-defined]


def next_version(session: Session) -> int:
    """Draw the next version; the clock row stays locked until this transaction ends."""
    value = session.execute(
        update(ChangeClock)
        .where(ChangeClock.id == _CLOCK_ID)
        .values(value=ChangeClock.value + 1)
        .returning(ChangeClock.value)
    ).scalar_one_or_none()
    if value is None:  # first use of a new database
        session.add(ChangeClock(id=_CLOCK_ID, value=1))
        session.flush()
        value = 1
    return int(value)


def _before_commit(session: Session) -> None:
    session.flush()
    levels = _levels(session)
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        # A savepoint commits: its rows now belong to the transaction around it.
        rows = levels.pop(savepoint, None)
        if rows and savepoint.parent is not None:
            outer = levels.setdefault(savepoint.parent, defaultdict(set))
            for name, ids in rows.items():
                outer[name].update(ids)
        return
    pending: Pending = defaultdict(set)
    for rows in session.info.pop(_KEY, {}).values():
        for name, ids in rows.items():
            pending[name].update(ids)
    if not pending:
        return
    version = next_version(session)
    tables = Base.metadata.tables
    for name, ids in pending.items():
        table = tables[name]
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            session.execute(
                update(table).where(table.c.id.in_(chunk)).values(version=version),
                execution_options={"synchronize_session": False},
            )
    # Keep loaded objects truthful without another round trip.
    for obj in session.identity_map.values():
        if isinstance(obj, Record) and obj.id in pending.get(obj.__table__.name, ()):  # type: ignore[attr-defined]
            set_committed_value(obj, "version", version)


def _after_rollback(session: Session, ended: SessionTransaction) -> None:
    if ended.nested:
        _levels(session).pop(ended, None)  # only what the savepoint wrote is undone
    else:
        session.info.pop(_KEY, None)


def install(factory: async_sessionmaker[AsyncSession]) -> None:
    """Attach the clock to every session the factory makes."""
    sync_cls: Any = factory.kw.get("sync_session_class", Session)

    class VersionedSession(sync_cls):  # type: ignore[misc]
        pass

    event.listen(VersionedSession, "after_flush", _after_flush)
    event.listen(VersionedSession, "before_commit", _before_commit)
    event.listen(VersionedSession, "after_soft_rollback", _after_rollback)
    factory.configure(sync_session_class=VersionedSession)


async def current_version(session: AsyncSession) -> int:
    """The highest version whose transaction has committed: a safe cursor to hand out."""
    value = (
        await session.execute(select(ChangeClock.value).where(ChangeClock.id == _CLOCK_ID))
    ).scalar_one_or_none()
    return int(value or 0)
