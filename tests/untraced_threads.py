"""aiosqlite's worker threads, started outside ``threading`` while the suite runs.

The SQLite suite under coverage hung now and then (docs/roadmap.md, issue 19): the main
thread spun in greenlet's teardown of a dead thread's state, a pending call that runs
wherever the main thread happens to be. Coverage, measuring greenlets, asks
``greenlet.getcurrent()`` in every thread that ``threading`` starts (its tracer is installed
through ``threading.settrace``), so each of the thousands of aiosqlite connection threads a
run opens and closes left such a teardown behind; they were nearly all of the threads that
ended in a run. Started by ``_thread.start_new_thread``, they get no tracer, greenlet never
keeps state for them, and nothing is torn down when they end. No line of ours runs in them
(they only call sqlite3), so coverage loses nothing.

``aiosqlite.core.Connection`` makes its thread with ``Thread(target=..., args=...)`` and only
ever calls ``start()`` on it (aiosqlite 0.22.1, pinned); ``tests/test_untraced_threads.py``
fails if that changes.
"""

from __future__ import annotations

import _thread
from collections.abc import Callable
from typing import Any

import aiosqlite.core


class UntracedThread:
    """The part of ``threading.Thread`` aiosqlite uses, on a bare interpreter thread."""

    def __init__(self, target: Callable[..., Any], args: tuple[Any, ...] = ()) -> None:
        self._target, self._args = target, args

    def start(self) -> None:
        _thread.start_new_thread(self._target, self._args)


def install() -> None:
    vars(aiosqlite.core)["Thread"] = UntracedThread
