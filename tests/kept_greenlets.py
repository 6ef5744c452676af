"""Every thread's main greenlet kept until the suite ends, so that greenlet's teardown of a
dead thread never runs Python code.

The SQLite suite under coverage hung now and then, one run in about fifteen (docs/roadmap.md,
issue 19): the main thread spun at full CPU on the first line of a ``WeakKeyDictionary``
removal callback. The cause is CPython 3.11's evaluation loop: a Python function entered,
under a trace function, inside a pending call while another pending call waits re-reads its
first instruction forever (the pending calls are marked busy, so the eval breaker never
clears, and the traced path of ``RESUME`` does not advance). greenlet tears down a dead
thread's state in such a pending call on the main thread; dropping that thread's main
greenlet there runs the weak-reference callbacks on it, and coverage (measuring greenlets)
keeps a ``WeakKeyDictionary`` keyed by every traced thread's main greenlet. A second thread
that ends during that callback queues the second pending call. ``tests/test_kept_greenlets.py``
shows the hang and that this module prevents it.

Held here, a dead thread's main greenlet outlives its teardown, so no callback runs inside
it. A hook of ``threading.setprofile`` keeps the greenlet when each thread starts and removes
itself at once. aiosqlite's threads, started outside ``threading`` (``untraced_threads.py``),
never touch greenlet. A thread's main greenlet is a few hundred bytes; a run ends a few
thousand threads. greenlet's optional cleanup is turned off: with the extra reference it
would scan the whole heap for referrers at every thread's end, and find this list.
"""

from __future__ import annotations

import sys
import threading
from types import FrameType
from typing import Any

import greenlet

KEPT: list[greenlet.greenlet] = []


def keep(_frame: FrameType, _event: str, _arg: Any) -> None:
    """The profile hook each new thread starts with: keeps its main greenlet, then leaves."""
    sys.setprofile(None)
    KEPT.append(greenlet.getcurrent())


def install() -> None:
    greenlet.enable_optional_cleanup(False)
    threading.setprofile(keep)
