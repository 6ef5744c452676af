"""Rate limits for the doors a tracking link opens: per token and per client address.

Counting sits behind :class:`Counter` so that several processes can share one (a Redis
``INCR`` with ``EXPIRE`` fits the same two methods); :class:`MemoryCounter` serves one
process, the embedded default. Fixed one-minute windows: simple, and the limits are generous
enough for a person while a script guessing tokens gets nowhere (192-bit tokens).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Protocol

WINDOW_SECONDS = 60
MAX_KEYS = 50_000  # a memory counter forgets old windows beyond this many keys


class Counter(Protocol):
    async def hit(self, key: str, *, window: int, now: dt.datetime) -> int:
        """Count one request for ``key`` in the window ``now`` falls in; return the count."""
        ...


class MemoryCounter:
    """Counts in this process (lost on restart; each worker process counts alone)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str, *, window: int, now: dt.datetime) -> int:
        slot = int(now.timestamp()) // window
        with self._lock:
            if len(self._counts) > MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= slot}
            count = self._counts.get((key, slot), 0) + 1
            self._counts[(key, slot)] = count
        return count


def _key(kind: str, value: str) -> str:
    # Tokens are never kept in the clear, not even in a counter's keys.
    return f"track:{kind}:{hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()[:32]}"


async def admit(
    counter: Counter,
    *,
    per_token: int,
    per_address: int,
    token: str,
    address: str,
    now: dt.datetime,
) -> bool:
    """Count one request; False once the token or the address is over its limit."""
    by_token = await counter.hit(_key("token", token), window=WINDOW_SECONDS, now=now)
    by_address = await counter.hit(_key("addr", address), window=WINDOW_SECONDS, now=now)
    return by_token <= per_token and by_address <= per_address
