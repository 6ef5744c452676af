"""Signed PBX reports arriving together (a burst of missed calls, a PBX retrying one call):
each is answered 200 and each call id is recorded once, through a real server, on both
engines. On SQLite the webhook's transaction read (is this call id known?) before it wrote,
so a writer committing in between failed its upgrade at once: "database is locked", a 500."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any

from sqlalchemy import func, select

from tests.conftest import make_settings
from tests.e2e.live import http, live_server
from tests.factories import scalars, unique
from wellspring.api.pbx_webhook import PATH, signature
from wellspring.domain import models as m

SECRET = "pbx-race-secret"
AT_ONCE = 8


def _signed(call: dict[str, Any]) -> dict[str, str]:
    stamp = str(int(time.time()))
    body = json.dumps(call).encode()  # what tests.e2e.live.http sends
    return {"X-PBX-Timestamp": stamp, "X-PBX-Signature": signature(SECRET, stamp, body)}


def _burst(base: str, calls: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    barrier = threading.Barrier(len(calls))
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def send(call: dict[str, Any]) -> None:
        headers = _signed(call)
        barrier.wait()
        try:
            answer = http("POST", base + PATH, call, headers)
        except ValueError:  # a body that is not JSON: Starlette's plain 500
            answer = (500, None)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _call(call_id: str) -> dict[str, Any]:
    called = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    return {"callId": call_id, "callerNumber": "021 6999 1234", "calledAt": called.isoformat()}


def test_distinct_calls_at_once_are_each_recorded(database_url: str) -> None:
    ids = [unique("burst") for _ in range(AT_ONCE)]
    with live_server(make_settings(database_url, pbx_webhook_secret=SECRET)) as base:
        answers = _burst(base, [_call(i) for i in ids])
    assert sorted(code for code, _ in answers) == [200] * AT_ONCE, answers
    recorded = scalars(
        database_url, select(m.MissedCall.call_id).where(m.MissedCall.call_id.in_(ids))
    )
    assert sorted(recorded) == sorted(ids)


def test_one_call_retried_at_once_is_recorded_once(database_url: str) -> None:
    call_id = unique("retry")
    with live_server(make_settings(database_url, pbx_webhook_secret=SECRET)) as base:
        answers = _burst(base, [_call(call_id)] * AT_ONCE)
    assert sorted(code for code, _ in answers) == [200] * AT_ONCE, answers
    assert len({body["missedCallId"] for _, body in answers}) == 1
    count = select(func.count()).where(m.MissedCall.call_id == call_id)
    assert scalars(database_url, count) == [1]
