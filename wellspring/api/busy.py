"""Every pooled database connection in use: the request is answered 503 with Retry-After.

At a peak (every phone's first pull at once) requests queue for a connection; one that waits
longer than ``WELLSPRING_DATABASE_POOL_TIMEOUT_SECONDS`` is not the client's fault and not a
crash either, so it gets ``SERVICE_BUSY`` in the shape of the door it came through, and the
phone or a load balancer retries after the pause instead of logging an internal error.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wellspring.i18n import message, negotiate

__all__ = ["RETRY_AFTER_SECONDS", "PoolTimeout", "pool_exhausted"]

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


async def pool_exhausted(request: Request, _error: Exception) -> Response:
    """The app's handler for ``PoolTimeout`` raised anywhere under a route."""
    log.warning("database pool exhausted", extra={"path": request.url.path})
    locale = negotiate(request.headers.get("accept-language"))
    text = message("SERVICE_BUSY", locale, retry_after=RETRY_AFTER_SECONDS)
    code = "SERVICE_BUSY"
    if request.url.path.startswith("/sync/"):  # the sync protocol's error shape
        body: dict[str, object] = {"error": {"code": code, "message": text}}
    else:
        body = {"errors": [{"message": text, "extensions": {"code": code}}]}
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(body, status_code=503, headers=headers)
