"""Fake push and SMS providers on 127.0.0.1, speaking their real wire formats.

- FCM HTTP v1 (``POST /v1/projects/{p}/messages:send``): one message per request, as
  firebase-admin's ``send_each`` sends them; the token decides the answer, so one batch holds
  per-token errors (UNREGISTERED, INVALID_ARGUMENT for the token or the payload,
  QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR).
- Huawei Push Kit v1: the OAuth token endpoint and ``/v1/{app}/messages:send`` with codes.
- Alibaba Cloud SMS (``SendSms``, RPC style): checks the HMAC-SHA1 signature independently.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlparse

from wellspring.notifications.senders.sms import AliyunSmsSender

FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def _fcm_error(
    http: int, status: str, code: str | None, message: str, field: str | None = None
) -> tuple[int, dict[str, Any]]:
    details: list[dict[str, Any]] = []
    if code:
        details.append({"@type": FCM_ERROR, "errorCode": code})
    if field:
        details.append({"@type": BAD_REQUEST, "fieldViolations": [{"field": field}]})
    return http, {"error": {"code": http, "message": message, "status": status, "details": details}}


FCM_ANSWERS: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = {
    "unregistered": (
        *_fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
        {},
    ),
    "badtoken": (
        *_fcm_error(
            400,
            "INVALID_ARGUMENT",
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "message.token",
        ),
        {},
    ),
    "badpayload": (
        *_fcm_error(
            400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid JSON payload", "message.data"
        ),
        {},
    ),
    "quota": (
        *_fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded."),
        {"Retry-After": "120"},
    ),
    "throttled": (*_fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded."), {}),
    "unavailable": (
        *_fcm_error(503, "UNAVAILABLE", "UNAVAILABLE", "The service is unavailable."),
        {"Retry-After": "7"},
    ),
    "internal": (*_fcm_error(500, "INTERNAL", "INTERNAL", "Internal error."), {}),
    "mismatch": (
        *_fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
        {},
    ),
    "apns": (
        *_fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "Auth error from APNS"),
        {},
    ),
}


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []

    def add(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(item)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.received)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs: clients reuse connections
    server: Any

    def log_message(self, *_args: Any) -> None:
        return None

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        self.server.app.post(self, urlparse(self.path).path, self._body())

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.server.app.get(self, url.path, dict(parse_qsl(url.query, keep_blank_values=True)))


class FakeFcm:
    """FCM HTTP v1. ``received``: every message that reached it (with its event id)."""

    def __init__(self) -> None:
        self.recorder = Recorder()

    def post(self, h: _Handler, path: str, body: bytes) -> None:
        if not (path.startswith("/v1/projects/") and path.endswith("/messages:send")):
            h._answer(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})
            return
        message = json.loads(body)["message"]
        token = message.get("token") or message.get("fid") or ""
        self.recorder.add(
            {
                "token": token,
                "event_id": message.get("data", {}).get("event_id"),
                "message": message,
            }
        )
        for prefix, (status, answer, headers) in FCM_ANSWERS.items():
            if token.startswith(prefix):
                h._answer(status, answer, headers)
                return
        project = path.split("/")[3]
        h._answer(200, {"name": f"projects/{project}/messages/{len(self.recorder.received)}"})

    def get(self, h: _Handler, path: str, params: dict[str, str]) -> None:
        h._answer(404, {})


class FakeHuawei:
    """Huawei Push Kit: the first access token it issues is answered 'expired' once."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.issued = 0

    def post(self, h: _Handler, path: str, body: bytes) -> None:
        if path == "/oauth2/v3/token":
            form = dict(parse_qsl(body.decode()))
            if (
                form.get("grant_type") != "client_credentials"
                or form.get("client_secret") != "hw-secret"
            ):
                h._answer(400, {"error": 1101, "error_description": "invalid client"})
                return
            self.issued += 1
            h._answer(
                200,
                {"access_token": f"at-{self.issued}", "expires_in": 3600, "token_type": "Bearer"},
            )
            return
        if not path.endswith("/messages:send"):
            h._answer(404, {})
            return
        if h.headers.get("Authorization") == "Bearer at-1":
            h._answer(401, {"code": "80200003", "msg": "OAuth token expired."})
            return
        message = json.loads(body)["message"]
        tokens: list[str] = message["token"]
        data = json.loads(message.get("data") or "{}")
        for token in tokens:
            self.recorder.add({"token": token, "event_id": data.get("event_id")})
        if any(t.startswith("busy") for t in tokens):
            h._answer(503, {"code": "81000001", "msg": "System inner error"}, {"Retry-After": "30"})
            return
        illegal = [t for t in tokens if t.startswith("illegal")]
        if illegal and len(illegal) == len(tokens):
            h._answer(
                200, {"code": "80300007", "msg": "All the tokens are invalid", "requestId": "r"}
            )
        elif illegal:
            detail = {
                "success": len(tokens) - len(illegal),
                "failure": len(illegal),
                "illegal_tokens": illegal,
            }
            h._answer(200, {"code": "80100000", "msg": json.dumps(detail), "requestId": "r"})
        else:
            h._answer(200, {"code": "80000000", "msg": "Success", "requestId": "r"})

    def get(self, h: _Handler, path: str, params: dict[str, str]) -> None:
        h._answer(404, {})


def _aliyun_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def aliyun_sender(base: str, secret: str = "sms-secret") -> AliyunSmsSender:
    """The real SMS sender pointed at a fake served at ``base``, with one template."""
    return AliyunSmsSender(
        access_key_id="LTAI-test",
        access_key_secret=secret,
        sign_name="净泉服务",
        templates={"ENGINEER_EN_ROUTE": "SMS_0001"},
        endpoint=f"{base}/",
    )


class FakeAliyunSms:
    """Dysmsapi SendSms: verifies the signature as Alibaba Cloud documents it."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.recorder = Recorder()

    def post(self, h: _Handler, path: str, body: bytes) -> None:
        h._answer(404, {})

    def get(self, h: _Handler, path: str, params: dict[str, str]) -> None:
        signature = params.pop("Signature", "")
        canonical = "&".join(
            f"{_aliyun_encode(k)}={_aliyun_encode(params[k])}" for k in sorted(params)
        )
        to_sign = "GET&%2F&" + _aliyun_encode(canonical)
        expected = base64.b64encode(
            hmac.new((self.secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if signature != expected:
            h._answer(
                400,
                {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."},
            )
            return
        self.recorder.add(dict(params))
        phone = params.get("PhoneNumbers", "")
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            h._answer(400, {"Code": "InvalidAction", "Message": "bad action"})
        elif phone.startswith("1390000"):
            h._answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"})
        elif not phone.isdigit():
            h._answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
        else:
            h._answer(
                200,
                {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r"},
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # send_each opens up to 500 connections at once


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1; yields its base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.app = app  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
