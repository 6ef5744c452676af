"""Tests that reach no database run once, on SQLite: the PostgreSQL run deselects them.

More than a quarter of the tests (geodesy, ranking, schema and document checks, pure property
tests) never open a database, and ran twice for nothing. ``conftest.py`` marks such a test
``no_db`` from what it uses, never by hand (a hand-kept list rots):

- Its module names nothing that picks or makes a database: ``make_database``, ``BACKEND``,
  ``PG_ADMIN_URL``, ``WELLSPRING_TEST_DB`` (a module-level ``skipif`` or ``skip`` by engine
  counts: such a test must run on each engine).
- Neither the test function nor any fixture it uses (``database_url``, ``client``, a
  module's own ``world``...) reaches one of those names, following the calls into the
  suite's own helpers (``tests/...``, e.g. ``issue18_world.open_world``).

Only the suite picks the engine (the app's code takes whatever URL it is given), so reading
the suite's own code is enough; a module that names one of those names anywhere keeps all its
tests on both engines, which costs time, never coverage. A ``no_db`` test that makes a
database anyway fails on SQLite, where every test runs: ``make_database`` refuses while a
``no_db`` test sets up or runs (the flag is an environment variable, so a child process
refuses too), and so does a connection, on the test's thread, to a database it made.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import CodeType, FunctionType, ModuleType
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

MARK = "no_db"
# The names through which a test picks its engine or gets a database.
ENGINE_NAMES = frozenset({"make_database", "BACKEND", "PG_ADMIN_URL", "WELLSPRING_TEST_DB"})
RUNNING = "WELLSPRING_TEST_NO_DB_RUNNING"  # the no_db test running now, for make_database
_made: set[str] = set()  # the databases make_database made (URL's database part)


def _codes(code: CodeType) -> Iterator[CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _codes(const)


def _ours(value: Any) -> bool:
    module = getattr(value, "__module__", None) or ""
    return module == "tests" or module.startswith("tests.")


class Reader:
    """Whether functions reach ``ENGINE_NAMES``; remembers each function it has read."""

    def __init__(self) -> None:
        self.seen: dict[CodeType, bool] = {}
        self.modules: dict[str, bool] = {}

    def module_reaches(self, module: ModuleType) -> bool:
        """A module whose text names an engine name (module-level skips by engine included)."""
        name = module.__name__
        if name not in self.modules:
            path = getattr(module, "__file__", None)
            text = Path(path).read_text(encoding="utf-8") if path else ""
            self.modules[name] = any(word in text for word in ENGINE_NAMES)
        return self.modules[name]

    def reaches(self, value: Any) -> bool:
        """A function (or class, or module of the suite's) that names an engine name, or
        calls one of the suite's functions that does."""
        value = inspect.unwrap(value) if callable(value) else value
        if isinstance(value, type):
            return _ours(value) and any(
                self.reaches(member) for member in vars(value).values() if callable(member)
            )
        if isinstance(value, (staticmethod, classmethod)):
            return self.reaches(value.__func__)
        if not isinstance(value, FunctionType):
            return False
        code = value.__code__
        if code in self.seen:
            return self.seen[code]
        self.seen[code] = False  # a recursive call meets this, and reads on
        found = self._reads(value)
        self.seen[code] = found
        return found

    def _reads(self, function: FunctionType) -> bool:
        names: set[str] = set()
        for code in _codes(function.__code__):
            names.update(code.co_names)
            names.update(c for c in code.co_consts if isinstance(c, str))
        if names & ENGINE_NAMES:
            return True
        scope = function.__globals__
        for name in names:
            value = scope.get(name)
            if isinstance(value, ModuleType) and value.__name__.startswith("tests"):
                # ``module.helper(...)``: the helpers of that module it names.
                if any(self.reaches(getattr(value, n)) for n in names if hasattr(value, n)):
                    return True
            elif value is not None and _ours(value) and self.reaches(value):
                return True
        return False


def reaches_database(item: pytest.Item, reader: Reader) -> bool:
    if not isinstance(item, pytest.Function):
        return True  # not a plain test function: keep it on both engines
    if reader.module_reaches(item.module) or reader.reaches(item.function):
        return True
    info = item._fixtureinfo
    for name in item.fixturenames:  # the closure: fixtures of fixtures included
        for definition in info.name2fixturedefs.get(name, ()):
            func = definition.func
            if _ours(func) and reader.reaches(func):
                return True
    return False


def mark(items: list[pytest.Item]) -> list[pytest.Item]:
    """Marks the tests that reach no database ``no_db``; returns them."""
    reader = Reader()
    free = [item for item in items if not reaches_database(item, reader)]
    for item in free:
        item.add_marker(MARK)
    return free


@contextlib.contextmanager
def running(item: pytest.Item) -> Iterator[None]:
    """Around a test's setup and call: flags a no_db test as running."""
    if item.get_closest_marker(MARK) is None:
        yield
        return
    os.environ[RUNNING] = item.nodeid
    try:
        yield
    finally:
        os.environ.pop(RUNNING, None)


def refuse(what: str) -> None:
    test = os.environ.get(RUNNING)
    if test:
        raise RuntimeError(
            f"{test} is marked no_db (tests/db_free.py) but {what}: the PostgreSQL run leaves "
            "it out; make it use a database fixture"
        )


def made(url: str) -> None:
    """``make_database`` made ``url``: a connection to it under a no_db test is refused."""
    _made.add(str(make_url(url).database))


def install() -> None:
    """A connection on the test's thread to a database the suite made, under a no_db test,
    fails (another thread's may be a server of an earlier test's, still running)."""

    def on_connect(connection: Any) -> None:
        database = str(connection.engine.url.database)
        if threading.current_thread() is threading.main_thread() and database in _made:
            refuse(f"connected to {database}")

    event.listen(Engine, "engine_connect", on_connect)
