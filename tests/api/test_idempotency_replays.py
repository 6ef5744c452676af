"""A retry with an ``idempotencyKey`` is answered as a fresh call would be allowed to be: the
role it has now, what it sees now (docs/api.md, "Retries"), and only while it is signed in;
and an input equal in meaning to the first (a default sent explicitly) is the same input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.own_customer import own_customer
from tests.api.stock_world import new_part, warehouse
from tests.api.workflow_steps import doc, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import make_user, raw_id, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import Role
from wellspring.schema.core.idempotent import fingerprint
from wellspring.schema.core.ids import global_id

PASSWORD = "password-123"


def send(gql: GraphQL, name: str, values: dict[str, Any], user: str) -> dict[str, Any]:
    data = gql.data(doc(name), {"input": values}, as_user=user)
    return dict(next(iter(data.values())))


def refused(gql: GraphQL, name: str, values: dict[str, Any], user: str) -> str:
    """The GraphQL error's code of a call refused outright (FORBIDDEN, UNAUTHENTICATED)."""
    body = gql.post(doc(name), {"input": values}, as_user=user).json()
    assert not (body.get("data") or {}).get(name[0].lower() + name[1:]), body
    return str(body["errors"][0]["extensions"]["code"])


def codes(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["errors"]]


def _clerk(gql: GraphQL, database_url: str) -> tuple[str, str]:
    """A new clerk of the Shanghai branch, signed in: (username, global id)."""
    name = make_user(database_url, role=Role.CLERK, password=PASSWORD, branch="SH")
    gql.sign_in(name, PASSWORD)
    user_id = scalars(database_url, select(m.User.id).where(m.User.username == name))[0]
    return name, global_id("User", user_id)


def _update(gql: GraphQL, user: str, **values: Any) -> None:
    ok(payload(gql, "UpdateUser", {"input": {"id": user, **values}}, "admin"))


def test_a_replay_is_answered_through_the_callers_role_and_scope_now(
    gql: GraphQL, database_url: str
) -> None:
    """A clerk moved to another branch no longer sees the first call's ticket or movement:
    the replay is NOT_FOUND, as the customer and the warehouse are to a fresh call; made a
    salesperson, who may not open tickets or move stock, it is FORBIDDEN as a fresh call is
    (whatever the input: a refused role learns nothing of its keys)."""
    clerk, clerk_id = _clerk(gql, database_url)
    customer = own_customer(gql, database_url).customer
    complaint = {
        "type": "COMPLAINT",
        "customerId": customer,
        "description": unique("内部投诉"),
        "idempotencyKey": unique("complaint"),
    }
    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": warehouse(database_url, "WH-SH"),
        "lines": [{"partId": global_id("Part", new_part(database_url)), "quantity": 2}],
        "idempotencyKey": unique("receipt"),
    }
    ticket = ok(send(gql, "OpenTicket", complaint, clerk))["ticket"]
    movement = ok(send(gql, "MoveStock", receipt, clerk))["movement"]
    assert send(gql, "OpenTicket", complaint, clerk)["ticket"]["id"] == ticket["id"]
    assert send(gql, "MoveStock", receipt, clerk)["movement"]["id"] == movement["id"]

    _update(gql, clerk_id, branchId=ids(database_url)["BJ"])
    fresh = {k: v for k, v in complaint.items() if k != "idempotencyKey"}
    assert codes(send(gql, "OpenTicket", fresh, clerk)) == [("customerId", "NOT_FOUND")]
    again = send(gql, "OpenTicket", complaint, clerk)
    assert (again["ticket"], codes(again)) == (None, [("idempotencyKey", "NOT_FOUND")])
    moved = send(gql, "MoveStock", receipt, clerk)
    assert (moved["movement"], codes(moved)) == (None, [("idempotencyKey", "NOT_FOUND")])

    _update(gql, clerk_id, role="SALES")
    assert refused(gql, "OpenTicket", fresh, clerk) == "FORBIDDEN"
    assert refused(gql, "OpenTicket", complaint, clerk) == "FORBIDDEN"
    assert refused(gql, "OpenTicket", {**complaint, "type": "INQUIRY"}, clerk) == "FORBIDDEN"
    assert refused(gql, "MoveStock", receipt, clerk) == "FORBIDDEN"

    # Back in Shanghai as a clerk, the key answers again: it was never spent.
    _update(gql, clerk_id, role="CLERK", branchId=ids(database_url)["SH"])
    assert send(gql, "OpenTicket", complaint, clerk)["ticket"]["id"] == ticket["id"]
    assert send(gql, "MoveStock", receipt, clerk)["movement"]["id"] == movement["id"]
    made = scalars(
        database_url,
        select(m.Ticket.id).where(m.Ticket.description == complaint["description"]),
    )
    assert len(made) == 1


def test_a_call_back_replayed_out_of_the_callers_branch_is_not_found(
    gql: GraphQL, database_url: str
) -> None:
    """A call back's attempt is seen with its missed call (a clerk's, their branch's)."""
    clerk, clerk_id = _clerk(gql, database_url)
    own = own_customer(gql, database_url)
    phone = scalars(
        database_url, select(m.Customer.phone).where(m.Customer.id == raw_id(own.customer))
    )
    called = {"callId": unique("scope"), "callerNumber": phone[0],
              "calledAt": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
    call = ok(payload(gql, "RecordMissedCall", {"input": called}, "hotline"))["missedCall"]
    attempt = {
        "missedCallId": call["id"],
        "outcome": "NO_ANSWER",
        "idempotencyKey": unique("callback"),
    }
    first = ok(send(gql, "RecordCallback", attempt, clerk))
    assert send(gql, "RecordCallback", attempt, clerk)["attempt"] == first["attempt"]
    _update(gql, clerk_id, branchId=ids(database_url)["BJ"])
    again = send(gql, "RecordCallback", attempt, clerk)
    assert (again["attempt"], codes(again)) == (None, [("idempotencyKey", "NOT_FOUND")])


def test_an_assessment_replayed_out_of_the_callers_branch_is_not_found(
    gql: GraphQL, database_url: str
) -> None:
    """An assessment is seen with its outlet (a clerk's, their branch's)."""
    clerk, clerk_id = _clerk(gql, database_url)
    outlet = {"code": unique("OUT"), "name": "范围网点", "branchId": ids(database_url)["SH"]}
    made = ok(payload(gql, "UpsertServiceOutlet", {"input": outlet}, clerk))["outlet"]
    assessment = {
        "outletId": made["id"],
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "scores": [{"criterion": "PUNCTUALITY", "score": 90}],
        "idempotencyKey": unique("assessment"),
    }
    first = ok(send(gql, "RecordOutletAssessment", assessment, clerk))["assessment"]
    assert send(gql, "RecordOutletAssessment", assessment, clerk)["assessment"] == first
    _update(gql, clerk_id, branchId=ids(database_url)["BJ"])
    again = send(gql, "RecordOutletAssessment", assessment, clerk)
    assert (again["assessment"], codes(again)) == (None, [("idempotencyKey", "NOT_FOUND")])


def test_a_signed_out_or_deactivated_user_cannot_replay(gql: GraphQL, database_url: str) -> None:
    """The token is checked against the session and the user at every request, a replay's
    too: an ended session or a deactivated login is UNAUTHENTICATED before any key is read."""
    clerk, clerk_id = _clerk(gql, database_url)
    inquiry = {
        "type": "INQUIRY",
        "customerId": own_customer(gql, database_url).customer,
        "idempotencyKey": unique("inquiry"),
    }
    ok(send(gql, "OpenTicket", inquiry, clerk))
    ended = gql.tokens[clerk]
    assert gql.data(doc("Logout"), token=ended)["logout"]["ok"] is True
    body = gql.post(doc("OpenTicket"), {"input": inquiry}, token=ended).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    gql.sign_in(clerk, PASSWORD)
    ok(payload(gql, "DeactivateUser", {"input": {"id": clerk_id}}, "admin"))
    for used in (ended, gql.tokens[clerk]):
        body = gql.post(doc("OpenTicket"), {"input": inquiry}, token=used).json()
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_input_equal_in_meaning_is_the_same_input(gql: GraphQL, database_url: str) -> None:
    """A default sent explicitly (priority NORMAL, bin GOOD, an empty description) changes
    nothing a call does, so it is the retry of the call that left it out; another value is
    another action."""
    inquiry = {
        "type": "INQUIRY",
        "customerId": own_customer(gql, database_url).customer,
        "idempotencyKey": unique("inquiry"),
    }
    first = ok(send(gql, "OpenTicket", inquiry, "hotline"))["ticket"]["id"]
    for same in ({"priority": "NORMAL"}, {"description": ""}, {"channel": "HOTLINE"}):
        assert ok(send(gql, "OpenTicket", {**inquiry, **same}, "hotline"))["ticket"]["id"] == first
    urgent = send(gql, "OpenTicket", {**inquiry, "priority": "URGENT"}, "hotline")
    assert codes(urgent) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]

    part = global_id("Part", new_part(database_url))
    receipt = {
        "kind": "RECEIPT",
        "toWarehouseId": warehouse(database_url, "WH-HQ"),
        "lines": [{"partId": part, "quantity": 3}],
        "idempotencyKey": unique("receipt"),
    }
    made = ok(send(gql, "MoveStock", receipt, "hq"))["movement"]["id"]
    good = {**receipt, "lines": [{"partId": part, "quantity": 3, "bin": "GOOD"}], "note": ""}
    assert ok(send(gql, "MoveStock", good, "hq"))["movement"]["id"] == made
    bad = {**receipt, "lines": [{"partId": part, "quantity": 3, "bin": "DEFECTIVE"}]}
    assert codes(send(gql, "MoveStock", bad, "hq")) == [
        ("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")
    ]


def test_a_fingerprint_is_the_meaning_not_the_spelling() -> None:
    """1.5 and 1.50 one price, an instant in any zone one instant, a null left out; a type
    it does not know is an error, never its repr (which could differ between two calls)."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=shanghai)
    assert fingerprint({"price": Decimal("1.5"), "at": at, "note": None}) == fingerprint(
        {"at": at.astimezone(dt.UTC), "price": Decimal("1.50")}
    )
    assert fingerprint({"price": Decimal("1.5")}) != fingerprint({"price": Decimal("1.05")})
    with pytest.raises(TypeError):
        fingerprint({"what": object()})
