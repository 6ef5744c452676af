"""A dead thread's teardown by greenlet runs no Python code in the suite
(``tests/kept_greenlets.py``), and without that the interpreter hangs."""

from __future__ import annotations

import subprocess
import sys
import threading
import weakref
from pathlib import Path

import greenlet

from tests import kept_greenlets

ROOT = Path(__file__).resolve().parents[1]

# Coverage's part played by hand, deterministically: a trace function in every thread, and a
# weak reference on a thread's main greenlet whose callback (coverage's is a
# WeakKeyDictionary's) lets a second greenlet thread end, waits until greenlet has queued
# that thread's teardown (the second pending call), then calls a Python function.
SCENARIO = """
import sys, threading, time, weakref, greenlet
from greenlet._greenlet import get_pending_cleanup_count
if sys.argv[1] == "kept":
    from tests import kept_greenlets
    kept_greenlets.install()
def inner():
    return 1
release = threading.Event()
def on_dead(_ref):
    release.set()
    deadline = time.monotonic() + 60
    while get_pending_cleanup_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # until the second thread's teardown waits, whatever the load
    inner()
refs = []
def first():
    refs.append(weakref.ref(greenlet.getcurrent(), on_dead))
def second():
    greenlet.getcurrent()
    release.wait()
sys.settrace(lambda *a: None)
threading.settrace(lambda *a: None)
other = threading.Thread(target=second)
other.start()
one = threading.Thread(target=first)
one.start()
one.join()
for _ in range(10**6):
    pass
release.set()
other.join()
for _ in range(10**6):
    pass
print("finished")
"""


def _scenario(mode: str, timeout: float) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - this interpreter, our own script
            [sys.executable, "-c", SCENARIO, mode],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "hung"
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_interpreter_hangs_when_a_teardown_runs_python_code_under_a_tracer() -> None:
    # If this starts to finish, the interpreter no longer has the fault (CPython 3.12 changed
    # that loop): kept_greenlets.py can go.
    assert _scenario("plain", timeout=4) == "hung"


def test_kept_main_greenlets_let_the_same_run_finish() -> None:
    assert _scenario("kept", timeout=120) == "finished"


def test_the_suite_keeps_every_threads_main_greenlet() -> None:
    seen: list[weakref.ref[greenlet.greenlet]] = []
    thread = threading.Thread(target=lambda: seen.append(weakref.ref(greenlet.getcurrent())))
    thread.start()
    thread.join()
    held = seen[0]()
    assert held is not None
    assert any(g is held for g in kept_greenlets.KEPT)
