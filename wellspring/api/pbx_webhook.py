"""POST /webhooks/pbx/missed-call: the telephony system (PBX) reports a missed call.

The PBX signs each request with the shared secret (setting ``WELLSPRING_PBX_WEBHOOK_SECRET``):
``X-PBX-Timestamp`` is the Unix time it sent the request, ``X-PBX-Signature`` the hex
HMAC-SHA256 of ``"<timestamp>.<raw body>"`` (``sha256=`` before it is accepted too). A
timestamp further than the replay window from now is refused, so a captured request cannot be
replayed later; within the window a replay changes nothing, because a call is recorded once
per PBX call id. The body is JSON: ``callId``, ``callerNumber``, ``calledAt`` (ISO 8601 with a
zone, or Unix seconds) and ``queue``.

Answers: 200 ``{"missedCallId", "status", "customerMatched"}`` (also for a repeat), 400 a body
that is not such JSON (or holds a NUL or a lone surrogate), 401 a bad signature, 404 no secret
set, 413 over 16 KiB, 422 a domain refusal with its code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wellspring.digits import is_digits
from wellspring.domain import clock
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.hotline.missed_calls import MissedCallReport, record_missed_call
from wellspring.i18n import message, negotiate
from wellspring.schema.core.input_paths import camel

from .input_guard import unstorable

MAX_BODY = 16 * 1024
PATH = "/webhooks/pbx/missed-call"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the PBX sends in X-PBX-Signature (also used by the tests and docs' example)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


def _error(status: int, code: str, locale: str, **params: Any) -> Response:
    body = {"error": {"code": code, "message": message(code, locale, **params)}}
    return JSONResponse(body, status_code=status)


def _called_at(value: Any) -> dt.datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value) and 0 < value < 10**11:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    return None


def _storable(data: Any) -> bool:
    """No string of the body, key or value, holds a NUL or a lone surrogate: JSON can escape
    both (``\\u0000``, ``\\ud800``) but PostgreSQL keeps neither, nor can UTF-8 encode the
    second. Iterative, as JSON nests as deep as Python's parser allows."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if unstorable(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _report(raw: bytes) -> MissedCallReport | None:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # [[[[... past Python's limit
        return None
    if not isinstance(data, dict) or not _storable(data):
        return None
    call_id, number, queue = data.get("callId"), data.get("callerNumber"), data.get("queue", "")
    recording = data.get("recordingUrl", "")
    called = _called_at(data.get("calledAt"))
    if not isinstance(call_id, str | int) or isinstance(call_id, bool) or called is None:
        return None
    if not isinstance(number, str) or not isinstance(queue, str | None):
        return None
    if not isinstance(recording, str | None):
        return None
    return MissedCallReport(
        call_id=str(call_id)[:200],
        caller_number=number[:64],
        called_at=called,
        queue=(queue or "")[:100],
        recording_url=(recording or "")[:600],
    )


class PbxWebhook:
    def __init__(self, secret: str, window_seconds: int) -> None:
        self.secret = secret
        self.window = window_seconds

    def _signed(self, request: Request, body: bytes, now: dt.datetime) -> bool:
        stamp = request.headers.get("x-pbx-timestamp", "").strip()
        given = request.headers.get("x-pbx-signature", "").strip().removeprefix("sha256=")
        if not is_digits(stamp) or len(stamp) > 12 or not given:
            return False
        if abs(now.timestamp() - int(stamp)) > self.window:
            return False
        # As bytes: compare_digest refuses a str with a non-ASCII character (a 500). Header
        # values arrive decoded as latin-1, so they always encode back.
        expected = signature(self.secret, stamp, body).encode()
        return hmac.compare_digest(expected, given.lower().encode("latin-1"))

    async def handle(self, request: Request) -> Response:
        locale = negotiate(request.headers.get("accept-language"))
        if not self.secret:
            return _error(404, "WEBHOOK_DISABLED", locale)
        declared = request.headers.get("content-length", "")
        if is_digits(declared) and int(declared) > MAX_BODY:
            return _error(413, "PAYLOAD_TOO_LARGE", locale, limit=MAX_BODY)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error(413, "PAYLOAD_TOO_LARGE", locale, limit=MAX_BODY)
        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        async with factory() as session:
            if not self._signed(request, body, clock.now(session)):
                return _error(401, "WEBHOOK_SIGNATURE_INVALID", locale)
        report = _report(body)
        if report is None:
            return _error(400, "BAD_REQUEST", locale, detail="callId, callerNumber, calledAt")
        try:
            # A write transaction, as every door that writes takes (db.transaction): on SQLite
            # the lock is asked for at BEGIN and waited for; a deferred one that read the call
            # id and then inserted failed at once ("database is locked") when another report
            # committed in between.
            async with transaction(factory) as session:
                call = await record_missed_call(session, SYSTEM, report=report, source="PBX")
                answer = {
                    "missedCallId": call.id,
                    "status": call.status.value,
                    "customerMatched": call.customer_id is not None,
                }
        except DomainError as error:
            # The body's own key (``callId``), not the domain's ``call_id``.
            params = {"field": camel(error.field or ""), **error.params}
            return _error(422, error.code, locale, **params)
        return JSONResponse(answer)
