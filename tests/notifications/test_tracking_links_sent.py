"""The appointment, the engineer setting off and the rating request reach the customer with
a tracking link (issue 17): a new link per message, in the customer's text only, never the
engineer's; the rating request's link is where the visit is rated.

The link is made when the message is sent, and no row keeps it: only a link's hash is
stored, and an inbox item or an outbox row holding the full URL gave the token back to
whoever reads those tables (the docs promised otherwise).

The rows are written by GraphQL mutations, each run in a savepoint: before the fix in
``notifications/outbox.py`` a released savepoint dropped its events, so no mutation made
through the API ever reached the outbox (this test found it)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from graphql_relay import from_global_id
from sqlalchemy import select

from tests.api.workflow_steps import REPAIR_REPORT, ok, payload
from tests.conftest import GraphQL
from tests.notifications.world import drain
from tests.tracking_world import customer_one, visit
from wellspring.domain import models as m
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.notifications import routing
from wellspring.domain.tracking.config import TrackingConfig
from wellspring.domain.tracking.links import open_link
from wellspring.i18n.notifications import link_text, render
from wellspring.notifications import outbox
from wellspring.notifications.senders.base import Deadline, Delivery, Outcome
from wellspring.notifications.worker import Worker, WorkerConfig

PUBLIC = "https://wx.example.cn/"
TRACKED = ("JOB_ASSIGNED", "ENGINEER_EN_ROUTE", "JOB_COMPLETED")


def test_the_customer_words_carry_the_link_in_both_languages() -> None:
    data = {"number": "J1", "appointment_start": "2026-12-04T02:00:00+00:00"}
    data |= {"appointment_end": "2026-12-04T04:00:00+00:00", "tracking_url": "https://x/t/abc"}
    title, body = render("JOB_ASSIGNED", data, "zh-CN", for_customer=True)
    assert title == "上门服务已预约"
    assert "12-04 10:00–12:00" in body
    assert body.endswith("查看进度：https://x/t/abc")
    assert body.startswith("您的工单 J1 已预约上门，时间 12-04 10:00–12:00。")
    _title, body = render("JOB_ASSIGNED", data, "en", for_customer=True)
    assert body.endswith("Follow it: https://x/t/abc")
    # It read "is appointed, appointed 12-04 …".
    assert body.startswith("Your visit for ticket J1 is booked for 12-04 10:00–12:00.")
    _title, engineer = render("JOB_ASSIGNED", data, "zh-CN")
    assert "https://" not in engineer
    _title, on_way = render("ENGINEER_EN_ROUTE", {**data, "eta": None}, "en", for_customer=True)
    assert on_way.endswith("Follow it: https://x/t/abc")
    # The rating request's link is where the visit is rated.
    assert link_text("JOB_COMPLETED", "https://x/t/abc", "zh-CN") == "去评分：https://x/t/abc"
    assert link_text("JOB_COMPLETED", "https://x/t/abc", "en") == " Rate it here: https://x/t/abc"


class Recorder:
    """A channel that keeps what it was given to send."""

    channel = "ANY"
    max_batch = 500

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        self.sent.extend(deliveries)
        return [Outcome.sent() for _ in deliveries]

    async def close(self) -> None:
        return None


def test_the_customer_is_sent_working_links_that_no_row_keeps(
    gql: GraphQL, database_url: str
) -> None:
    o = customer_one(database_url)
    config = DomainConfig(tracking=TrackingConfig(public_url=PUBLIC))

    async def with_factory(work: Any) -> Any:
        engine = create_engine(database_url)
        try:
            return await work(session_factory(engine, config=config))
        finally:
            await engine.dispose()

    asyncio.run(with_factory(drain))  # other tests' events are theirs to send
    # Sent while the engineer is on the way: "on the way" is dropped once the visit is over
    # (routing.CURRENT_WHILE), so the rest of the visit comes after the first sending.
    ticket_id, job = visit(gql, o, upto="StartTravel")
    raw = from_global_id(ticket_id)[1]
    # A moment the customers' quiet hours do not hold the rating request back to.
    now = dt.datetime.now(dt.UTC)
    moment = routing.quiet_until(now) or now
    recorder = Recorder()

    async def send(factory: Any) -> tuple[list[m.Notification], list[m.OutboxMessage]]:
        senders: dict[str, Any] = {c: recorder for c in ("FCM", "HUAWEI", "SMS", "LOG")}
        worker = Worker(
            factory, senders, config=WorkerConfig(scan_every=None), clock=lambda: moment
        )
        await worker.run(asyncio.Event(), until_idle=True)
        async with factory() as session:
            items = (
                await session.execute(select(m.Notification).where(m.Notification.ticket_id == raw))
            ).scalars()
            rows = (
                await session.execute(
                    select(m.OutboxMessage).where(m.OutboxMessage.channel != outbox.FANOUT)
                )
            ).scalars()
            return list(items), [r for r in rows if r.payload.get("ticket_id") == raw]

    asyncio.run(with_factory(send))
    ok(payload(gql, "ArriveOnSite", {"id": job}, "tech-sh-1"))
    report = {"input": {"jobId": job, "report": REPAIR_REPORT}}
    ok(payload(gql, "CompleteJob", report, "tech-sh-1"))
    now = dt.datetime.now(dt.UTC)
    moment = routing.quiet_until(now) or now  # the completion was written after the first
    items, rows = asyncio.run(with_factory(send))
    sent = [d for d in recorder.sent if d.ticket_id == raw]
    customer = {d.kind: d for d in sent if PUBLIC + "t/" in d.body}
    assert set(customer) == set(TRACKED), [(d.kind, d.body) for d in sent]
    assert all(d.recipient == d.phone for d in customer.values())  # customer-1 has no app
    assert customer["JOB_COMPLETED"].body.startswith("工单 ")
    assert "去评分：" + PUBLIC + "t/" in customer["JOB_COMPLETED"].body
    assert "查看进度：" + PUBLIC + "t/" in customer["ENGINEER_EN_ROUTE"].body
    tokens = {}
    for kind, delivery in customer.items():
        url = delivery.body.rsplit("：", 1)[1]
        assert delivery.params["tracking_url"] == url  # an SMS template's variable
        tokens[kind] = url.rsplit("/t/", 1)[1]
    assert len(set(tokens.values())) == len(TRACKED)  # a new link per message

    async def opens(factory: Any) -> list[str | None]:
        async with factory() as session:
            found = [await open_link(session, t, now=moment) for t in tokens.values()]
            return [f[1].id if f else None for f in found]

    assert asyncio.run(with_factory(opens)) == [raw] * len(TRACKED)
    # The engineer's copies never carry one.
    assert all("/t/" not in d.body for d in sent if d.kind not in customer)
    # Nothing stored gives a token back: not the deliveries, not the inbox items.
    assert rows
    assert {r.kind for r in rows} >= set(TRACKED)
    stored = [json.dumps(r.payload, ensure_ascii=False) + r.last_error for r in rows]
    stored += [json.dumps(n.data, ensure_ascii=False) for n in items]
    assert items
    for text in stored:
        assert "/t/" not in text, text
        assert not any(t in text for t in tokens.values()), text
