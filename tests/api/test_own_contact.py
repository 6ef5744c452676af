"""UpdateMyContact: a signed-in customer corrects their own phone and their primary
contact's name and phone. Only the company's staff could (UpdateCustomer), so a customer
who changed numbers had to call the hotline.

Phones are checked as OpenTicket and UpdateCustomer check them; the change is audited as the
desk's corrections are (``customer.updated``, each field before and after); addresses are not
theirs to change here (a move is a relocation ticket)."""

from __future__ import annotations

import os
import random
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.api.own_customer import OwnCustomer, own_customer
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id
from wellspring.domain import models as m

CUSTOMER_AS_STAFF = "query($id: ID!) { customer(id: $id) { phone contacts { name phone } } }"


def _phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def _update(gql: GraphQL, user: str, locale: str = "en", **fields: Any) -> Any:
    body = gql.post(doc("UpdateMyContact"), {"input": fields}, as_user=user, locale=locale).json()
    assert "errors" not in body, body
    return body["data"]["updateMyContact"]


def _changes(database_url: str, me: OwnCustomer) -> list[tuple[Any, Any]]:
    return list(
        fetch(
            database_url,
            select(m.AuditEntry.actor_id, m.AuditEntry.detail)
            .where(
                m.AuditEntry.action == "customer.updated",
                m.AuditEntry.entity_id == raw_id(me.customer),
            )
            .order_by(m.AuditEntry.at),
        )
    )


def test_a_customer_corrects_their_phone_and_contact_and_staff_see_it(
    gql: GraphQL, database_url: str
) -> None:
    me = own_customer(gql, database_url)
    old_phone = gql.data(CUSTOMER_AS_STAFF, {"id": me.customer}, as_user="hotline")["customer"]
    old_phone = old_phone["phone"]
    phone, contact_phone = _phone(), "021-64871234"
    done = _update(gql, me.username, contactName=" 周晓东 ", phone=f"+86 {phone}",
                   contactPhone=contact_phone)  # fmt: skip
    assert done["errors"] == []
    assert done["customer"]["phone"] == phone
    assert [(c["name"], c["phone"], c["isPrimary"]) for c in done["customer"]["contacts"]] == [
        ("周晓东", contact_phone, True)
    ]
    # The desk reads the same customer, and the change in its history, by the customer.
    staff = gql.data(CUSTOMER_AS_STAFF, {"id": me.customer}, as_user="hotline")["customer"]
    assert staff == {"phone": phone, "contacts": [{"name": "周晓东", "phone": contact_phone}]}
    ((actor, detail),) = _changes(database_url, me)
    user = fetch(database_url, select(m.User.id).where(m.User.username == me.username))[0][0]
    assert actor == user
    made_with = detail["changed"]["contact_name"][0]  # made without a contact: their own name
    assert detail == {"changed": {"phone": [old_phone, phone],
                                  "contact_name": [made_with, "周晓东"],
                                  "contact_phone": [None, contact_phone]}}  # fmt: skip
    # A field left out stays; the same values again change nothing and log nothing.
    again = _update(gql, me.username, contactName="周晓冬")
    assert again["customer"]["phone"] == phone
    assert again["customer"]["contacts"][0]["phone"] == contact_phone
    _update(gql, me.username, phone=phone)
    assert len(_changes(database_url, me)) == 2


def test_bad_values_are_refused_whole_with_the_desk_codes(gql: GraphQL, database_url: str) -> None:
    me = own_customer(gql, database_url)
    before = gql.data(CUSTOMER_AS_STAFF, {"id": me.customer}, as_user="hotline")["customer"]
    bad = _update(gql, me.username, locale="zh-CN", contactName="王五", phone="12345")
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("phone", "INVALID_PHONE")]
    assert "电话" in bad["errors"][0]["message"]
    assert bad["customer"] is None
    for fields, expected in (
        ({"contactPhone": "call me"}, ("contactPhone", "INVALID_PHONE")),
        ({"contactName": "  "}, ("contactName", "REQUIRED")),
        ({"contactName": "名" * 51}, ("contactName", "VALUE_TOO_LONG")),
        ({"phone": ""}, ("phone", "INVALID_PHONE")),
    ):
        errors = _update(gql, me.username, **fields)["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [expected]
    after = gql.data(CUSTOMER_AS_STAFF, {"id": me.customer}, as_user="hotline")["customer"]
    assert after == before
    assert _changes(database_url, me) == []


def test_only_a_customer_changes_their_own_contact(gql: GraphQL) -> None:
    for user in ("hotline", "tech-sh-1", "agent-1", "admin"):
        body = gql.post(doc("UpdateMyContact"), {"input": {"phone": _phone()}}, as_user=user)
        assert body.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", user
    # No address can be sent: the input has no such field.
    body = gql.post(doc("UpdateMyContact"), {"input": {"address": {"city": "北京市"}}},
                    as_user="customer-1")  # fmt: skip
    assert body.json()["errors"][0]["extensions"]["code"] == "VARIABLE_INVALID"


EXAMPLES = int(os.environ.get("WELLSPRING_OWN_CONTACT_EXAMPLES", "40"))
TEXT = st.text(max_size=40) | st.sampled_from(
    ["", " ", "+86 13912345678", "021-64871234", "010-12345678", "1" * 40, "名" * 60, "a" * 3000]
)
PHONES = st.from_regex(r"\A(\+86 ?)?1[3-9][0-9]{9}\Z") | TEXT
ANY = st.none() | st.integers() | st.floats(allow_nan=False) | st.booleans() | TEXT
ME: dict[str, OwnCustomer] = {}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), locale=st.sampled_from(["en", "zh-CN"]))
def test_generated_contact_changes_never_fail(
    gql: GraphQL, database_url: str, data: st.DataObject, locale: str
) -> None:
    """Any input: a changed customer or payload errors (or a validation error), never a 5xx
    nor an INTERNAL_ERROR; a phone kept is always one the desk's check accepts."""
    if "me" not in ME:
        ME["me"] = own_customer(gql, database_url)
    me = ME["me"]
    fields = {
        "contactName": data.draw(ANY | TEXT),
        "phone": data.draw(ANY | PHONES),
        "contactPhone": data.draw(ANY | PHONES),
    }
    fields = {k: v for k, v in fields.items() if data.draw(st.booleans())}
    response = gql.post(doc("UpdateMyContact"), {"input": fields}, as_user=me.username,
                        locale=locale)  # fmt: skip
    assert response.status_code in (200, 400), response.text
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    assert "INTERNAL_ERROR" not in codes, body
    answer = (body.get("data") or {}).get("updateMyContact")
    answered = [e["code"] for e in (answer or {}).get("errors") or []]
    event(str(sorted(c for c in codes if c) or answered or "changed"))
    if answer and answer["customer"] is not None:
        customer = answer["customer"]
        assert customer["phone"].isascii()
        assert len(customer["phone"]) <= 13
        for contact in customer["contacts"]:
            assert 0 < len(contact["name"]) <= 50
