"""Issue 18's PBX webhook through the API: missed calls from the PBX and the hotline called
back, the webhook's signature and replay rules, and generated requests (hypothesis) at it,
none of which may answer 5xx. The module has its own database (``issue18_world.py``)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.issue18_world import World, doc, open_world, post_webhook
from tests.factories import scalars, unique
from wellspring.api.pbx_webhook import PATH
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(tmp_path_factory, "issue18calls") as opened:
        yield opened


def test_missed_calls_from_the_pbx_and_the_hotline_are_called_back(world: World) -> None:
    gql, url = world.gql, world.url
    phone = scalars(url, select(m.Customer.phone).where(m.Customer.phone.like("1%")).limit(1))[0]
    now = dt.datetime.now(dt.UTC)
    call = {
        "callId": unique("pbx"),
        "callerNumber": f"+86 {phone}",
        "calledAt": (now - dt.timedelta(minutes=5)).isoformat(),
        "queue": "400-售后",
        "recordingUrl": "https://pbx.example.com/rec/1.mp3",
    }
    body = json.dumps(call, ensure_ascii=False).encode()
    first = post_webhook(world.client, body)
    assert first.status_code == 200, first.text
    assert first.json()["customerMatched"] is True
    replay = post_webhook(world.client, body)  # within the window: the same call, once
    assert replay.json()["missedCallId"] == first.json()["missedCallId"]
    assert post_webhook(world.client, body, secret="wrong").status_code == 401
    assert post_webhook(world.client, body, stamp=int(time.time()) - 3600).status_code == 401
    assert world.client.post(PATH, content=body).status_code == 401
    assert post_webhook(world.client, b"[1, 2]").status_code == 400
    assert post_webhook(world.client, b"x" * 20_000).status_code == 413
    stale = json.dumps({**call, "callId": unique("pbx"), "calledAt": "2000-01-01T00:00:00+08:00"})
    refused = post_webhook(world.client, stale.encode())
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "CALL_TIME_OUT_OF_RANGE"
    # A refusal names the body's key the PBX sent (callId), never the domain's call_id.
    blank = json.dumps({**call, "callId": " "}).encode()
    for language, text in (("en", "callId is required."), ("zh-CN", "来电编号 为必填项。")):
        answer = post_webhook(world.client, blank, language=language)
        assert (answer.status_code, answer.json()["error"]["message"]) == (422, text)

    by_hand = gql.data(
        doc("RecordMissedCall"),
        {
            "input": {
                "callId": unique("api"),
                "callerNumber": "021 6999 0000",
                "calledAt": now.isoformat(),
            }
        },
        as_user="hotline",
    )["recordMissedCall"]
    assert by_hand["missedCall"]["phone"] == "021-69990000"
    assert by_hand["missedCall"]["customer"] is None
    assert by_hand["missedCall"]["recordingUrl"] is None
    called = dt.datetime.fromisoformat(by_hand["missedCall"]["calledAt"])
    assert dt.datetime.fromisoformat(by_hand["missedCall"]["dueAt"]) - called == dt.timedelta(
        minutes=30
    )

    def due(order: str) -> list[str]:
        page = gql.data(doc("CallbacksDue"), {"first": 100, "order": order}, as_user="hotline")
        return [e["node"]["id"] for e in page["callbacksDue"]["edges"]]

    pbx_id = global_id("MissedCall", first.json()["missedCallId"])

    def assign(user: str | None, as_user: str = "hq") -> dict[str, Any]:
        found = scalars(url, select(m.User.id).where(m.User.username == user)) if user else []
        agent = global_id("User", found[0]) if user else None
        variables = {"missedCallId": pbx_id, "userId": agent}
        answer = gql.data(doc("AssignCallback"), {"input": variables}, as_user=as_user)
        return dict(answer["assignCallback"])

    assert assign("hotline")["missedCall"]["assignedTo"]["username"] == "hotline"
    assert [e["code"] for e in assign("tech-sh-1")["errors"]] == ["CALLBACK_ASSIGNEE_INVALID"]
    refused = gql.post(doc("AssignCallback"), {"input": {"missedCallId": pbx_id}},
                       as_user="clerk-sh").json()  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert assign(None)["missedCall"]["assignedTo"] is None
    assert assign("hotline", as_user="hotline")["errors"] == []
    listed = gql.data(doc("CallbacksDue"), {"first": 100}, as_user="hotline")["callbacksDue"]
    [pbx] = [e["node"] for e in listed["edges"] if e["node"]["id"] == pbx_id]
    assert (pbx["recordingUrl"], pbx["overdue"]) == ("https://pbx.example.com/rec/1.mp3", False)
    newest = due("NEWEST")
    assert newest.index(by_hand["missedCall"]["id"]) < newest.index(pbx_id)
    assert due("LONGEST_WAITING") == list(reversed(newest))
    answered = gql.data(
        doc("RecordCallback"),
        {"input": {"missedCallId": pbx_id, "outcome": "REACHED", "note": "客户已约维修"}},
        as_user="hotline",
    )["recordCallback"]
    assert answered["missedCall"]["status"] == "RETURNED"
    assert answered["attempt"]["outcome"] == "REACHED"
    assert pbx_id not in due("NEWEST")
    again = gql.data(
        doc("RecordCallback"),
        {"input": {"missedCallId": pbx_id, "outcome": "REACHED"}},
        as_user="hotline",
    )["recordCallback"]
    assert again["errors"][0]["code"] == "CALL_ALREADY_CLOSED"
    assert [e["code"] for e in assign("hotline")["errors"]] == ["CALL_ALREADY_CLOSED"]


def test_the_webhook_is_closed_without_a_secret(client: TestClient) -> None:
    answer = client.post(PATH, content=b"{}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "WEBHOOK_DISABLED"


def test_a_signed_body_too_deep_or_with_unstorable_text_is_a_bad_request(world: World) -> None:
    now = dt.datetime.now(dt.UTC).isoformat()

    def body(extra: str, number: str = "13800138000") -> tuple[str, bytes]:
        call_id = unique("odd")
        text = f'{{"callId":"{call_id}","callerNumber":"{number}","calledAt":"{now}"{extra}}}'
        return call_id, text.encode()

    odd = [
        ("", b"[" * 5000 + b"]" * 5000),  # nested past Python's recursion limit
        body("", number="1380013\\ud800"),  # a lone surrogate, as JSON escapes it
        body(',"queue":"\\ud800"'),
        body(',"queue":"q\\u0000"'),  # a NUL: SQLite would keep it, PostgreSQL refuses it
        body(',"recordingUrl":"https://pbx.example.com/\\udfff"'),
        body(',"extra":{"note\\u0000":["\\udc00"]}'),  # any string, even one not read
    ]
    for call_id, sent in odd:
        answer = post_webhook(world.client, sent)
        assert answer.status_code == 400, (sent[:80], answer.text)
        assert answer.json()["error"]["code"] == "BAD_REQUEST"
        if call_id:
            stored = scalars(
                world.url, select(m.MissedCall.id).where(m.MissedCall.call_id == call_id)
            )
            assert stored == []
    _, sent = body(',"queue":"400-售后 \\u4e2d"')  # escapes of real characters are fine
    assert post_webhook(world.client, sent).status_code == 200


def test_a_signature_with_a_byte_beyond_ascii_is_refused_not_a_500(world: World) -> None:
    """hmac.compare_digest refuses a str holding a non-ASCII character: a current timestamp
    and one such byte in the signature answered 500, without the secret."""
    for sent in (b"\xe9", b"sha256=" + b"\xff" * 64, "é".encode("latin-1") * 64):
        headers = {b"X-PBX-Timestamp": str(int(time.time())).encode(), b"X-PBX-Signature": sent}
        answer = world.client.post(PATH, content=b"{}", headers=headers)
        assert answer.status_code == 401, (sent, answer.text)
        assert answer.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"


# Any code point JSON can write (escaped), lone surrogates and NUL included: st.text's own
# alphabet leaves surrogates out.
ANY = st.characters()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY, max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY, max_size=12), inner),
    max_leaves=10,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "callId": st.one_of(st.text(ANY, max_size=120), st.integers(), st.booleans()),
        "callerNumber": st.one_of(
            st.text(ANY, max_size=50),
            st.from_regex(r"\+?86?1[3-9]\d{9}"),
            st.from_regex(r"1[3-9]\d{9}", fullmatch=True).map(lambda n: n + "\ud800"),
        ),
        "calledAt": st.one_of(
            st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
            st.builds(lambda: dt.datetime.now(dt.UTC).isoformat()),  # within the window
            st.integers(-(10**12), 10**12),
            st.floats(),
            st.text(max_size=40),
        ),
        "queue": st.one_of(st.text(ANY, max_size=80), st.none(), st.integers()),
    },
)


HEADER_TEXT = st.characters(min_codepoint=0x20, max_codepoint=0x7E)  # what httpx sends


def test_generated_webhook_requests_never_get_a_5xx(world: World) -> None:
    now = dt.datetime.now(dt.UTC).isoformat()
    odd_queue = json.dumps(
        {"callId": unique("gen"), "callerNumber": "13800138000", "calledAt": now, "queue": "\ud800"}
    ).encode()

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @example(body=b"[" * 5000 + b"]" * 5000, signed=True, stamp=None, raw_stamp=None)
    @example(body=odd_queue, signed=True, stamp=None, raw_stamp=None)
    @given(
        body=st.one_of(
            FIELDS.map(lambda d: json.dumps(d).encode()),
            JSON.map(lambda d: json.dumps(d).encode()),
            st.binary(max_size=200),
        ),
        signed=st.booleans(),
        stamp=st.one_of(st.none(), st.integers(-(10**13), 10**13)),
        # Any text the test client sends (test_odd_digits.py sends the header's raw bytes).
        raw_stamp=st.one_of(st.none(), st.text(HEADER_TEXT, max_size=14)),
    )
    def send(body: bytes, signed: bool, stamp: int | None, raw_stamp: str | None) -> None:
        if signed:
            answer = post_webhook(world.client, body, stamp=stamp)
        else:
            given = str(stamp) if raw_stamp is None else raw_stamp
            headers = {"X-PBX-Timestamp": given, "X-PBX-Signature": "00"}
            answer = world.client.post(PATH, content=body, headers=headers)
        assert answer.status_code < 500, (body, answer.text)

    send()
