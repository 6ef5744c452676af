"""FCM through firebase-admin (``messaging.send_each``, at most 500 messages per call).

firebase-admin 7.7 has no emulator setting for messaging. The one seam is private: the
service's ``_fcm_url`` (built from ``_MessagingService.FCM_URL``), reached here through
``messaging._get_messaging_service``. :func:`pin_endpoint` sets it, and
``tests/notifications/test_fcm_seam.py`` fails the day firebase-admin moves it. The library's
own HTTP retries are switched off for the endpoint: the outbox retries, with backoff.

Errors as FCM defines them: ``UNREGISTERED`` (404), or ``INVALID_ARGUMENT`` naming the token
-> the token is dropped, never retried; ``QUOTA_EXCEEDED`` (429) -> retry no sooner than
Retry-After or 60 s; ``UNAVAILABLE`` (503) / ``INTERNAL`` (500) -> backoff honouring
Retry-After; ``SENDER_ID_MISMATCH`` / ``THIRD_PARTY_AUTH_ERROR`` -> alert, not retried; any
other 400 (the payload) -> the message is refused and the token kept.

``send_each`` sends a chunk's messages side by side, each connecting and answering within the
timeout; the chunks go one after another. Given the worker's deadline, a chunk starts only
while that still fits before it (firebase-admin's timeout is the app's, it cannot be cut per
call); the chunks not started are answered ``LEASE_ENDING``.
"""

from __future__ import annotations

import asyncio
import json
import uuid
import warnings
from typing import Any

import firebase_admin
import requests
from firebase_admin import credentials, exceptions, messaging
from google.auth.credentials import AnonymousCredentials

from .base import LEASE_ENDING, Deadline, Delivery, Outcome, Verdict, retry_after_seconds

GOOGLE_ENDPOINT = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"
QUOTA_WAIT = 60.0


class _NoToken(AnonymousCredentials):
    """Sends no token. A 401 (THIRD_PARTY_AUTH_ERROR comes as one) makes google-auth refresh
    and resend once; anonymous credentials refuse to refresh, so this one does nothing."""

    def refresh(self, request: Any) -> None:
        return None


class _Anonymous(credentials.Base):  # type: ignore[misc]
    """No OAuth token: for a relay or a fake FCM server that needs none."""

    def get_credential(self) -> AnonymousCredentials:
        return _NoToken()  # type: ignore[no-untyped-call]


def pin_endpoint(app: firebase_admin.App, endpoint: str) -> Any:
    """Point the app's messaging service at ``endpoint`` (the private seam, see above)."""
    service = messaging._get_messaging_service(app)
    service._fcm_url = endpoint
    # The outbox retries with its own backoff; firebase-admin's adapter would sleep instead.
    prefix = endpoint.split("/v1/")[0] + "/"
    service._client.session.mount(prefix, requests.adapters.HTTPAdapter(max_retries=0))
    return service


class FcmSender:
    channel = "FCM"
    max_batch = 500

    def __init__(
        self,
        *,
        project_id: str,
        credentials_file: str = "",
        endpoint: str = "",
        timeout_seconds: float = 10.0,
    ) -> None:
        if not project_id:
            raise ValueError("WELLSPRING_FCM_PROJECT_ID is needed for the FCM sender")
        self._timeout = timeout_seconds
        if credentials_file == "anonymous":
            cred: Any = _Anonymous()
        elif credentials_file:
            cred = credentials.Certificate(credentials_file)
        else:
            cred = credentials.ApplicationDefault()
        self._app = firebase_admin.initialize_app(
            cred,
            {"projectId": project_id, "httpTimeout": timeout_seconds},
            name=f"wellspring-fcm-{uuid.uuid4()}",
        )
        url = (endpoint or GOOGLE_ENDPOINT).replace("{project}", project_id)
        pin_endpoint(self._app, url)

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for start in range(0, len(deliveries), self.max_batch):
            if deadline is not None and not deadline.allows(2 * self._timeout):
                return outcomes + [LEASE_ENDING] * (len(deliveries) - start)
            chunk = deliveries[start : start + self.max_batch]
            messages = [_message(d) for d in chunk]
            batch = await asyncio.to_thread(messaging.send_each, messages, app=self._app)
            outcomes.extend(_outcome(r) for r in batch.responses)
        return outcomes

    async def close(self) -> None:
        # delete_app closes the async client with asyncio.run: not from inside a running loop
        await asyncio.to_thread(firebase_admin.delete_app, self._app)


def _message(item: Delivery) -> messaging.Message:
    notification = messaging.Notification(title=item.title, body=item.body)
    if item.token_kind == "FID":  # noqa: S105 - an installation id, not a secret
        return messaging.Message(notification=notification, data=item.data(), fid=item.token)
    with warnings.catch_warnings():  # phones still hand out registration tokens
        warnings.simplefilter("ignore", DeprecationWarning)
        return messaging.Message(notification=notification, data=item.data(), token=item.token)


def _outcome(response: messaging.SendResponse) -> Outcome:
    if response.success:
        return Outcome.sent()
    error = response.exception
    text = f"{type(error).__name__}: {error}"[:500]
    retry_after = _retry_after(error)
    if isinstance(error, messaging.UnregisteredError):
        return Outcome(Verdict.DROP_TOKEN, text)
    if isinstance(error, messaging.QuotaExceededError):
        return Outcome(Verdict.RETRY, text, max(retry_after or QUOTA_WAIT, QUOTA_WAIT))
    if isinstance(error, messaging.SenderIdMismatchError | messaging.ThirdPartyAuthError):
        return Outcome(Verdict.ALERT, text)
    if isinstance(error, exceptions.InvalidArgumentError):
        if _names_the_token(error):
            return Outcome(Verdict.DROP_TOKEN, text)
        return Outcome(Verdict.REJECTED, text)
    if isinstance(error, exceptions.UnavailableError | exceptions.InternalError):
        return Outcome(Verdict.RETRY, text, retry_after)
    if isinstance(error, exceptions.UnauthenticatedError | exceptions.PermissionDeniedError):
        return Outcome(Verdict.ALERT, text)
    return Outcome(Verdict.RETRY, text, retry_after)  # a network failure or an unknown error


def _retry_after(error: Any) -> float | None:
    response = getattr(error, "http_response", None)
    headers = getattr(response, "headers", None)
    return retry_after_seconds(headers.get("Retry-After")) if headers is not None else None


def _names_the_token(error: Any) -> bool:
    """INVALID_ARGUMENT is a bad token when FCM's field violation names ``message.token``."""
    response = getattr(error, "http_response", None)
    try:
        body = json.loads(getattr(response, "content", b"") or b"{}")
    except ValueError:
        return False
    for detail in body.get("error", {}).get("details", []):
        for violation in detail.get("fieldViolations", []) or []:
            if str(violation.get("field", "")).startswith(("message.token", "message.fid")):
                return True
    message = str(body.get("error", {}).get("message", ""))
    return "registration token" in message.lower()
