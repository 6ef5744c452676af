"""The inbox and push registration through the API, with the documents clients send."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from tests.conftest import GraphQL, run
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.notifications import routing

CLIENTS = Path(__file__).resolve().parents[2] / "clients" / "everyone"


def _doc(name: str) -> str:
    return (CLIENTS / f"{name}.graphql").read_text()


def test_a_customer_registers_a_phone_reads_and_clears_the_inbox(gql: GraphQL) -> None:
    token = f"fcm-{uuid.uuid4().hex}"
    register = _doc("RegisterPushDevice")
    given = {"provider": "FCM", "token": token, "platform": "ANDROID", "appId": "cn.ws.app"}
    body = gql.data(register, {"input": given}, as_user="customer-1", locale="zh-CN")
    device = body["registerPushDevice"]["device"]
    assert body["registerPushDevice"]["errors"] == []
    assert (device["provider"], device["tokenKind"], device["locale"]) == ("FCM", "TOKEN", "zh-CN")
    # An installation id instead of a token; both at once is refused.
    fid = {"provider": "FCM", "fid": f"fid-{uuid.uuid4().hex[:10]}", "platform": "IOS"}
    body = gql.data(register, {"input": fid}, as_user="tech-sh-1")
    assert body["registerPushDevice"]["device"]["tokenKind"] == "FID"
    both = {**given, "fid": "x"}
    body = gql.data(register, {"input": both}, as_user="customer-1")
    assert [e["code"] for e in body["registerPushDevice"]["errors"]] == ["PUSH_TOKEN_INVALID"]

    inbox = gql.data(_doc("MyNotifications"), {"first": 5}, as_user="customer-1")
    assert "edges" in inbox["myNotifications"]
    mark = _doc("MarkNotificationsRead")
    body = gql.data(mark, {"input": {}}, as_user="customer-1")
    assert [e["code"] for e in body["markNotificationsRead"]["errors"]] == ["NOTHING_TO_MARK"]
    body = gql.data(mark, {"input": {"all": True}}, as_user="customer-1")
    assert body["markNotificationsRead"]["errors"] == []
    assert body["markNotificationsRead"]["unreadCount"] == 0

    unregister = _doc("UnregisterPushDevice")
    forget = {"input": {"provider": "FCM", "token": token}}
    # Someone else's token is left alone, and looks like an unknown one.
    assert (
        gql.data(unregister, forget, as_user="tech-sh-1")["unregisterPushDevice"]["removed"]
        is False
    )
    assert (
        gql.data(unregister, forget, as_user="customer-1")["unregisterPushDevice"]["removed"]
        is True
    )
    assert (
        gql.data(unregister, forget, as_user="customer-1")["unregisterPushDevice"]["removed"]
        is False
    )


def test_a_user_mutes_non_essential_messages_and_routing_honours_it(
    gql: GraphQL, database_url: str
) -> None:
    read, change = _doc("MyNotificationPreferences"), _doc("SetNotificationPreferences")
    assert gql.data(read, {}, as_user="customer-1")["myNotificationPreferences"] == {
        "mutedNonEssential": False
    }
    body = gql.data(change, {"input": {"mutedNonEssential": True}}, as_user="customer-1")
    assert body["setNotificationPreferences"] == {
        "preferences": {"mutedNonEssential": True},
        "errors": [],
    }
    try:
        assert gql.data(read, {}, as_user="customer-1")["myNotificationPreferences"] == {
            "mutedNonEssential": True
        }
        # Only their own: another user is not muted.
        assert not gql.data(read, {}, as_user="tech-sh-1")["myNotificationPreferences"][
            "mutedNonEssential"
        ]
        # The fan-out sees it: a rating request still reaches the inbox, but is not pushed.
        told = run(_recipients(database_url, "JOB_COMPLETED"))
        assert told == {"customer-1": True}
        # Without a login, nothing (the API's own refusal, not a crash).
        anonymous = gql.post(read, {}).json()
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        gql.data(change, {"input": {"mutedNonEssential": False}}, as_user="customer-1")
    assert run(_recipients(database_url, "JOB_COMPLETED")) == {"customer-1": False}


async def _recipients(url: str, kind: str) -> dict[str, bool]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            customer = await session.scalar(
                select(m.User.customer_id).where(m.User.username == "customer-1")
            )
            found = await routing.recipients(session, {"kind": kind, "customer_id": customer})
            names = dict((await session.execute(select(m.User.id, m.User.username))).all())
            return {names[r.user_id]: r.muted_non_essential for r in found if r.user_id}
    finally:
        await engine.dispose()
