"""What a signed-in customer may ask for themselves, found by an outside tester: the price of
their own water, the priority and duplicates of their own tickets, the length of a
description, and asking again and again to move a visit. Each as a fresh customer with a
login, through the GraphQL API, as the customer app sends it."""

from __future__ import annotations

from typing import Any

import pytest
from graphql_relay import from_global_id
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.own_customer import own_customer
from tests.api.workflow_steps import REPAIR_REPORT, appoint, doc, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.models.enums import Role, TicketType
from wellspring.domain.tracking import actions
from wellspring.schema.core.ids import global_id

OPEN = """mutation($input: TicketOpenInput!) {
  openTicket(input: $input) {
    ticket { id number type status priority description
             typeDetails { recharge { plan quantity unitPrice { amount } paymentMethod } } }
    existingTicket { id number status }
    errors { field code message }
  }
}"""


def open_as(gql: GraphQL, user: str, ticket: dict[str, Any]) -> dict[str, Any]:
    result = gql.data(OPEN, {"input": ticket}, as_user=user)["openTicket"]
    assert isinstance(result, dict)
    return result


def raw(gid: str) -> str:
    return str(from_global_id(gid)[1])


def tickets_on(database_url: str, device: str, type_: TicketType) -> int:
    return int(
        scalars(
            database_url,
            select(func.count(m.Ticket.id)).where(
                m.Ticket.device_id == raw(device), m.Ticket.type == type_
            ),
        )[0]
    )


def complete_visit(gql: GraphQL, database_url: str, ticket_id: str) -> None:
    """Approve, dispatch, appoint tech-sh-1 and walk the visit to its completion."""
    job_id, _start = appoint(gql, ids(database_url), ticket_id)
    for step in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, step, {"id": job_id}, "tech-sh-1"))
    ok(payload(gql, "CompleteJob", {"input": {"jobId": job_id, "report": {}}}, "tech-sh-1"))


def recharge(device: str, customer: str, **asked: Any) -> dict[str, Any]:
    return {
        "type": "RECHARGE",
        "customerId": customer,
        "deviceId": device,
        "allowDuplicate": True,
        "recharge": {"plan": "MONTHLY", "quantity": 2, "paymentMethod": "ONLINE", **asked},
    }


def test_a_customer_pays_the_standard_price_for_their_water(
    gql: GraphQL, database_url: str
) -> None:
    # A province of its own: no other test's standard is in the way.
    place = {"province": unique("省"), "city": "某市"}
    me = own_customer(gql, database_url, province=place["province"], city=place["city"])
    standard = {"kind": "RECHARGE_MONTH", **place, "price": "30.00", "effectiveFrom": "2020-01-01"}
    ok(payload(gql, "UpsertPriceStandard", {"input": standard}, "hq"))

    # The tester's request: a price of 0, and a duplicate passed. The standard is taken.
    opened = open_as(gql, me.username, recharge(me.device, me.customer, unitPrice="0"))
    assert opened["errors"] == []
    asked = opened["ticket"]["typeDetails"]["recharge"]
    assert asked["unitPrice"]["amount"] == "30.00"
    assert asked["quantity"] == 2
    complete_visit(gql, database_url, opened["ticket"]["id"])
    recorded = fetch(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "recharge.recorded", m.AuditEntry.entity_id == raw(me.device)
        ),
    )
    assert [d["amount"] for (d,) in recorded] == ["60.00"]
    priced = fetch(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "recharge.priced", m.AuditEntry.entity_id == raw(me.device)
        ),
    )
    assert [(d["unit_price"], d["unit_price_sent"]) for (d,) in priced] == [("30.00", "0")]

    # The app need not send a price at all.
    again = open_as(gql, me.username, recharge(me.device, me.customer))
    assert again["errors"] == []
    assert again["ticket"]["typeDetails"]["recharge"]["unitPrice"]["amount"] == "30.00"

    # Staff keep entering the price they took, and must give one.
    staff = recharge(me.device, me.customer, unitPrice="25.50")
    taken = ok(payload(gql, "OpenTicket", {"input": staff}, "hotline"))["ticket"]
    details = fetch(database_url, select(m.Ticket.details).where(m.Ticket.id == raw(taken["id"])))
    assert details[0][0]["recharge"]["unit_price"] == "25.50"
    unpriced = payload(gql, "OpenTicket", {"input": recharge(me.device, me.customer)}, "hotline")
    assert [(e["field"], e["code"]) for e in unpriced["errors"]] == [
        ("recharge.unitPrice", "REQUIRED")
    ]


def test_without_a_standard_a_customer_recharge_is_refused_not_priced_by_them(
    gql: GraphQL, database_url: str
) -> None:
    me = own_customer(gql, database_url, province=unique("省"), city="无价市")
    for sent in ({"unitPrice": "0"}, {"unitPrice": "50"}, {}):
        refused = open_as(gql, me.username, recharge(me.device, me.customer, **sent))
        assert refused["ticket"] is None
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [
            ("recharge", "RECHARGE_PRICE_UNAVAILABLE")
        ]
    assert tickets_on(database_url, me.device, TicketType.RECHARGE) == 0
    zh = gql.post(
        OPEN, {"input": recharge(me.device, me.customer)}, as_user=me.username, locale="zh-CN"
    ).json()["data"]["openTicket"]["errors"][0]["message"]
    assert zh == "水机所在地暂无包月供水的标准价格，请致电客服充值。"


def test_a_customer_neither_jumps_the_queue_nor_floods_the_desk(
    gql: GraphQL, database_url: str
) -> None:
    me = own_customer(gql, database_url)
    repair = {
        "type": "REPAIR",
        "customerId": me.customer,
        "deviceId": me.device,
        "description": "不出水",
        "priority": "URGENT",
        "allowDuplicate": True,
    }
    first = open_as(gql, me.username, repair)
    assert first["errors"] == []
    assert first["ticket"]["priority"] == "NORMAL"
    # The same request again gets the open ticket back, not a second one.
    for _ in range(3):
        again = open_as(gql, me.username, repair)
        assert again["ticket"] is None
        assert [e["code"] for e in again["errors"]] == ["DUPLICATE_OPEN_TICKET"]
        assert again["existingTicket"]["id"] == first["ticket"]["id"]
    assert tickets_on(database_url, me.device, TicketType.REPAIR) == 1

    # Staff still choose the priority and may pass a duplicate.
    staff = ok(payload(gql, "OpenTicket", {"input": repair}, "hotline"))["ticket"]
    assert staff["priority"] == "URGENT"
    assert tickets_on(database_url, me.device, TicketType.REPAIR) == 2


def test_a_ticket_description_has_a_limit_for_everyone(gql: GraphQL, database_url: str) -> None:
    me = own_customer(gql, database_url)
    inquiry = {"type": "INQUIRY", "customerId": me.customer, "allowDuplicate": True}
    for user in (me.username, "hotline"):
        long = open_as(gql, user, {**inquiry, "description": "漏" * 2001})
        assert long["ticket"] is None
        assert [(e["field"], e["code"]) for e in long["errors"]] == [
            ("description", "VALUE_TOO_LONG")
        ]
    kept = open_as(gql, me.username, {**inquiry, "description": "漏" * 2000})
    assert kept["errors"] == []
    assert kept["ticket"]["description"] == "漏" * 2000
    stored = scalars(
        database_url,
        select(func.count(m.Ticket.id)).where(m.Ticket.customer_id == raw(me.customer)),
    )
    assert stored == [1]


def ask(gql: GraphQL, user: str, ticket_id: str, kind: str, note: str = "") -> dict[str, Any]:
    variables = {"input": {"ticketId": ticket_id, "kind": kind, "note": note}}
    result = gql.data(doc("RequestVisitChange"), variables, as_user=user)["requestVisitChange"]
    assert result["errors"] == [], result["errors"]
    return dict(result["visit"])


def asks(database_url: str, ticket_id: str) -> list[tuple[str, str, str]]:
    """The visit's inquiries: (kind, status, description), oldest first."""
    rows = fetch(
        database_url,
        select(m.Ticket.details, m.Ticket.status, m.Ticket.description)
        .where(m.Ticket.linked_ticket_id == raw(ticket_id))
        .order_by(m.Ticket.created_at, m.Ticket.id),
    )
    return [(d["visit_request"], str(s), text) for d, s, text in rows]


def test_asking_again_to_reschedule_opens_no_other_inquiry(gql: GraphQL, database_url: str) -> None:
    me = own_customer(gql, database_url)
    repair = {"type": "REPAIR", "customerId": me.customer, "deviceId": me.device}
    visit = ok(payload(gql, "OpenTicket", {"input": repair}, "hotline"))["ticket"]["id"]
    job_id, _start = appoint(gql, ids(database_url), visit)

    first = ask(gql, me.username, visit, "RESCHEDULE", "明天下午")
    assert first["changeRequested"] == ["RESCHEDULE"]
    assert first["canRequestChange"] is True  # a cancellation may still be asked
    for note in ("明天下午", "", "周六也行", "周六也行"):
        assert ask(gql, me.username, visit, "RESCHEDULE", note)["changeRequested"] == ["RESCHEDULE"]
    ((kind, status, text),) = asks(database_url, visit)
    assert (kind, status) == ("RESCHEDULE", "CREATED")
    assert text.count("明天下午") == 1
    assert text.count("周六也行") == 1
    both = ask(gql, me.username, visit, "CANCEL")
    assert both["changeRequested"] == ["RESCHEDULE", "CANCEL"]
    assert both["canRequestChange"] is False
    tracked = gql.data(doc("VisitTracking"), {"ticketId": visit}, as_user=me.username)
    assert tracked["visitTracking"]["changeRequested"] == ["RESCHEDULE", "CANCEL"]

    # The visit is done: what was asked of it is over too, and says why.
    for step in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, step, {"id": job_id}, "tech-sh-1"))
    done = {"input": {"jobId": job_id, "report": REPAIR_REPORT}}
    ok(payload(gql, "CompleteJob", done, "tech-sh-1"))
    assert [(k, s) for k, s, _ in asks(database_url, visit)] == [
        ("RESCHEDULE", "CANCELLED"),
        ("CANCEL", "CANCELLED"),
    ]
    number = scalars(database_url, select(m.Ticket.number).where(m.Ticket.id == raw(visit)))[0]
    reasons = scalars(
        database_url,
        select(m.Ticket.status_reason).where(m.Ticket.linked_ticket_id == raw(visit)),
    )
    assert reasons == [f"@VISIT_ENDED:{number}"] * 2


def test_an_answered_ask_may_be_asked_again_and_a_cancelled_visit_ends_its_asks(
    gql: GraphQL, database_url: str
) -> None:
    me = own_customer(gql, database_url)
    repair = {"type": "REPAIR", "customerId": me.customer, "deviceId": me.device}
    visit = ok(payload(gql, "OpenTicket", {"input": repair}, "hotline"))["ticket"]["id"]
    ask(gql, me.username, visit, "RESCHEDULE", "下午")
    (inquiry,) = scalars(
        database_url, select(m.Ticket.id).where(m.Ticket.linked_ticket_id == raw(visit))
    )
    inquiry_id = global_id("Ticket", inquiry)
    ok(payload(gql, "ApproveTicket", {"id": inquiry_id}, "hotline"))
    ok(payload(gql, "ResolveTicket", {"id": inquiry_id, "resolution": "已改约"}, "hotline"))
    # Answered at the desk: a new ask is a new inquiry.
    assert ask(gql, me.username, visit, "RESCHEDULE", "还是不行")["changeRequested"] == [
        "RESCHEDULE"
    ]
    assert [s for _, s, _ in asks(database_url, visit)] == ["FOLLOW_UP_DUE", "CREATED"]
    ok(payload(gql, "CancelTicket", {"id": visit, "reason": "客户取消"}, "hotline"))
    # The answered one waits for its call back; the waiting one ends with the visit.
    assert [s for _, s, _ in asks(database_url, visit)] == ["FOLLOW_UP_DUE", "CANCELLED"]


@pytest.mark.usefixtures("postgresql_only")
def test_two_asks_at_once_open_one_inquiry(gql: GraphQL, database_url: str) -> None:
    """While another ask of the visit is written and not yet committed, a second waits for it
    and answers with its inquiry (it read none and opened a second one)."""
    me = own_customer(gql, database_url)
    repair = {"type": "REPAIR", "customerId": me.customer, "deviceId": me.device}
    visit = ok(payload(gql, "OpenTicket", {"input": repair}, "hotline"))["ticket"]["id"]
    user_id = scalars(database_url, select(m.User.id).where(m.User.username == me.username))[0]
    actor = Actor(
        user_id=user_id, username=me.username, role=Role.CUSTOMER, customer_id=raw(me.customer)
    )

    async def hold(session: AsyncSession) -> None:
        ticket = await session.get_one(m.Ticket, raw(visit))
        await actions.request_change(
            session, actor, ticket, kind=actions.ChangeKind.RESCHEDULE, note="上午"
        )
        await session.flush()

    variables = {"input": {"ticketId": visit, "kind": "RESCHEDULE", "note": "下午"}}
    answer = race(database_url, gql, me.username, hold, doc("RequestVisitChange"), variables)
    assert answer["data"]["requestVisitChange"]["errors"] == []
    ((kind, status, text),) = asks(database_url, visit)
    assert (kind, status) == ("RESCHEDULE", "CREATED")
    assert "上午" in text
    assert "补充：下午" in text


def test_a_customer_never_reads_the_staffs_own_words_for_a_cancel(
    gql: GraphQL, database_url: str
) -> None:
    """A hotline's cancel reason reached the customer word for word ("内部备注：客户是老赖…").
    The customer reads that it was cancelled; the reasons the system writes still show."""
    me = own_customer(gql, database_url)
    asked = {"type": "REPAIR", "customerId": me.customer, "deviceId": me.device}
    opened = open_as(gql, me.username, {**asked, "description": "不出水"})
    assert opened["errors"] == []
    ticket = opened["ticket"]["id"]
    note = "内部备注：客户难沟通"
    cancelled = payload(gql, "CancelTicket", {"id": ticket, "reason": note}, "hotline")
    assert cancelled["errors"] == []
    read = "query($id: ID!) { ticket(id: $id) { status statusReason history { to reason } } }"
    mine = gql.data(read, {"id": ticket}, as_user=me.username)["ticket"]
    assert mine["status"] == "CANCELLED"
    assert mine["statusReason"] == ""
    assert [h["reason"] for h in mine["history"]] == [""] * len(mine["history"])
    staff = gql.data(read, {"id": ticket}, as_user="hotline")["ticket"]
    assert staff["statusReason"] == note
    assert staff["history"][-1]["reason"] == note
