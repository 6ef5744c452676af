"""Huawei Push Kit (the server API v1) as a plain HTTP sender: FCM does not reach most
Android phones in mainland China; Huawei's channel reaches Huawei and Honor phones.

Wire format: an OAuth 2.0 client-credentials token from ``oauth2/v3/token``, then
``POST /v1/{app_id}/messages:send`` with ``{"message": {..., "token": [...]}}`` (up to 1,000
tokens when the message is the same). The answer's ``code``: ``80000000`` all sent;
``80100000`` partly sent, ``msg`` holds ``illegal_tokens``; ``80300007`` every token invalid;
``80200003`` the access token expired (fetched again and retried once); ``80200001`` /
``80300002`` our credentials or rights are wrong (alert); ``80100003`` / ``80300008`` the
message was refused (kept token); ``81000001`` and HTTP 5xx / 429 are temporary.

The groups go one after another: given the worker's deadline, a group is sent only while its
request still fits before it (connecting and answering, each within the timeout), and each
request's timeout is cut so that it ends by then; the groups not started are answered
``LEASE_ENDING`` and go out at the next claim.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from .base import LEASE_ENDING, Deadline, Delivery, Outcome, Verdict, retry_after_seconds

PUSH_ENDPOINT = "https://push-api.cloud.huawei.com/v1/{app_id}/messages:send"
TOKEN_ENDPOINT = "https://oauth-login.cloud.huawei.com/oauth2/v3/token"  # noqa: S105 - a URL
MAX_TOKENS = 1000

SUCCESS, PARTIAL, ALL_INVALID = "80000000", "80100000", "80300007"
TOKEN_EXPIRED = "80200003"  # noqa: S105 - a result code
_ALERT = {"80200001", "80300002", "80600003"}
_REFUSED = {"80100001", "80100003", "80100004", "80300008"}


class HuaweiSender:
    channel = "HUAWEI"
    max_batch = MAX_TOKENS

    def __init__(
        self,
        *,
        app_id: str,
        client_id: str,
        client_secret: str,
        endpoint: str = "",
        token_endpoint: str = "",
        timeout_seconds: float = 10.0,
    ) -> None:
        if not (app_id and client_id and client_secret):
            raise ValueError(
                "the Huawei sender needs WELLSPRING_HUAWEI_APP_ID, _CLIENT_ID, _SECRET"
            )
        self._url = (endpoint or PUSH_ENDPOINT).replace("{app_id}", app_id)
        self._token_url = token_endpoint or TOKEN_ENDPOINT
        self._client_id, self._secret = client_id, client_secret
        self._timeout = timeout_seconds
        self._http = httpx.AsyncClient(timeout=timeout_seconds)
        self._access: tuple[str, float] | None = None

    async def close(self) -> None:
        await self._http.aclose()

    def _request_timeout(self, deadline: Deadline | None) -> float:
        return self._timeout if deadline is None else deadline.timeout(self._timeout)

    async def _token(self, deadline: Deadline | None, *, fresh: bool = False) -> str:
        if self._access is None or fresh or self._access[1] <= time.monotonic():
            response = await self._http.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._secret,
                },
                timeout=self._request_timeout(deadline),
            )
            response.raise_for_status()
            body = response.json()
            lifetime = float(body.get("expires_in", 3600))
            self._access = (str(body["access_token"]), time.monotonic() + lifetime - 60)
        return self._access[0]

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        # Deliveries with the same text go out in one request with all their tokens.
        groups: dict[tuple[str, str, str], list[int]] = {}
        for index, item in enumerate(deliveries):
            key = (item.title, item.body, json.dumps(item.data(), sort_keys=True))
            groups.setdefault(key, []).append(index)
        outcomes: list[Outcome] = [LEASE_ENDING] * len(deliveries)
        for indexes in groups.values():
            for start in range(0, len(indexes), MAX_TOKENS):
                # connect + answer, each a timeout (a token fetch, hourly, is held to the
                # deadline by its own timeout: see ``Deadline.timeout``)
                if deadline is not None and not deadline.allows(2 * self._timeout):
                    return outcomes
                part = indexes[start : start + MAX_TOKENS]
                results = await self._send_group([deliveries[i] for i in part], deadline)
                for i, outcome in zip(part, results, strict=True):
                    outcomes[i] = outcome
        return outcomes

    async def _send_group(self, items: list[Delivery], deadline: Deadline | None) -> list[Outcome]:
        first = items[0]
        body = {
            "validate_only": False,
            "message": {
                "notification": {"title": first.title, "body": first.body},
                "data": json.dumps(first.data(), ensure_ascii=False),
                "android": {"notification": {"click_action": {"type": 3}}},
                "token": [item.token for item in items],
            },
        }
        try:
            response = await self._post(body, deadline)
            if _code(response) == TOKEN_EXPIRED:
                response = await self._post(body, deadline, fresh=True)
        except httpx.HTTPError as error:
            return [Outcome(Verdict.RETRY, f"network: {error}"[:500])] * len(items)
        return _outcomes(response, items)

    async def _post(
        self, body: dict[str, Any], deadline: Deadline | None, *, fresh: bool = False
    ) -> httpx.Response:
        token = await self._token(deadline, fresh=fresh)
        return await self._http.post(
            self._url,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self._request_timeout(deadline),
        )


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""


def _outcomes(response: httpx.Response, items: list[Delivery]) -> list[Outcome]:
    code, text = _code(response), response.text[:500]
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if response.status_code >= 500 or response.status_code == 429:
        return [Outcome(Verdict.RETRY, text, retry_after)] * len(items)
    if code == SUCCESS:
        return [Outcome.sent()] * len(items)
    if code == PARTIAL:
        try:
            detail = json.loads(response.json().get("msg", "{}"))
        except ValueError:
            detail = {}
        illegal = set(detail.get("illegal_tokens") or [])
        return [
            Outcome(Verdict.DROP_TOKEN, f"{code}: illegal token")
            if i.token in illegal
            else Outcome.sent()
            for i in items
        ]
    if code == ALL_INVALID:
        return [Outcome(Verdict.DROP_TOKEN, text)] * len(items)
    if code in _ALERT or response.status_code in (401, 403):
        return [Outcome(Verdict.ALERT, text)] * len(items)
    if code in _REFUSED or response.status_code == 400:
        return [Outcome(Verdict.REJECTED, text)] * len(items)
    return [Outcome(Verdict.RETRY, text, retry_after)] * len(items)
