"""The log sender (the default of every channel not configured) writes what it would send,
but never a usable tracking link: a link is a bearer secret of which only the hash is kept,
and logs are read by more people than the customer. The customer's messages go through the
real worker here, and the assertions read the log lines it wrote."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

import pytest
from graphql_relay import from_global_id
from sqlalchemy import func, select

from tests.conftest import GraphQL
from tests.notifications.world import drain
from tests.tracking_world import customer_one, visit
from wellspring.domain import models as m
from wellspring.domain.config import DomainConfig
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.notifications import routing
from wellspring.domain.tracking.config import TrackingConfig
from wellspring.domain.tracking.links import REDACTED, TOKEN_IN_TEXT, redact
from wellspring.notifications.worker import Worker, WorkerConfig

PUBLIC = "https://wx.example.cn/"


def test_redact_keeps_the_words_and_drops_the_token() -> None:
    token = "A" * 31 + "_"
    text = f"查看进度：{PUBLIC}t/{token} or /t/{token}."
    assert redact(text) == f"查看进度：{PUBLIC}t/{REDACTED} or /t/{REDACTED}."
    assert redact("/t/short and /tickets/x") == "/t/short and /tickets/x"


def test_the_log_shows_the_customers_messages_without_a_usable_link(
    gql: GraphQL, database_url: str, caplog: pytest.LogCaptureFixture
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
    ticket_id, _job = visit(gql, o, upto="StartTravel")
    raw = from_global_id(ticket_id)[1]
    now = dt.datetime.now(dt.UTC)
    moment = routing.quiet_until(now) or now

    async def send(factory: Any) -> int:
        # No sender configured: every channel falls to the log sender.
        worker = Worker(factory, {}, config=WorkerConfig(scan_every=None), clock=lambda: moment)
        await worker.run(asyncio.Event(), until_idle=True)
        async with factory() as session:
            issued = select(func.count()).where(m.TrackingLink.ticket_id == raw)
            return int((await session.execute(issued)).scalar_one())

    with caplog.at_level(logging.INFO, logger="wellspring.notifications"):
        links_made = asyncio.run(with_factory(send))
    assert links_made >= 2  # the appointment's and the en-route message's were made and sent
    lines = [
        json.loads(r.getMessage().split(" ", 1)[1])
        for r in caplog.records
        if r.name == "wellspring.notifications" and r.getMessage().startswith("notification {")
    ]
    customer = [line for line in lines if PUBLIC + "t/" in line["body"]]
    assert {line["kind"] for line in customer} >= {"JOB_ASSIGNED", "ENGINEER_EN_ROUTE"}
    for line in customer:
        assert line["body"].endswith(f"{PUBLIC}t/{REDACTED}"), line
    assert "/t/" in caplog.text
    assert not TOKEN_IN_TEXT.search(caplog.text), caplog.text
