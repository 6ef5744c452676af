"""Each sender against a fake of its provider on 127.0.0.1, speaking the provider's wire format:
firebase-admin itself sends to the fake FCM, and each provider error becomes the outcome the
provider's documentation calls for."""

from __future__ import annotations

import asyncio
import json

import firebase_admin
from firebase_admin import messaging

from tests.notifications.fakes import FakeAliyunSms, FakeFcm, FakeHuawei, aliyun_sender, serve
from wellspring.notifications.senders.base import Delivery, Outcome, Verdict
from wellspring.notifications.senders.fcm import FcmSender
from wellspring.notifications.senders.huawei import HuaweiSender


def _item(n: int, token: str, *, kind: str = "JOB_ASSIGNED", token_kind: str = "TOKEN") -> Delivery:
    return Delivery(
        id=f"row-{n}",
        event_id=f"event-{n}",
        kind=kind,
        channel="FCM",
        recipient=f"device-{n}",
        title="新派工单 J1",
        body="派工单 J1 已派给您。",
        token=token,
        token_kind=token_kind,
        phone=token,
        job_id="job-1",
        params={"number": "J1", "eta": "2026-12-03T06:30:00+00:00"},
    )


def test_firebase_admin_seam_is_where_the_fcm_sender_pins_it() -> None:
    """firebase-admin has no emulator setting for messaging; we pin its private URL. When a
    release moves it, this fails first (and requirements pin firebase-admin 7.7)."""
    assert firebase_admin.__version__.startswith("7.7.")
    assert messaging._MessagingService.FCM_URL.endswith("/v1/projects/{0}/messages:send")
    assert callable(messaging._get_messaging_service)
    sender = FcmSender(
        project_id="seam",
        credentials_file="anonymous",
        endpoint="http://127.0.0.1:9/v1/projects/{project}/messages:send",
    )
    try:
        service = messaging._get_messaging_service(sender._app)
        assert service._fcm_url == "http://127.0.0.1:9/v1/projects/seam/messages:send"
        assert hasattr(service._client, "session")
    finally:
        asyncio.run(sender.close())


def test_fcm_per_token_errors_in_one_send_each() -> None:
    fake = FakeFcm()
    tokens = [
        "ok-1",
        "unregistered-1",
        "badtoken-1",
        "badpayload-1",
        "quota-1",
        "throttled-1",
        "unavailable-1",
        "internal-1",
        "mismatch-1",
        "apns-1",
        "fid-ok",
    ]
    with serve(fake) as base:
        sender = FcmSender(
            project_id="demo-project",
            credentials_file="anonymous",
            endpoint=f"{base}/v1/projects/{{project}}/messages:send",
        )
        items = [
            _item(n, t, token_kind="FID" if t.startswith("fid") else "TOKEN")
            for n, t in enumerate(tokens)
        ]
        outcomes = asyncio.run(sender.send(items))
        asyncio.run(sender.close())
    got = {t: (o.verdict, o.retry_after) for t, o in zip(tokens, outcomes, strict=True)}
    assert got == {
        "ok-1": (Verdict.SENT, None),
        "unregistered-1": (Verdict.DROP_TOKEN, None),
        "badtoken-1": (Verdict.DROP_TOKEN, None),
        "badpayload-1": (Verdict.REJECTED, None),  # the payload's fault: the token stays
        "quota-1": (Verdict.RETRY, 120.0),  # no sooner than Retry-After
        "throttled-1": (Verdict.RETRY, 60.0),  # or 60 s
        "unavailable-1": (Verdict.RETRY, 7.0),
        "internal-1": (Verdict.RETRY, None),  # the outbox's backoff
        "mismatch-1": (Verdict.ALERT, None),
        "apns-1": (Verdict.ALERT, None),
        "fid-ok": (Verdict.SENT, None),
    }
    received = fake.recorder.snapshot()
    # One request each: firebase-admin's own retries are off (the outbox retries). A 401 is
    # resent by google-auth after a credential refresh, as with real credentials.
    assert sorted(r["token"] for r in received if r["token"] != "apns-1") == sorted(
        t for t in tokens if t != "apns-1"
    )
    first = next(r for r in received if r["token"] == "ok-1")["message"]
    assert first["notification"] == {"title": "新派工单 J1", "body": "派工单 J1 已派给您。"}
    assert first["data"] == {"event_id": "event-0", "kind": "JOB_ASSIGNED", "job_id": "job-1"}
    fid = next(r for r in received if r["token"] == "fid-ok")["message"]
    assert fid.get("fid") == "fid-ok"
    assert "token" not in fid


def test_huawei_refreshes_its_token_and_reads_partial_failures() -> None:
    fake = FakeHuawei()
    with serve(fake) as base:
        sender = HuaweiSender(
            app_id="10086",
            client_id="hw-client",
            client_secret="hw-secret",
            endpoint=f"{base}/v1/{{app_id}}/messages:send",
            token_endpoint=f"{base}/oauth2/v3/token",
        )
        same_text = [_item(1, "hw-ok-1"), _item(1, "illegal-1"), _item(1, "hw-ok-2")]

        async def scenario() -> tuple[list[Outcome], ...]:
            try:
                return (
                    await sender.send(same_text),
                    await sender.send([_item(2, "illegal-2")]),
                    await sender.send([_item(3, "busy-1")]),
                )
            finally:
                await sender.close()

        outcomes, all_bad, busy = asyncio.run(scenario())
    assert [o.verdict for o in outcomes] == [Verdict.SENT, Verdict.DROP_TOKEN, Verdict.SENT]
    assert fake.issued == 2  # the first access token was answered "expired" and replaced
    assert [o.verdict for o in all_bad] == [Verdict.DROP_TOKEN]
    assert (busy[0].verdict, busy[0].retry_after) == (Verdict.RETRY, 30.0)
    tokens = [r["token"] for r in fake.recorder.snapshot()]
    assert tokens[:3] == ["hw-ok-1", "illegal-1", "hw-ok-2"]  # one request for the three


def test_aliyun_sms_is_signed_as_the_provider_checks_it() -> None:
    fake = FakeAliyunSms(secret="sms-secret")
    with serve(fake) as base:
        sender = aliyun_sender(base)
        items = [
            _item(1, "13800000000", kind="ENGINEER_EN_ROUTE"),
            _item(2, "13900001111", kind="ENGINEER_EN_ROUTE"),
            _item(3, "not-a-phone", kind="ENGINEER_EN_ROUTE"),
            _item(4, "13800000000", kind="FILTER_DUE"),  # no template for it
        ]
        wrong = aliyun_sender(base, "another-secret")

        async def scenario() -> tuple[list[Outcome], list[Outcome]]:
            try:
                return await sender.send(items), await wrong.send(items[:1])
            finally:
                await sender.close()
                await wrong.close()

        outcomes, refused = asyncio.run(scenario())
    assert [(o.verdict, o.retry_after) for o in outcomes] == [
        (Verdict.SENT, None),
        (Verdict.RETRY, 60.0),
        (Verdict.REJECTED, None),
        (Verdict.REJECTED, None),
    ]
    assert refused[0].verdict is Verdict.ALERT  # a wrong secret: the signature fails
    sent = fake.recorder.snapshot()[0]
    assert sent["TemplateCode"] == "SMS_0001"
    assert sent["OutId"] == "event-1"
    assert json.loads(sent["TemplateParam"]) == {
        "number": "J1",
        "ticket_number": "J1",
        "eta": "14:30",
    }
