"""The server-wide change version every synced row carries, and the cursor a reader may keep.

A sync cursor C promises "you have every version <= C". A version must therefore never become
visible *below* a cursor already handed out: a reader that moved past it would miss the late
row forever. A sequence drawn during the transaction has exactly that hole (two overlapping
writers, the lower one committing last). Two designs close it, one per engine:

- **PostgreSQL: transaction ids, no shared row.** A transaction stamps the rows it wrote with
  its own id (``pg_current_xact_id()``, 64 bits, never reused) plus a fixed base. A reader's
  cursor is the oldest transaction still running that could write this database
  minus one: every transaction below it has ended, so each of their rows is visible to the
  reader's next statement, while rows of transactions at or above it may still appear. A pull
  taken while a transaction is in flight therefore re-sends, on the next pull, the rows with
  versions above its cursor (the phone's held set makes the re-send exact); it never misses
  one. No writer waits for another, so unrelated writes in different branches never queue.
  The base (``change_clock.value``) is the last counter value from before this scheme and is
  raised by :func:`rebase` when a restored database meets a cluster with lower ids.
- **SQLite: a counter drawn at commit.** SQLite has one writer at a time anyway: just before
  COMMIT the transaction increments the ``change_clock`` row and stamps its rows with the new
  value; the cursor is the counter's current value.

Rows written through the ORM are found in the session's flushes (on PostgreSQL they are
written with their version already: the transaction's id is known at its first write); a
bulk Core statement must call ``mark_changed`` for the rows it touched, stamped at commit.

Savepoints: the rows a savepoint wrote are kept apart until it ends. Its commit hands them to
the enclosing transaction (SQLAlchemy runs ``before_commit`` for a savepoint too: drawing the
clock there would lock it from the first savepoint to the final commit, so a push of 500
records would block every other writer throughout); its rollback forgets only them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from .errors import present
from .models import Base, ChangeClock, Record

_KEY = "wellspring.changed"
_DRAWN = "wellspring.version_drawn"  # SQLite: the counter value this transaction drew
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


def _before_flush(session: Session, _flush: UOWTransaction, _objects: Any) -> None:
    """PostgreSQL: a row written through the ORM carries the transaction's version in its own
    INSERT or UPDATE (the version is the transaction's id, known from its first write), so
    the commit stamps only what bulk statements marked: one UPDATE per table fewer."""
    if not _is_postgresql(session):
        return
    written = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Record)]
    if not written:
        return
    version = transaction_version(session)
    for obj in written:
        if inspect(obj).dict.get("version") != version:
            obj.version = version


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    pending = _pending(session)
    stamped = session.info.get(_DRAWN) if _is_postgresql(session) else None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Record) and obj.id is not None:
            if stamped is not None and inspect(obj).dict.get("version") == stamped:
                continue  # written with its version (_before_flush)
            pending[obj.__table__.name].add(obj.id)  # type: ignore[attr-defined]


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The base plus this transaction's id (assigning one if the transaction has none yet).
_PG_STAMP_SQL = (
    "coalesce((SELECT value FROM change_clock WHERE id = 1), 0)"
    " + pg_current_xact_id()::text::bigint"
)
_PG_STAMP = text(f"SELECT {_PG_STAMP_SQL}")
# Every transaction with a lower id that could write this database has ended: its rows are
# visible to the next statement. The snapshot's in-progress ids (``xip``; every id below its
# ``xmax`` not listed has ended) are the whole cluster's: an id that ``pg_stat_activity``
# shows as the transaction of a backend connected to ANOTHER database cannot write here, so it
# does not hold the cursor back (a session left open in another database of a shared cluster
# would otherwise make every pull re-send). Only a positive match leaves an id out: ids are
# never reused, so a match is never wrong, and a transaction it cannot place (a prepared
# one, a row hidden from this role) still counts, as before. 32-bit ids are compared: ids in
# flight together are less than 2^31 apart. Every role may read ``datid`` and ``backend_xid``
# of every backend (PostgreSQL 15).
_PG_CURSOR = text(
    "WITH snap AS (SELECT pg_current_snapshot() AS s),"
    " elsewhere AS (SELECT backend_xid FROM pg_stat_activity"
    "  WHERE backend_xid IS NOT NULL AND datid <>"
    "  (SELECT oid FROM pg_database WHERE datname = current_database()))"
    " SELECT coalesce((SELECT value FROM change_clock WHERE id = 1), 0) + coalesce("
    "  (SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(snap.s) AS x"
    "   WHERE x::xid NOT IN (SELECT backend_xid FROM elsewhere)),"
    "  (SELECT pg_snapshot_xmax(s)::text::bigint FROM snap)) - 1"
)


def next_version(session: Session) -> int:
    """The version this transaction stamps its rows with.

    PostgreSQL: the base plus the transaction's id (no lock taken). SQLite: the next counter
    value (the clock row is written, serialised with every other writer as SQLite is anyway).
    """
    if _is_postgresql(session):
        return int(session.execute(_PG_STAMP).scalar_one())
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


_PG_STAMP_AND_RUNNING = text(
    "SELECT b + pg_current_xact_id()::text::bigint,"
    " ARRAY(SELECT b + x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) AS x"
    "       WHERE x < pg_current_xact_id() ORDER BY x)"
    " FROM (SELECT coalesce((SELECT value FROM change_clock WHERE id = 1), 0) AS b) AS base"
)
_PG_HORIZON = text(
    "SELECT b + pg_snapshot_xmax(s)::text::bigint - 1,"
    " ARRAY(SELECT b + x::text::bigint FROM pg_snapshot_xip(s) AS x ORDER BY x)"
    " FROM (SELECT coalesce((SELECT value FROM change_clock WHERE id = 1), 0) AS b) AS base,"
    " (SELECT pg_current_snapshot() AS s) AS snap"
)


# The same value as a column, for a statement a writing transaction sends anyway (the
# request's token check): the draw then costs no round trip of its own (``drawn_with``).
PG_STAMP_COLUMN: ColumnElement[int] = literal_column(_PG_STAMP_SQL)


def drawn_with(session: Session, version: int) -> None:
    """This transaction's version as another statement read it with ``PG_STAMP_COLUMN``
    (PostgreSQL): what :func:`transaction_version` answers until the transaction ends."""
    session.info[_DRAWN] = version


def transaction_version(session: Session) -> int:
    """:func:`next_version`, drawn once per transaction (the sync's rows and the outbox's
    share it: one counter statement on SQLite). Forgotten at the commit and at any rollback
    (a savepoint's rollback may have undone the draw)."""
    drawn: int | None = session.info.get(_DRAWN)
    if drawn is None:
        drawn = session.info[_DRAWN] = next_version(session)
    return drawn


async def bulk_values(session: AsyncSession) -> dict[str, int]:
    """What a bulk statement writes with its rows: on PostgreSQL the transaction's version
    (``{"version": v}``, drawn once per transaction), so the rows need no stamp at commit;
    on SQLite nothing (``{}``): the caller marks the rows (``mark_changed``) for the commit."""
    if session.get_bind().dialect.name != "postgresql":
        return {}
    return {"version": await session.run_sync(transaction_version)}


def forget_drawn(session: Session, *_: Any) -> None:
    session.info.pop(_DRAWN, None)


def stamp_and_running(session: Session) -> tuple[int, list[int]]:
    """This transaction's version and the versions of the transactions below it still
    running, in one statement: every other transaction below it has ended (the outbox orders
    live events by the first; notifications/live.py). SQLite: the next counter value and none
    (one writer at a time: every lower value is committed)."""
    if _is_postgresql(session):
        stamp, running = session.execute(_PG_STAMP_AND_RUNNING).one()
        return int(stamp), [int(x) for x in running]
    return transaction_version(session), []


async def horizon(session: AsyncSession) -> tuple[int, list[int]]:
    """A reader's place: every transaction at or below the first value has ended except those
    listed, so their rows are visible to this session's next statement."""
    if session.get_bind().dialect.name == "postgresql":
        top, running = (await session.execute(_PG_HORIZON)).one()
        return int(top), [int(x) for x in running]
    return await current_version(session), []


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
    version = transaction_version(session)
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


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is None:  # the real commit, not a savepoint's release
        forget_drawn(session)


def _after_rollback(session: Session, ended: SessionTransaction) -> None:
    forget_drawn(session)
    if ended.nested:
        _levels(session).pop(ended, None)  # only what the savepoint wrote is undone
    else:
        session.info.pop(_KEY, None)


def install(factory: async_sessionmaker[AsyncSession]) -> None:
    """Attach the clock to every session the factory makes."""
    sync_cls: Any = factory.kw.get("sync_session_class", Session)

    class VersionedSession(sync_cls):  # type: ignore[misc]
        pass

    event.listen(VersionedSession, "before_flush", _before_flush)
    event.listen(VersionedSession, "after_flush", _after_flush)
    event.listen(VersionedSession, "before_commit", _before_commit)
    event.listen(VersionedSession, "after_soft_rollback", _after_rollback)
    event.listen(VersionedSession, "after_commit", _after_commit)
    factory.configure(sync_session_class=VersionedSession)


async def current_version(session: AsyncSession) -> int:
    """A safe cursor to hand out: every version at or below it is committed and visible to
    this session's next statement (read it before reading the rows it covers)."""
    if session.get_bind().dialect.name == "postgresql":
        return int((await session.execute(_PG_CURSOR)).scalar_one())
    value = (
        await session.execute(select(ChangeClock.value).where(ChangeClock.id == _CLOCK_ID))
    ).scalar_one_or_none()
    return int(value or 0)


# The highest version any transaction can have stamped: the base plus the last id assigned.
_PG_HIGHEST = text(
    "SELECT coalesce((SELECT value FROM change_clock WHERE id = 1), 0)"
    " + pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1"
)


async def highest_version(session: AsyncSession) -> int:
    """No version above this exists yet, committed or not: a cursor above it was not given by
    this server (its database was restored or replaced).

    ``current_version`` is not that bound on PostgreSQL: a cursor given a moment ago can be
    above it. A transaction of ANOTHER database that ends between the cursor's snapshot and
    its read of ``pg_stat_activity`` is not placed, so it counts, and holds the cursor below
    one given before (a cursor only errs low: every version at or below a given one was
    committed)."""
    if session.get_bind().dialect.name == "postgresql":
        return int((await session.execute(_PG_HIGHEST)).scalar_one())
    return await current_version(session)


async def rebase(session: AsyncSession) -> bool:
    """PostgreSQL: make sure new versions land above every version already stamped.

    Needed once a database is restored into another cluster (whose transaction ids may be
    lower than the ones that stamped its rows); ``wellspring migrate`` runs it. Run it before
    serving, never beside writers: it raises the base under their feet. Returns whether it
    changed the base.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    highest = 0
    for table in Base.metadata.sorted_tables:
        if "version" in table.c and "id" in table.c:
            found = (await session.execute(select(func.max(table.c.version)))).scalar()
            highest = max(highest, int(found or 0))
    floor = int(
        (
            await session.execute(
                text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            )
        ).scalar_one()
    )
    base = (
        await session.execute(select(ChangeClock.value).where(ChangeClock.id == _CLOCK_ID))
    ).scalar_one_or_none()
    if base is not None and int(base) + floor > highest:
        return False
    if base is None:
        session.add(ChangeClock(id=_CLOCK_ID, value=highest))
    else:
        await session.execute(
            update(ChangeClock).where(ChangeClock.id == _CLOCK_ID).values(value=highest)
        )
    return True
