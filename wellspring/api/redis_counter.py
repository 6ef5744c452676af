"""Rate-limit counts shared by every web process, in Redis (``WELLSPRING_REDIS_URL``).

The tracking doors' limits (``domain/tracking/throttle.py``) count per token and per client
address; with several processes each counting alone, a script would get N times the limit.
One ``INCR`` and ``EXPIRE`` per hit, in one round trip. If Redis cannot be reached the door
stays open and this process counts alone (``MemoryCounter``) until Redis answers again: a
visit's page must not fail because a counter is down.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from wellspring.domain.tracking.throttle import MemoryCounter

log = logging.getLogger("wellspring.tracking")


class RedisCounter:
    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio as redis  # only a process with Redis configured loads it

        self._client: Any = redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._prefix = prefix
        self._fallback = MemoryCounter()

    async def hit(self, key: str, *, window: int, now: dt.datetime) -> int:
        name = f"{self._prefix}{key}:{int(now.timestamp()) // window}"
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window * 2)
                count, _ = await pipe.execute()
        except self._errors:
            log.warning("rate-limit counter: Redis unreachable, counting in this process")
            return await self._fallback.hit(key, window=window, now=now)
        return int(count)

    async def close(self) -> None:
        await self._client.aclose()
