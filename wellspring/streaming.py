"""A streamed answer that lets go of what it holds however the answer ends.

Starlette stops a ``StreamingResponse`` whose client has left by cancelling the task that
sends it, wherever that task waits (often in ``send``, between two pieces, or before the first
one): the body's generator stays suspended at a ``yield``, or never starts, and what the
answer holds open (an export's session, with its pooled connection) waited for the garbage
collector, which dropped the connection mid-transaction instead of giving it back. Here the
body is closed (its ``finally`` blocks run) and ``cleanup`` awaited as soon as the answer
ends, whichever way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class ClosingStreamingResponse(StreamingResponse):
    def __init__(
        self, *args: Any, cleanup: Callable[[], Awaitable[None]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cleanup = cleanup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            close = getattr(self.body_iterator, "aclose", None)
            try:
                if close is not None:  # an async generator (an iterator may have none)
                    await close()
            finally:
                if self.cleanup is not None:
                    await self.cleanup()
