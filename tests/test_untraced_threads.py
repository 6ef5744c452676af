"""aiosqlite's connection threads run outside ``threading`` in the suite
(``tests/untraced_threads.py``)."""

from __future__ import annotations

import inspect
import threading
from pathlib import Path

import aiosqlite
import aiosqlite.core

from tests.conftest import run
from tests.untraced_threads import UntracedThread


def test_aiosqlite_still_makes_and_starts_its_thread_as_the_patch_expects() -> None:
    source = inspect.getsource(aiosqlite.core.Connection)
    assert "self._thread = Thread(target=_connection_worker_thread, args=(self._tx,))" in source
    # start() is the only use of the thread: no join, no is_alive, no daemon flag.
    uses = {line.strip() for line in source.splitlines() if "self._thread" in line}
    assert uses == {
        "self._thread = Thread(target=_connection_worker_thread, args=(self._tx,))",
        "self._thread.start()",
    }
    assert vars(aiosqlite.core)["Thread"] is UntracedThread


def test_a_connection_works_on_a_thread_threading_never_sees(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int, list[int]]:
        before = threading.active_count()
        async with aiosqlite.connect(f"{tmp_path}/probe.db") as db:
            during = threading.active_count()
            await db.execute("CREATE TABLE t (n INTEGER)")
            await db.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
            rows = await (await db.execute("SELECT n FROM t ORDER BY n")).fetchall()
        return before, during, [r[0] for r in rows]

    before, during, rows = run(scenario())
    assert rows == [1, 2]
    assert during == before  # the worker thread is not a threading.Thread
