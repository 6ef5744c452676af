"""One log line per request, as JSON outside development mode."""

from __future__ import annotations

import logging
import sys
import time
import uuid
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wellspring import context
from wellspring.domain.tracking.links import redact

access_log = logging.getLogger("wellspring.access")
CLIENT_CLOSED = 499  # the status nginx logs for a client that closed before the answer
_SAFE_ID = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON (UTF-8, no escapes for Chinese text).

    Every request writes one, so it is kept cheap: orjson, and the time's second formatted
    once per second (the line cost about 80 µs of a request's CPU under load)."""

    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second[0]:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        line: dict[str, Any] = {
            "ts": f"{self._second[1]}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _FIELDS:
            value = record.__dict__.get(key, _ABSENT)
            if value is not _ABSENT:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(line, default=str).decode()
        except TypeError:  # a lone surrogate a client sent (orjson refuses it): escape it
            return orjson.dumps(_escaped(line), default=str).decode()


def _escaped(value: Any) -> Any:
    """Strings with what UTF-8 cannot hold written as escapes, so the line is never lost."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value


_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user", "operation")
_ABSENT = object()


def configure(json_logs: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.set_name("wellspring")
    root = logging.getLogger()
    # Replace only our own handler (an app made twice, as tests do), never someone else's.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "wellspring"] + [handler]
    root.setLevel(level)
    # A library's warning (PyVRP's PenaltyBoundWarning while it plans) is a log line like any
    # other, not bare text among the JSON lines.
    logging.captureWarnings(True)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")[:64]
            if text and all(c in _SAFE_ID for c in text):
                return str(text)
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and logs it when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = context.request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = msg["status"]
                headers = list(msg.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                msg = {**msg, "headers": headers}
            await send(msg)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client left while sending its body (a phone losing its network): no one
            # reads an answer, and it is no fault of ours. Logged as nginx's 499, not a 500.
            status = CLIENT_CLOSED
        except Exception:
            access_log.exception("unhandled error", extra={"request_id": request_id})
            raise
        finally:
            info = scope.get("wellspring", {})
            # A customer's page is /t/<token>: the token is a bearer secret, kept out of logs.
            path = redact(str(scope.get("path", "")))
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                path,
                status,
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user": info.get("user", ""),
                    "operation": info.get("operation", ""),
                },
            )
            context.request_id.reset(token)
