"""SMS for customers without the app, through Alibaba Cloud SMS (Dysmsapi ``SendSms``).

The request is Alibaba Cloud's RPC style, signed as the provider defines (signature version
1.0, HMAC-SHA1): the parameters sorted by name and percent-encoded (RFC 3986, space as %20),
``GET&%2F&`` + the encoded query, keyed with the AccessKey secret + ``&``, Base64. A message
uses a template approved in the console: ``WELLSPRING_SMS_TEMPLATES`` maps an event kind to
its ``TemplateCode``; a kind without one is not sent by SMS (refused, not retried).

``Code`` in the answer: ``OK`` sent; ``isv.BUSINESS_LIMIT_CONTROL`` / ``isv.DAY_LIMIT_CONTROL``
/ ``isp.*`` / ``Throttling*`` / ``ServiceUnavailable`` temporary; wrong credentials, signature
or template -> alert; a bad number or missing parameter -> refused.

One request per message, one after another: given the worker's deadline, a message is sent
only while a request still fits before it (connecting and reading the answer, each within the
timeout); the rest are answered ``LEASE_ENDING`` and go out at the next claim.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from wellspring.i18n.notifications import sms_params

from .base import LEASE_ENDING, Deadline, Delivery, Outcome, Verdict, retry_after_seconds

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
LIMIT_WAIT = 60.0
DAY_LIMIT_WAIT = 3600.0
_ALERT_PREFIXES = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "Forbidden",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.ACCOUNT_",
    "isv.AMOUNT_NOT_ENOUGH",
)
_RETRY_PREFIXES = ("isp.", "Throttling", "ServiceUnavailable", "InternalError")


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def sign(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """Alibaba Cloud RPC signature (version 1.0, HMAC-SHA1) of ``params``."""
    query = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsSender:
    channel = "SMS"
    max_batch = 50

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        templates: Mapping[str, str],
        endpoint: str = "",
        timeout_seconds: float = 10.0,
    ) -> None:
        if not (access_key_id and access_key_secret and sign_name):
            raise ValueError(
                "the SMS sender needs WELLSPRING_SMS_ACCESS_KEY_ID, _SECRET, _SIGN_NAME"
            )
        self._key, self._secret, self._sign_name = access_key_id, access_key_secret, sign_name
        self._templates = dict(templates)
        self._url = endpoint or ENDPOINT
        self._timeout = timeout_seconds
        self._http = httpx.AsyncClient(timeout=timeout_seconds)

    async def close(self) -> None:
        await self._http.aclose()

    def request_params(self, item: Delivery, *, now: dt.datetime) -> dict[str, str]:
        params = {
            "AccessKeyId": self._key,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": item.phone or item.recipient,
            "RegionId": "cn-hangzhou",
            "SignName": self._sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "TemplateCode": self._templates[item.kind],
            "TemplateParam": json.dumps(sms_params(item.params), ensure_ascii=False),
            "Timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "OutId": item.event_id,  # comes back in delivery receipts
        }
        params["Signature"] = sign(params, self._secret)
        return params

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for item in deliveries:
            if item.kind not in self._templates:
                outcomes.append(Outcome(Verdict.REJECTED, f"no SMS template for {item.kind}"))
                continue
            timeout = self._timeout
            if deadline is not None:
                if not deadline.allows(2 * self._timeout):  # connect + answer, each a timeout
                    outcomes.append(LEASE_ENDING)
                    continue
                timeout = deadline.timeout(self._timeout)
            params = self.request_params(item, now=dt.datetime.now(dt.UTC))
            try:
                response = await self._http.get(self._url, params=params, timeout=timeout)
            except httpx.HTTPError as error:
                outcomes.append(Outcome(Verdict.RETRY, f"network: {error}"[:500]))
                continue
            outcomes.append(_outcome(response))
        return outcomes


def _outcome(response: httpx.Response) -> Outcome:
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    try:
        code = str(response.json().get("Code", ""))
    except ValueError:
        code = ""
    text = f"{response.status_code} {code}: {response.text[:400]}"
    if code == "OK":
        return Outcome.sent()
    if code == "isv.BUSINESS_LIMIT_CONTROL":
        return Outcome(Verdict.RETRY, text, max(retry_after or LIMIT_WAIT, LIMIT_WAIT))
    if code == "isv.DAY_LIMIT_CONTROL":
        return Outcome(Verdict.RETRY, text, DAY_LIMIT_WAIT)
    if code.startswith(_ALERT_PREFIXES):
        return Outcome(Verdict.ALERT, text)
    if code.startswith(_RETRY_PREFIXES) or response.status_code >= 500 or not code:
        return Outcome(Verdict.RETRY, text, retry_after)
    return Outcome(Verdict.REJECTED, text)
