"""The appointment and the engineer setting off reach the customer with a tracking link
(issue 17): a new link per message, in the customer's text only, never the engineer's.

The rows are written by GraphQL mutations, each run in a savepoint: before the fix in
``notifications/outbox.py`` a released savepoint dropped its events, so no mutation made
through the API ever reached the outbox (this test found it)."""

from __future__ import annotations

import asyncio
import datetime as dt

from graphql_relay import from_global_id
from sqlalchemy import select

from tests.api.workflow_steps import ok, payload
from tests.conftest import GraphQL
from tests.tracking_world import customer_one, visit
from wellspring.domain import models as m
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.tracking.config import TrackingConfig
from wellspring.domain.tracking.links import open_link
from wellspring.i18n.notifications import render
from wellspring.notifications import fanout, outbox

PUBLIC = "https://wx.example.cn/"


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


def test_fan_out_sends_the_customer_a_working_link(gql: GraphQL, database_url: str) -> None:
    o = customer_one(database_url)
    ticket_id, job_id = visit(gql, o)
    ok(payload(gql, "AcceptJob", {"id": job_id}, "tech-sh-1"))
    ok(payload(gql, "StartTravel", {"id": job_id}, "tech-sh-1"))
    raw = from_global_id(ticket_id)[1]

    async def scenario() -> None:
        engine = create_engine(database_url)
        config = DomainConfig(tracking=TrackingConfig(public_url=PUBLIC))
        factory = session_factory(engine, config=config)
        try:
            async with factory() as session:
                rows = (
                    await session.execute(
                        select(m.OutboxMessage).where(m.OutboxMessage.channel == outbox.FANOUT)
                    )
                ).scalars()
                mine = {r.kind: r for r in rows if r.payload.get("ticket_id") == raw}
                assert {"JOB_ASSIGNED", "ENGINEER_EN_ROUTE"} <= set(mine)
                now = dt.datetime.now(dt.UTC)
                for kind in ("JOB_ASSIGNED", "ENGINEER_EN_ROUTE"):
                    row = mine[kind]
                    await fanout.fan_out(session, row, now=now)
                    sent = (
                        await session.execute(
                            select(m.OutboxMessage).where(
                                m.OutboxMessage.event_id == row.event_id,
                                m.OutboxMessage.channel != outbox.FANOUT,
                            )
                        )
                    ).scalars()
                    bodies = {d.user_id: d.payload["body"] for d in sent}
                    customer = [b for b in bodies.values() if PUBLIC + "t/" in b]
                    assert len(customer) == 1, bodies
                    token = customer[0].rsplit("/t/", 1)[1].split()[0]
                    found = await open_link(session, token, now=now)
                    assert found is not None
                    assert found[1].id == raw
                    others = [b for b in bodies.values() if b != customer[0]]
                    assert all("/t/" not in b for b in others)
                    items = (
                        await session.execute(
                            select(m.Notification.data).where(
                                m.Notification.event_id == row.event_id
                            )
                        )
                    ).scalars()
                    with_link = [d for d in items if "tracking_url" in d]
                    assert len(with_link) == 1  # the customer's inbox item only
                await session.rollback()
        finally:
            await engine.dispose()

    asyncio.run(scenario())
