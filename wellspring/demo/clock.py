"""The demo's clock and its ids: one fixed namespace for ``uuid5`` and one fixed "now"."""

from __future__ import annotations

import datetime as dt
import functools
import uuid

NAMESPACE = uuid.UUID("38ff36dd-12d7-484e-b48a-bd2965a1a312")
# China has kept UTC+8 without daylight saving since 1991; a fixed offset needs no tzdata.
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
BASE = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
NOW = BASE + dt.timedelta(days=22, hours=2)  # 2026-11-23 10:00 in Shanghai
TODAY = NOW.astimezone(CHINA).date()
SLOTS = (9, 11, 13, 15)  # appointment windows start on these local hours and last two


def uid(kind: str, n: int | str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{n}"))


@functools.cache
def ref(kind: str, name: str) -> str:
    """The id of a named row (a branch, user, model), looked up over and over."""
    return uid(kind, name)


def local_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(hour), CHINA)
    return (start + dt.timedelta(minutes=minute)).astimezone(dt.UTC)
