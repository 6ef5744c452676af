"""The tracking doors' rate limits across processes: two counters on one Redis count as one;
a counter whose Redis is gone keeps counting in its own process instead of failing."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from wellspring.api.redis_counter import RedisCounter
from wellspring.domain.tracking.throttle import admit

REDIS = "redis://127.0.0.1:6379/0"
NOW = dt.datetime(2026, 12, 3, 10, 0, 30, tzinfo=dt.UTC)


def test_two_processes_share_one_count_per_window() -> None:
    prefix = f"wellspring-test-{uuid.uuid4().hex[:8]}:"

    async def scenario() -> list[int]:
        one, two = RedisCounter(REDIS, prefix), RedisCounter(REDIS, prefix)
        try:
            counts = [await c.hit("k", window=60, now=NOW) for c in (one, two, one)]
            later = NOW + dt.timedelta(seconds=60)  # the next window starts again
            counts.append(await two.hit("k", window=60, now=later))
            return counts
        finally:
            await one.close()
            await two.close()

    assert asyncio.run(scenario()) == [1, 2, 3, 1]


def test_the_limit_holds_across_processes_and_a_lost_redis_fails_open() -> None:
    prefix = f"wellspring-test-{uuid.uuid4().hex[:8]}:"

    async def scenario() -> tuple[list[bool], list[int]]:
        one, two = RedisCounter(REDIS, prefix), RedisCounter(REDIS, prefix)
        gone = RedisCounter("redis://127.0.0.1:1/0", prefix)  # nothing listens there
        try:
            admitted = [
                await admit(c, per_token=3, per_address=100, token="t", address="a", now=NOW)
                for c in (one, two, one, two)
            ]
            alone = [await gone.hit("k", window=60, now=NOW) for _ in range(2)]
            return admitted, alone
        finally:
            for counter in (one, two, gone):
                await counter.close()

    admitted, alone = asyncio.run(scenario())
    assert admitted == [True, True, True, False]  # the fourth request, on either process
    assert alone == [1, 2]
