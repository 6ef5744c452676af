"""The transactional outbox: rows written in the transaction of the change they report.

:func:`install` attaches a ``before_commit`` hook to every session of a factory: the domain
events pending on the session become ``FANOUT`` rows in the same transaction, so a rolled-back
change writes none and a committed one cannot be lost. Events said inside a savepoint that
rolls back are forgotten with it (a rejected phone record, a mutation's expected failure).

Workers take rows with :func:`claim`: one statement that leases a batch (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so concurrent workers never take the same row; SQLite has one writer
at a time anyway). A lease expires: a worker that dies holding rows loses them to the next
one, which is why delivery is at least once and every message carries its event id. The
outcome of a row is recorded by :func:`finish` only while the lease it was claimed with holds:
a worker whose lease ran out while it was sending, the row taken by another, records nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, and_, delete, insert, or_, select, tuple_, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction, aliased

from wellspring.domain import events, versioning
from wellspring.domain.models import OutboxMessage, utcnow
from wellspring.domain.models.enums import OutboxStatus
from wellspring.domain.notifications.live import LIVE_ONLY

FANOUT = "FANOUT"
COMMITTED_KEY = "wellspring.committed_events"
_WRITTEN = "wellspring.outbox.written"  # event ids whose FANOUT row this transaction wrote
_MARKS = "wellspring.event_marks"
_ROWS = "wellspring.event_rows"
_STAMP = "wellspring.outbox.stamp"
_PREFIX = "wellspring.outbox.row_prefix"

log = logging.getLogger("wellspring.notifications")

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(seconds=5)
BACKOFF_CAP = dt.timedelta(hours=1)


def event_json(event: events.DomainEvent) -> dict[str, Any]:
    """The event as plain JSON (what the outbox stores and senders see)."""
    data = asdict(event)
    data["kind"] = event.kind.value
    data["at"] = event.at.isoformat()
    data["data"] = dict(event.data)
    return data


def insert_ignoring_duplicates(session: Session | AsyncSession) -> Any:
    """An INSERT of outbox rows that skips a row whose (event, channel, recipient) exists.

    Executed with the rows as parameters (``session.execute(stmt, rows)``, every row with
    the same keys): one statement either way, and compiled once per process, where a
    multi-row ``values()`` is compiled anew at every commit.
    """
    bind = session.get_bind()
    dialect = bind.dialect.name
    table = OutboxMessage.__table__
    if not isinstance(table, Table):
        raise TypeError("the outbox is a table")
    keys = ["event_id", "channel", "recipient"]
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    return insert(table)


def _row_id(session: Session, n: int) -> str:
    # Ids ascending in the order the transaction said its events, so that the replay's
    # (seq, id) order within one transaction is the order the live stream delivered them.
    prefix: int = session.info.setdefault(_PREFIX, uuid.uuid4().int >> 64 << 64)
    return str(uuid.UUID(int=prefix | n))


def _stamp(session: Session) -> tuple[int, list[int]]:
    """This transaction's place in commit order and the transactions below it still running
    (``versioning.stamp_and_running``), drawn once per transaction, at its first row: those
    still running at commit are among them."""
    stamp: tuple[int, list[int]] | None = session.info.get(_STAMP)
    if stamp is None:
        stamp = session.info[_STAMP] = versioning.stamp_and_running(session)
    return stamp


def _fanout_rows(session: Session, pending: list[events.DomainEvent]) -> list[dict[str, Any]]:
    # One row id and time per event however often it is written (see _before_commit).
    placed: dict[str, tuple[str, dt.datetime, int]] = session.info.setdefault(_ROWS, {})
    rows = []
    for event in pending:
        if event.kind in LIVE_ONLY:
            continue  # telemetry: published live after commit, never routed nor replayed
        if event.id not in placed:
            n = len(placed)
            placed[event.id] = (_row_id(session, n), utcnow(), n)
        row_id, created, ordinal = placed[event.id]
        rows.append(
            {
                "id": row_id,
                "event_id": event.id,
                "kind": event.kind.value,
                "channel": FANOUT,
                "recipient": "",
                "user_id": None,
                "payload": event_json(event),
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "available_at": created,
                "leased_by": "",
                "last_error": "",
                "created_at": created,
                "seq": 0,  # set by the caller: one stamp per transaction
                "ordinal": ordinal,  # the order it was said in: equal times order nothing
            }
        )
    return rows


def _before_commit(session: Session) -> None:
    # SQLAlchemy calls this for a savepoint's release as well as for the real commit, and a
    # commit with a savepoint still open calls it once, before releasing that savepoint: so
    # every call writes the pending events not yet written (insert-ignore, same row ids), one
    # statement for all of them. A savepoint that rolls back may take written rows with it:
    # then everything still pending is written again at the next call.
    written: set[str] = session.info.setdefault(_WRITTEN, set())
    fresh = [e for e in events.pending(session) if e.id not in written]
    rows = _fanout_rows(session, fresh) if fresh else []
    if rows:
        seq, _ = _stamp(session)
        for row in rows:
            row["seq"] = seq
        session.execute(insert_ignoring_duplicates(session), rows)
    written.update(e.id for e in fresh)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: nothing is committed yet
    # Kept for after-commit listeners (live updates) until the next transaction starts; each
    # event carries its FANOUT row's place (none for live-only kinds: nothing to replay).
    placed: dict[str, tuple[str, dt.datetime, int]] = session.info.pop(_ROWS, {})
    seq, running = session.info.pop(_STAMP, (0, []))
    versioning.forget_drawn(session)
    session.info.pop(_PREFIX, None)
    said = []
    for event in events.discard(session):
        row = placed.get(event.id)
        place = {"row": row[0], "seq": seq, "running": running} if row is not None else {}
        said.append({**event_json(event), **place})
    session.info[COMMITTED_KEY] = said
    session.info.pop(_MARKS, None)
    session.info.pop(_WRITTEN, None)


def _after_begin_nested(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        marks: dict[SessionTransaction, int] = session.info.setdefault(_MARKS, {})
        marks[transaction] = len(events.pending(session))


def _after_soft_rollback(session: Session, ended: SessionTransaction) -> None:
    session.info.pop(_WRITTEN, None)  # rows written inside it may be gone: write again
    session.info.pop(_STAMP, None)  # and on SQLite the counter it drew with them
    versioning.forget_drawn(session)  # (also where the versioning hooks are not installed)
    marks: dict[SessionTransaction, int] = session.info.get(_MARKS, {})
    if ended.nested and ended in marks:
        keep = marks.pop(ended)
        said = session.info.get(events.PENDING_KEY)
        if said is not None:
            del said[keep:]  # what the savepoint said is unsaid with it
    elif not ended.nested:
        events.discard(session)
        session.info.pop(_MARKS, None)
        session.info.pop(_ROWS, None)
        session.info.pop(_PREFIX, None)


def install(factory: async_sessionmaker[AsyncSession]) -> None:
    """Write the events of every session the factory makes into the outbox at commit."""
    sync_cls: Any = factory.kw.get("sync_session_class", Session)
    if getattr(sync_cls, "wellspring_outbox", False):
        return  # installed already

    class OutboxSession(sync_cls):  # type: ignore[misc]
        wellspring_outbox = True

    sa_event.listen(OutboxSession, "before_commit", _before_commit)
    sa_event.listen(OutboxSession, "after_commit", _after_commit)
    sa_event.listen(OutboxSession, "after_transaction_create", _after_begin_nested)
    sa_event.listen(OutboxSession, "after_soft_rollback", _after_soft_rollback)
    factory.configure(sync_session_class=OutboxSession)


async def claim(
    session: AsyncSession,
    *,
    worker_id: str,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int,
    channels: Sequence[str],
    in_order: bool = False,
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows of ``channels`` to ``worker_id``: one statement.

    ``in_order`` (deliveries): a recipient's row is taken only when no earlier one to it (by
    ``seq, ordinal``, the order the domain said them) is still on its way, so a recipient
    gets at most one row per claim, none while another worker holds one, and none past one
    waiting to be retried: its messages go out in the order they were said, however many
    workers send and however a provider's batch is sent.
    """
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel.in_(list(channels)),
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING)
                & (OutboxMessage.available_at <= now),
                (OutboxMessage.status == OutboxStatus.LEASED) & (OutboxMessage.leased_until < now),
            ),
        )
        .order_by(OutboxMessage.available_at, OutboxMessage.seq, OutboxMessage.ordinal)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if in_order:
        due = due.where(~_earlier_on_its_way(now))
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.LEASED,
            leased_until=now + lease,
            leased_by=worker_id,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.execute(stmt)).scalars())
    rows.sort(key=lambda r: (r.available_at, r.seq, r.ordinal, r.id))
    return rows


def _earlier_on_its_way(now: dt.datetime) -> Any:
    """An earlier row to the same recipient that is leased, due, or waiting for a retry. One
    not yet tried and not yet due (a reminder held for the end of the quiet hours) holds up
    nothing: what is said meanwhile is not kept from the customer until the morning."""
    earlier = aliased(OutboxMessage)
    return (
        select(earlier.id)
        .where(
            earlier.channel == OutboxMessage.channel,
            earlier.recipient == OutboxMessage.recipient,
            or_(
                earlier.seq < OutboxMessage.seq,
                (earlier.seq == OutboxMessage.seq) & (earlier.ordinal < OutboxMessage.ordinal),
            ),
            or_(
                earlier.status == OutboxStatus.LEASED,
                (earlier.status == OutboxStatus.PENDING)
                & ((earlier.available_at <= now) | (earlier.attempts > 0)),
            ),
        )
        .exists()
    )


def backoff(attempts: int, retry_after: float | None) -> dt.timedelta:
    """Exponential backoff from the attempt count, never sooner than the provider asked."""
    delay: dt.timedelta = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    if retry_after is not None:
        delay = max(delay, dt.timedelta(seconds=retry_after))
    return delay


def _held(rows: Sequence[OutboxMessage]) -> Any:
    """Rows still under the lease ``claim`` returned them with: LEASED, to the same worker, at
    the same attempt (every claim counts one more, so a re-claim never matches; a
    :func:`release` takes one back, but it is its lease's last write)."""
    lease = tuple_(OutboxMessage.id, OutboxMessage.leased_by, OutboxMessage.attempts)
    return and_(
        OutboxMessage.status == OutboxStatus.LEASED,
        OutboxMessage.id.in_([r.id for r in rows]),  # the primary key, for SQLite's planner
        lease.in_([(r.id, r.leased_by, r.attempts) for r in rows]),
    )


def _log_lost(rows: Sequence[OutboxMessage], status: OutboxStatus) -> None:
    for row in rows:
        log.warning(
            "outbox row %s: %s from %s (attempt %d) not recorded: its lease was lost",
            row.id,
            status,
            row.leased_by,
            row.attempts,
        )


async def finish(
    session: AsyncSession,
    row: OutboxMessage,
    *,
    status: OutboxStatus,
    now: dt.datetime,
    error: str = "",
    available_at: dt.datetime | None = None,
) -> bool:
    """Record what became of a leased row: DONE, DEAD, or PENDING again at ``available_at``.

    ``row`` is the row as :func:`claim` returned it: the outcome is recorded only while that
    lease holds (another worker that took the row after the lease expired owns its end now);
    a lost lease records nothing and returns False.
    """
    values: dict[str, Any] = {"status": status, "last_error": error[:500], "leased_until": None}
    if status in (OutboxStatus.DONE, OutboxStatus.DEAD):
        values["done_at"] = now
    if available_at is not None:
        values["available_at"] = available_at
    result: Any = await session.execute(
        update(OutboxMessage).where(_held([row])).values(**values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount:
        return True
    _log_lost([row], status)
    return False


async def finish_many(
    session: AsyncSession, rows: Sequence[OutboxMessage], *, status: OutboxStatus, now: dt.datetime
) -> int:
    """End many leased rows alike (a batch that was sent): one statement. Like :func:`finish`,
    only rows whose lease still holds; returns how many were recorded."""
    values = {"status": status, "last_error": "", "leased_until": None, "done_at": now}
    return await _end_held(session, rows, status, values)


async def release(session: AsyncSession, rows: Sequence[OutboxMessage]) -> int:
    """Give back leased rows that were not sent (their sender did not start them before the
    lease's end): PENDING, due when they were, and the claim's attempt taken back, for they
    were not tried. Like :func:`finish`, only rows whose lease still holds; returns how many.
    The next claim counts that attempt again: the release was the old lease's last write."""
    values = {"status": OutboxStatus.PENDING, "leased_until": None,
              "attempts": OutboxMessage.attempts - 1}  # fmt: skip
    return await _end_held(session, rows, OutboxStatus.PENDING, values)


async def _end_held(
    session: AsyncSession,
    rows: Sequence[OutboxMessage],
    status: OutboxStatus,
    values: dict[str, Any],
) -> int:
    """``values`` on the rows whose lease still holds, in one statement; the others logged."""
    if not rows:
        return 0
    recorded = set(
        (
            await session.execute(
                update(OutboxMessage)
                .where(_held(rows))
                .values(**values)
                .returning(OutboxMessage.id),
                execution_options={"synchronize_session": False},
            )
        ).scalars()
    )
    _log_lost([r for r in rows if r.id not in recorded], status)
    return len(recorded)


async def purge(session: AsyncSession, *, before: dt.datetime) -> int:
    """Delete DONE rows finished before ``before`` (DEAD ones stay for inspection)."""
    result: Any = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.DONE, OutboxMessage.done_at < before
        ),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)
