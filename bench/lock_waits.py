"""How much of their time PostgreSQL writers spend waiting on locks, sampled from outside.

A thread polls ``pg_stat_activity`` for the benchmark's database while a run goes: each sample
counts the backends inside a transaction (running or idle in one) and those among them waiting
on a heavyweight lock (``wait_event_type = 'Lock'``: a row or transaction lock, such as
writers queueing behind one hot row). The share is waiting samples over in-transaction samples.

Each sample also counts the backends executing a ``COMMIT``. Their mean number over the run,
times its length, is the time the server spent on commits; per operation, it is what a
commit costs the database, whatever the client waited on top of it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

_SAMPLE = text("""
SELECT count(*) FILTER (WHERE state IN ('active', 'idle in transaction')),
       count(*) FILTER (WHERE state IN ('active', 'idle in transaction')
                          AND wait_event_type = 'Lock'),
       count(*) FILTER (WHERE state = 'active' AND query ILIKE 'commit%')
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
""")


class LockSampler:
    """``with LockSampler(url) as s: ...``; then ``s.busy``, ``s.waiting`` and ``s.committing``
    (backends counted over ``s.samples`` samples) and ``s.seconds`` (how long it sampled)."""

    def __init__(self, url: str, interval: float = 0.02) -> None:
        self.url, self.interval = url, interval
        self.busy = self.waiting = self.committing = self.samples = 0
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.run(self._sample())

    async def _sample(self) -> None:
        engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                began = time.perf_counter()
                while not self._stop.is_set():
                    busy, waiting, committing = (await conn.execute(_SAMPLE)).one()
                    self.busy += int(busy)
                    self.waiting += int(waiting)
                    self.committing += int(committing)
                    self.samples += 1
                    await asyncio.sleep(self.interval)
                self.seconds = time.perf_counter() - began
        finally:
            await engine.dispose()


def share(waiting: int, busy: int) -> float | None:
    return None if busy == 0 else waiting / busy
