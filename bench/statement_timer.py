"""Time per statement shape, for the benches that say where a request's SQL time goes."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import event

_PARAM_LIST = re.compile(r"\((?:\s*(?:\$\d+(?:::[A-Z ]+(?:\(\d+\))?)?|\?)\s*,?)+\)")
_SPACES = re.compile(r"\s+")


def _shape(statement: str) -> str:
    """A statement without its IN-list length, so each kind is counted together."""
    return _SPACES.sub(" ", _PARAM_LIST.sub("(…)", statement)).strip()


class StatementTimer:
    """Time per statement shape, between ``before_`` and ``after_cursor_execute``."""

    def __init__(self, sync_engine: Any) -> None:
        self.engine = sync_engine
        self.by_shape: dict[str, list[float]] = defaultdict(list)

    def _before(self, conn: Any, _cur: Any, _stmt: str, *_a: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        began = conn.info["bench_started"].pop()
        self.by_shape[_shape(statement)].append((time.perf_counter() - began) * 1000)

    def __enter__(self) -> StatementTimer:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def summary(self, top: int = 8) -> dict[str, Any]:
        ranked = sorted(self.by_shape.items(), key=lambda kv: -sum(kv[1]))
        return {
            "statements": sum(len(v) for v in self.by_shape.values()),
            "sql_ms": round(sum(sum(v) for v in self.by_shape.values()), 1),
            "top": [
                {"statement": shape, "count": len(v), "ms": round(sum(v), 2)}
                for shape, v in ranked[:top]
            ],
        }
