"""Migration 0016a: inbox items and deliveries written before links were made at send time
held whole tracking URLs (a bearer secret whose hash alone is meant to be stored); after it
no stored text holds a usable one, and the rows are otherwise kept."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import secrets
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import column, insert, inspect, select, table

from tests.factories import execute, fetch
from wellspring.api import migrations
from wellspring.domain import models as m
from wellspring.domain.db import create_engine
from wellspring.domain.models.enums import OutboxStatus, Role
from wellspring.domain.tracking import links
from wellspring.i18n import notifications as words
from wellspring.i18n.notifications import render
from wellspring.notifications import tracking_links

BEFORE = "0015z"  # 0016a changes rows only
URL = "https://wx.example.cn/t/"


def _migration() -> ModuleType:
    path = next(Path(__file__).parents[1].glob("migrations/versions/*_0016a_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0016a", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_copies_what_the_application_uses() -> None:
    module = _migration()
    assert module.TOKEN_IN_TEXT.pattern == links.TOKEN_IN_TEXT.pattern
    assert module.REDACTED == links.REDACTED
    assert module.FOLLOW_WORDS == words.FOLLOW_WORDS
    assert module.MARK == tracking_links.MARK


def _insert_as_of(url: str, model: Any, values: dict[str, Any]) -> None:
    """``values`` into ``model``'s table as it stands at ``BEFORE``: the columns later
    migrations add (the outbox's ``ordinal``) are not there yet."""

    def names(connection: Any) -> set[str]:
        return {c["name"] for c in inspect(connection).get_columns(model.__tablename__)}

    async def read() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(names)
        finally:
            await engine.dispose()

    present = asyncio.run(read())
    row = dict(values)
    for known in model.__table__.columns:
        default = known.default
        if known.name in present and known.name not in row and default is not None:
            row[known.name] = default.arg(None) if default.is_callable else default.arg
    columns = [column(name, model.__table__.c[name].type) for name in row]
    execute(url, insert(table(model.__tablename__, *columns)).values(**row))


def _delivery(status: OutboxStatus, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event_id": uuid.uuid4().hex,
        "kind": kind,
        "channel": "SMS",
        "recipient": "13800000000",
        "payload": payload,
        "status": status,
    }


def test_stored_links_lose_their_tokens_and_the_rows_stay(empty_database_url: str) -> None:
    url = empty_database_url
    migrations.upgrade(url, BEFORE)
    token = {k: secrets.token_urlsafe(links.TOKEN_BYTES) for k in ("inbox", "sent", "due", "en")}
    customer, engineer = str(uuid.uuid4()), str(uuid.uuid4())
    for user, role in ((customer, Role.CUSTOMER), (engineer, Role.TECHNICIAN)):
        execute(
            url,
            insert(m.User).values(
                id=user, username=f"u-{user[:8]}", display_name="u", password_hash="x", role=role
            ),
        )
    data = {"number": "J1", "eta": None, "tracking_url": URL + token["inbox"]}
    items = {
        "customer": {"data": data, "user_id": customer},
        "engineer": {"data": {"number": "J1", "eta": None}, "user_id": engineer},
    }
    for name, values in items.items():
        values["id"] = str(uuid.uuid4())
        execute(
            url, insert(m.Notification).values(**values, event_id=name, kind="ENGINEER_EN_ROUTE")
        )
    sent_body = "工程师正在前往您处，预计 10:00 到达。查看进度：" + URL + token["sent"]
    due_body = "工程师正在前往您处，预计 10:00 到达。查看进度：" + URL + token["due"]
    en_body = "Your engineer is on the way, expected at 10:00. Follow it: /t/" + token["en"]
    rows = {
        "sent": _delivery(
            OutboxStatus.DONE,
            "ENGINEER_EN_ROUTE",
            {"body": sent_body, "params": {"eta": "10:00", "tracking_url": URL + token["sent"]}},
        ),
        "due": _delivery(
            OutboxStatus.PENDING,
            "ENGINEER_EN_ROUTE",
            {"body": due_body, "params": {"eta": "10:00", "tracking_url": URL + token["due"]}},
        ),
        "en": _delivery(
            OutboxStatus.LEASED,
            "JOB_ASSIGNED",
            {"body": en_body, "locale": "en", "params": {"tracking_url": "/t/" + token["en"]}},
        ),
        "other": _delivery(
            OutboxStatus.PENDING, "LOW_SCORE", {"body": "see /t/short, /tickets/J1", "params": {}}
        ),
    }
    for row in rows.values():
        _insert_as_of(url, m.OutboxMessage, row)

    migrations.upgrade(url)
    # A second pass (the chain down and up again) finds nothing left to change.
    migrations.downgrade(url, BEFORE)
    migrations.upgrade(url)

    stored = dict(fetch(url, select(m.Notification.id, m.Notification.data)))
    assert stored[items["customer"]["id"]] == {"number": "J1", "eta": None}
    assert stored[items["engineer"]["id"]] == {"number": "J1", "eta": None}
    _title, body = render("ENGINEER_EN_ROUTE", stored[items["customer"]["id"]], "zh-CN")
    assert "/t/" not in body  # it reads as an item written today
    payloads = {
        row_id: (status, payload)
        for row_id, status, payload in fetch(
            url, select(m.OutboxMessage.id, m.OutboxMessage.status, m.OutboxMessage.payload)
        )
    }
    # Sent: the history keeps its words, with a token that opens nothing.
    status, sent = payloads[rows["sent"]["id"]]
    assert status is OutboxStatus.DONE
    assert sent["body"] == sent_body.replace(token["sent"], "[redacted]")
    assert sent["params"] == {"eta": "10:00", "tracking_url": URL + "[redacted]"}
    assert tracking_links.MARK not in sent
    # Not yet sent: the text without its link, and the worker's mark for a new one.
    for name in ("due", "en"):
        status, due = payloads[rows[name]["id"]]
        assert status is rows[name]["status"]
        assert "/t/" not in due["body"]
        assert due["params"].get("tracking_url") is None
        assert due[tracking_links.MARK] is True
    assert payloads[rows["due"]["id"]][1]["body"] == "工程师正在前往您处，预计 10:00 到达。"
    assert payloads[rows["en"]["id"]][1]["body"].endswith("expected at 10:00.")
    assert payloads[rows["other"]["id"]][1] == rows["other"]["payload"]  # not a link: kept
    everything = json.dumps([stored, [p for _s, p in payloads.values()]], ensure_ascii=False)
    assert not any(t in everything for t in token.values())
