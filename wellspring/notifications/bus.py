"""Live updates' bus: committed domain events, from the process that committed them to every
subscriber of every web process.

:func:`install` adds an ``after_commit`` listener beside the outbox's: it hands the events the
outbox left in ``session.info`` (each with its cursor) to the bus. The in-process bus delivers
them at once to this process's subscribers (one web process, tests, ``make run``); the Redis
bus publishes them on one pub/sub channel and every process (this one too) delivers what it
reads back, so all subscribers see one order. A publish never blocks a commit: it is queued
and sent by the bus's own task.

Pub/sub keeps nothing: events published while a process was cut from Redis are lost to its
subscribers, which is why the bus then ends them (``RESYNC``): a client reconnects with its
last cursor and reads what it missed from the outbox (``notifications/live.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Final

import orjson
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from wellspring.domain import auth

from . import outbox

log = logging.getLogger("wellspring.live")

Batch = list[dict[str, Any]]
RESYNC: Final = "RESYNC"  # put on a subscriber's queue when events may have been missed
QUEUE_SIZE = 1000  # batches a slow subscriber may lag before it is told to resync
# A control message, not an event: sessions ended (logout, revoked, a login deactivated).
SESSION_ENDED: Final = "SESSION_ENDED"


class Bus:
    """The in-process bus; subclasses move batches between processes."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Batch | str]] = set()
        # Live connections by the session and the user they were opened with.
        self._sessions: dict[str, set[Callable[[], None]]] = {}

    async def start(self) -> None:
        """Start whatever background work the bus needs (none in process)."""

    async def close(self) -> None:
        self.resync_all()

    def subscribe(self) -> asyncio.Queue[Batch | str]:
        queue: asyncio.Queue[Batch | str] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Batch | str]) -> None:
        self._queues.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def publish(self, batch: Batch) -> None:
        """Called after a commit, in the event loop's thread; never blocks."""
        self.deliver(batch)

    def watch_session(self, keys: list[str], on_end: Callable[[], None]) -> Callable[[], None]:
        """Call ``on_end`` when a session-ended message names one of ``keys`` (``session:<id>``
        or ``user:<id>``); returns what stops watching."""
        for key in keys:
            self._sessions.setdefault(key, set()).add(on_end)

        def unwatch() -> None:
            for key in keys:
                watchers = self._sessions.get(key)
                if watchers is not None:
                    watchers.discard(on_end)
                    if not watchers:
                        del self._sessions[key]

        return unwatch

    def _sessions_ended(self, batch: Batch) -> None:
        for message in batch:
            for key in (f"session:{message.get('session_id')}", f"user:{message.get('user_id')}"):
                for on_end in list(self._sessions.get(key, ())):
                    on_end()

    def deliver(self, batch: Batch) -> None:
        if batch and batch[0].get("kind") == SESSION_ENDED:
            self._sessions_ended(batch)
            return
        for queue in list(self._queues):
            try:
                queue.put_nowait(batch)
            except asyncio.QueueFull:
                self._overflow(queue)

    def resync_all(self) -> None:
        for queue in list(self._queues):
            self._overflow(queue)

    def _overflow(self, queue: asyncio.Queue[Batch | str]) -> None:
        # Too far behind (or events were lost): drop its backlog and tell it to resync.
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(RESYNC)
        self._queues.discard(queue)


class RedisBus(Bus):
    """Fan-out across processes through one Redis pub/sub channel."""

    def __init__(self, url: str, channel: str, *, listen: bool = True) -> None:
        super().__init__()
        self.url = url
        self.channel = channel
        self.listen = listen  # a worker process only publishes: it has no subscribers
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self._sending = False

    async def start(self) -> None:
        import redis.asyncio as redis  # only a process with Redis configured loads it

        self._client = redis.from_url(self.url)
        self._tasks = [asyncio.create_task(self._write(), name="live-bus-writer")]
        if self.listen:
            self._tasks.append(asyncio.create_task(self._read(), name="live-bus-reader"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout=5)

    async def close(self) -> None:
        # What was committed is published before the process goes (a few seconds at most).
        for _ in range(50):
            if self._outgoing.empty() and not self._sending:
                break
            await asyncio.sleep(0.1)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._client.aclose()
        self.resync_all()

    def publish(self, batch: Batch) -> None:
        self._outgoing.put_nowait(orjson.dumps(batch))

    async def _write(self) -> None:
        while True:
            data = await self._outgoing.get()
            self._sending = True
            try:
                await self._client.publish(self.channel, data)
            except Exception:  # Redis away: the outbox keeps the events for a resync
                log.warning("live bus: could not publish to Redis", exc_info=True)
                self.resync_all()
            finally:
                self._sending = False

    async def _read(self) -> None:
        delay = 0.2
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._ready.set()
                delay = 0.2
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self.deliver(orjson.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live bus: Redis subscription lost; retrying", exc_info=True)
                self.resync_all()  # what was published meanwhile never reaches us
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]


def build_bus(redis_url: str, channel_prefix: str, *, listen: bool = True) -> Bus:
    """Redis when a URL is configured, else in process (``listen=False``: a process that
    only publishes, as ``wellspring worker``)."""
    if redis_url:
        return RedisBus(redis_url, f"{channel_prefix}live-events", listen=listen)
    return Bus()


def install(factory: async_sessionmaker[AsyncSession], bus: Bus) -> None:
    """Publish the committed events of every session the factory makes (after
    ``outbox.install``, whose ``after_commit`` listener leaves them in ``session.info``)."""
    outbox.install(factory)
    session_class: Any = factory.kw["sync_session_class"]

    def after_commit(session: Session) -> None:
        if session.get_nested_transaction() is not None:
            return  # a savepoint released, not a commit
        said = session.info.get(outbox.COMMITTED_KEY)
        if said:
            bus.publish(list(said))
        ended = session.info.pop(auth.SESSIONS_ENDED_KEY, None)
        if ended:
            bus.publish([{**e, "kind": SESSION_ENDED} for e in ended])

    def after_rollback(session: Session, ended: SessionTransaction) -> None:
        if not ended.nested:
            session.info.pop(auth.SESSIONS_ENDED_KEY, None)  # nothing ended after all

    sa_event.listen(session_class, "after_commit", after_commit)
    sa_event.listen(session_class, "after_soft_rollback", after_rollback)
