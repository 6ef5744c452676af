"""Generated ``openTicket`` requests from a signed-in customer: any type, ids of their own or
anybody's or none, any priority, duplicates, descriptions past the limit, recharges with any
plan, quantity, unit price and payment. The answer is a ticket or payload errors (or a
GraphQL validation error), never a 5xx nor an INTERNAL_ERROR.

``WELLSPRING_CUSTOMER_FUZZ_EXAMPLES`` scales the run (default 40).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.own_customer import OwnCustomer, own_customer
from tests.api.workflow_steps import ok, payload
from tests.conftest import GraphQL
from tests.factories import unique
from wellspring.domain.models.enums import Priority, TicketType
from wellspring.schema.core.ids import global_id

EXAMPLES = int(os.environ.get("WELLSPRING_CUSTOMER_FUZZ_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OPEN = """mutation($input: TicketOpenInput!) {
  openTicket(input: $input) {
    ticket { id priority description typeDetails { recharge { unitPrice { amount } } } }
    existingTicket { id }
    errors { field code message }
  }
}"""
ME: dict[str, OwnCustomer] = {}
NOBODY = global_id("Customer", str(uuid.uuid4()))  # well formed, nobody's
NOTHING = global_id("Device", str(uuid.uuid4()))

SCALARS = (
    st.none()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has no infinity
    | st.text(max_size=30)
    | st.booleans()
)
PRICES = st.decimals(-100, 10**6, places=2).map(str) | st.sampled_from(
    ["0", "-1", "1e9999", "NaN", "Infinity", "0.0000001", "", "abc"]
)


def _me(gql: GraphQL, database_url: str) -> OwnCustomer:
    """One customer (made once) in a province of its own with a monthly standard, so that
    generated recharges also reach the priced path."""
    if "me" not in ME:
        place = {"province": unique("省"), "city": "某市"}
        ME["me"] = own_customer(gql, database_url, province=place["province"], city=place["city"])
        standard = {"kind": "RECHARGE_MONTH", **place, "price": "30", "effectiveFrom": "2020-01-01"}
        ok(payload(gql, "UpsertPriceStandard", {"input": standard}, "hq"))
    return ME["me"]


def _mostly(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    """A valid-shaped value 19 times in 20, so most requests reach the use case; else
    anything JSON can carry."""
    return draw(SCALARS) if draw(st.integers(0, 19)) == 0 else draw(valid)


@st.composite
def requests(draw: st.DrawFn, me: OwnCustomer) -> dict[str, Any]:
    types = [t.value for t in TicketType]
    values: dict[str, Any] = {
        "type": _mostly(draw, st.sampled_from([*types, "RECHARGE", "RECHARGE", "REPAIR"])),
        "customerId": _mostly(draw, st.sampled_from([me.customer] * 4 + [None, NOBODY])),
        "deviceId": _mostly(draw, st.sampled_from([me.device] * 4 + [None, NOTHING])),
        "description": _mostly(
            draw, st.none() | st.text(max_size=50) | st.integers(1990, 2010).map(lambda n: "水" * n)
        ),
        "priority": _mostly(draw, st.none() | st.sampled_from([p.value for p in Priority])),
        "allowDuplicate": _mostly(draw, st.none() | st.booleans()),
    }
    if draw(st.booleans()):
        values["recharge"] = {
            "plan": _mostly(draw, st.sampled_from(["MONTHLY", "MONTHLY", "BUCKETS"])),
            "quantity": _mostly(draw, st.integers(-5, 200)),
            "unitPrice": _mostly(draw, st.none() | PRICES),
            "paymentMethod": _mostly(draw, st.sampled_from(["ONLINE", "ON_SITE"])),
        }
    return {k: v for k, v in values.items() if v is not None or draw(st.booleans())}


@SETTINGS
@given(data=st.data(), locale=st.sampled_from(["en", "zh-CN"]))
def test_a_customer_opening_tickets_never_fails(
    gql: GraphQL, database_url: str, data: st.DataObject, locale: str
) -> None:
    me = _me(gql, database_url)
    variables = {"input": data.draw(requests(me))}
    response = gql.post(OPEN, variables, as_user=me.username, locale=locale)
    assert response.status_code in (200, 400), response.text
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    assert "INTERNAL_ERROR" not in codes, body
    opened = (body.get("data") or {}).get("openTicket")
    answered = [e["code"] for e in (opened or {}).get("errors") or []]
    event("opened" if opened and opened["ticket"] else str(sorted(codes) or answered))
    if opened and opened["ticket"]:
        ticket = opened["ticket"]
        assert ticket["priority"] == "NORMAL"
        assert len(ticket["description"]) <= 2000
        recharge = ticket["typeDetails"]["recharge"]
        if recharge is not None:
            assert recharge["unitPrice"]["amount"] == "30.00"
