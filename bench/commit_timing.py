"""Where a commit's time goes under load (bench/inventory, issue 19 point 1).

A client's "commit step" is measured from its side, so at ten clients on two cores it holds,
besides the database's work, the wait for the event loop after each of its round trips (the
answer has arrived, but other tasks run first). Two probes separate them:

- ``install``: SQLAlchemy's ``commit`` event marks on the connection the moment the COMMIT
  is sent, which splits the step into the app's stamps before it and COMMIT's round trip;
- ``LoopWait``: how long the event loop takes to resume a task that is ready, sampled every
  few milliseconds through the timed window (``await asyncio.sleep(0)`` and back).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

SENT = "bench_commit_sent"  # key in the connection's info: perf_counter() at COMMIT
_EVERY = 0.005


def _mark(conn: Any) -> None:
    conn.info[SENT] = time.perf_counter()


def install(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "commit", _mark)


class LoopWait:
    """The event loop's mean delay in resuming a ready task, inside ``window``."""

    def __init__(self, window: tuple[float, float]) -> None:
        self.start, self.stop = window
        self.total = 0.0
        self.samples = 0

    async def run(self) -> None:
        while (now := time.perf_counter()) < self.stop:
            await asyncio.sleep(0)
            if now >= self.start:
                self.total += time.perf_counter() - now
                self.samples += 1
            await asyncio.sleep(_EVERY)
