"""Engines and sessions for SQLite (WAL) and PostgreSQL, with the change clock attached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ARRAY, Text, event, exc, func, literal, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm.exc import StaleDataError

from . import events, ticket_counts, versioning
from .clock import CLOCK_KEY, SYSTEM_CLOCK, Clock
from .config import CONFIG_KEY, DEFAULT_CONFIG, DomainConfig
from .memo import MEMO_KEY

R = TypeVar("R")


def _ensure_sqlite_folder(url: str) -> None:
    db = make_url(url).database
    if db and db != ":memory:" and not db.startswith("file:"):
        Path(db).parent.mkdir(parents=True, exist_ok=True)


# A pooled PostgreSQL connection older than this is replaced at its next checkout, so one
# that a firewall or a failover silently cut is not kept for long.
POOL_RECYCLE_SECONDS = 1800
# Set on every PostgreSQL connection at its start (no round trip). Memoize caches a nested
# loop's inner rows by key; the planner costs it over the whole outer table, so on a page of
# 50 under a LIMIT it expects hits where each customer and device comes once: the Tickets
# page spent 1.0 ms of database CPU with it and 0.34 ms without (bench/README.md, "Memoize").
POSTGRESQL_SETTINGS = {"enable_memoize": "off"}


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    max_overflow: int | None = None,
    pool_timeout: float = 30.0,
) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    PostgreSQL keeps ``pool_size`` connections plus up to ``max_overflow`` more (default: as
    many again) and checks each at checkout without a round trip (``_drop_closed``); a
    request that waits ``pool_timeout`` seconds for one gets ``sqlalchemy.exc.TimeoutError``
    (the web app answers it with 503, ``api/busy.py``).
    """
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Leave transaction control to SQLAlchemy's BEGIN (emitted below) so that a write
            # transaction takes SQLite's lock up front rather than failing to upgrade later.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A unit of work that will write asks for the write lock at BEGIN (see
            # ``write_session``): a deferred transaction that reads and then writes fails with
            # SQLITE_BUSY when another writer committed in between, instead of waiting.
            immediate = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        event.listen(engine.sync_engine, "checkout", _drop_mid_transaction)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        connect_args={"server_settings": POSTGRESQL_SETTINGS},
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_recycle=POOL_RECYCLE_SECONDS,
        pool_timeout=pool_timeout,
    )
    event.listen(engine.sync_engine, "checkout", _drop_closed)
    event.listen(engine.sync_engine, "checkout", _drop_mid_transaction)
    return engine


def _drop_mid_transaction(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection still inside a transaction: work that outlived its request
    (a task reading through a session already closed) began one on it, and the next request
    to get it would fail ("cannot start a transaction within a transaction") or, worse, run
    inside it. The pool drops it and opens a fresh one. A flag read, no round trip."""
    driver: Any = getattr(dbapi_conn, "driver_connection", None)
    try:
        if hasattr(driver, "is_in_transaction"):  # asyncpg
            busy = bool(driver.is_in_transaction())
        else:  # aiosqlite
            busy = bool(getattr(driver, "in_transaction", False))
    except ValueError:  # aiosqlite: the connection is closed
        busy = True
    if busy:
        raise exc.DisconnectionError("a pooled connection was left inside a transaction")


def _drop_closed(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection whose socket the server closed (a restart, a terminated
    backend): the pool then opens a fresh one. This replaces ``pool_pre_ping``, which costs
    three round trips per checkout with asyncpg (BEGIN, a ping, ROLLBACK), about a third of a
    small request's round trips (bench/README.md, ``day``)."""
    driver = getattr(dbapi_conn, "driver_connection", None)
    is_closed = getattr(driver, "is_closed", None)
    if is_closed is not None and is_closed():
        raise exc.DisconnectionError("the database closed this pooled connection")


WRITE_OPTION = "wellspring_writes"
# PostgreSQL's SQLSTATEs for a write that lost to another transaction at the same moment: a
# unique key both inserted (23505), a deadlock (40P01), a serialization failure (40001).
LOST_RACE_STATES = frozenset({"23505", "40P01", "40001"})


def lost_race(error: BaseException) -> bool:
    """Whether the database refused a write because another transaction changed the same rows
    at the same moment: a revision that moved under an UPDATE (``StaleDataError``), or one of
    ``LOST_RACE_STATES``. The same request sent again meets the winner's work and is answered
    as usual (the key exists, the revision is newer). SQLite serialises writers: it has none."""
    if isinstance(error, StaleDataError):
        return True
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, exc.DBAPIError) and state in LOST_RACE_STATES


async def one_at_a_time(session: AsyncSession, key: str) -> None:
    """Until the transaction ends, another transaction asking for ``key`` waits: on
    PostgreSQL a check-then-insert of one key (a file imported, a customer by phone) is made
    by one at a time. SQLite serialises writers anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def one_at_a_time_each(session: AsyncSession, keys: Iterable[str]) -> None:
    """``one_at_a_time`` for many keys in one round trip, taken in one fixed order (by their
    hash): two transactions asking for overlapping sets wait for each other, never deadlock."""
    wanted = sorted(set(keys))
    if not wanted or session.get_bind().dialect.name != "postgresql":
        return
    given = func.unnest(literal(wanted, ARRAY(Text))).table_valued("key").render_derived()
    hash_ = func.hashtextextended(given.c.key, 0)
    hashed = select(hash_.label("h")).select_from(given).order_by(hash_).subquery()
    await session.execute(select(func.count(func.pg_advisory_xact_lock(hashed.c.h))))


async def locked_row(session: AsyncSession, model: type[R], row_id: str) -> R | None:
    """The row as committed now, held until the transaction ends (PostgreSQL; SQLite's write
    transaction already excludes every other writer). Read afresh: ``session.get`` would
    refuse as stale a newer version of a versioned row this session read before."""
    query = select(model).filter_by(id=row_id).with_for_update()
    found = await session.execute(query.execution_options(populate_existing=True))
    return found.scalar_one_or_none()


async def declare_writes(session: AsyncSession) -> None:
    """Call first in a unit of work that will write (takes SQLite's write lock up front)."""
    await session.connection(execution_options={WRITE_OPTION: True})


def session_factory(
    engine: AsyncEngine, *, config: DomainConfig = DEFAULT_CONFIG, clock: Clock = SYSTEM_CLOCK
) -> async_sessionmaker[AsyncSession]:
    """Sessions that carry the domain configuration (config.py), the clock (clock.py) and the
    app's memo (memo.py), one for every session of this factory."""
    factory = async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=True,
        info={CONFIG_KEY: config, CLOCK_KEY: clock, MEMO_KEY: {}},
    )
    versioning.install(factory)
    ticket_counts.install(factory)
    return factory


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession], *, writes: bool = True
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session:
        try:
            if writes:
                await declare_writes(session)
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            events.discard(session)  # what a rolled-back change said never happened
            raise
