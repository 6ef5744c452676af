"""OpenTicket for a "new" customer with the name and phone of one the caller can see answers
CUSTOMER_EXISTS with that customer, and creates nothing: the hotline typed a known customer
again, or the request was sent twice. The same phone under another name (a household) and
``allowDuplicate`` still create one; a customer the caller cannot see is neither named nor
hinted at."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.workflow_steps import doc, ids
from tests.conftest import GraphQL
from tests.factories import fetch, scalars
from wellspring.domain import models as m
from wellspring.domain.db import one_at_a_time
from wellspring.domain.models.enums import OwnerKind
from wellspring.i18n import message

ADDRESS = {"province": "上海市", "city": "上海市", "district": "徐汇区", "street": "漕河泾街道"}


def _phone() -> str:
    return f"13{random.randrange(10**8, 10**9)}"


def _inquiry(branch: str, name: str, phone: str, **extra: Any) -> dict[str, Any]:
    customer = {"name": name, "phone": phone, "address": ADDRESS}
    return {
        "input": {
            "type": "INQUIRY",
            "branchId": branch,
            "newCustomer": customer,
            "description": "咨询滤芯价格",
            **extra,
        }
    }


def _open(gql: GraphQL, variables: dict[str, Any], user: str, locale: str = "en") -> Any:
    data = gql.data(doc("OpenTicket"), variables, as_user=user, locale=locale)
    return data["openTicket"]


def _customers(database_url: str, phone: str) -> int:
    return int(scalars(database_url, select(func.count()).where(m.Customer.phone == phone))[0])


def test_a_known_customer_typed_again_is_named_and_nothing_is_created(
    gql: GraphQL, database_url: str
) -> None:
    o, phone = ids(database_url), _phone()
    first = _open(gql, _inquiry(o["SH"], "赵大海", phone), "hotline")
    assert first["errors"] == []
    tickets = scalars(database_url, select(func.count()).select_from(m.Ticket))[0]

    again = _open(gql, _inquiry(o["SH"], "赵大海", phone), "hotline", locale="zh-CN")
    assert again["ticket"] is None
    (error,) = again["errors"]
    assert (error["code"], error["field"]) == ("CUSTOMER_EXISTS", "newCustomer.phone")
    code = scalars(database_url, select(m.Customer.code).where(m.Customer.phone == phone))[0]
    assert error["message"] == message("CUSTOMER_EXISTS", "zh-CN", number=code)
    assert code in error["message"]
    assert "allowDuplicate" not in error["message"]  # no English in a Chinese answer
    existing = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Customer { code phone } } }",
        {"id": again["existingCustomer"]["id"]},
        as_user="hotline",
    )["node"]
    assert existing == {"code": code, "phone": phone}
    assert _customers(database_url, phone) == 1
    assert scalars(database_url, select(func.count()).select_from(m.Ticket))[0] == tickets

    household = _open(gql, _inquiry(o["SH"], "赵小河", phone), "hotline")
    assert household["errors"] == []
    anyway = _open(gql, _inquiry(o["SH"], "赵大海", phone, allowDuplicate=True), "hotline")
    assert anyway["errors"] == []
    assert _customers(database_url, phone) == 3


def test_a_customer_out_of_the_callers_scope_is_not_hinted_at(
    gql: GraphQL, database_url: str
) -> None:
    """A Beijing clerk registering a name and phone a Shanghai customer has gets a customer
    of their own branch: they may not learn of the other."""
    o = ids(database_url)
    name, phone = fetch(
        database_url,
        select(m.Customer.name, m.Customer.phone)
        .join(m.Branch, m.Branch.id == m.Customer.branch_id)
        .where(m.Branch.code == "SH", m.Customer.owner_kind == OwnerKind.BRANCH)
        .order_by(m.Customer.code)
        .limit(1),
    )[0]
    before = _customers(database_url, phone)
    opened = _open(gql, _inquiry(o["BJ"], name, phone), "clerk-bj")
    assert opened["errors"] == [], opened
    assert opened["existingCustomer"] is None
    assert _customers(database_url, phone) == before + 1


@pytest.mark.usefixtures("postgresql_only")
def test_two_calls_for_one_new_customer_at_once_create_one(gql: GraphQL, database_url: str) -> None:
    """The other transaction registers the customer first and holds the phone's lock: the
    call waits for it, then finds the customer (both used to create one)."""
    o, phone = ids(database_url), _phone()
    branch = scalars(database_url, select(m.Branch.id).where(m.Branch.code == "SH"))[0]

    async def hold(session: AsyncSession) -> None:
        await one_at_a_time(session, f"customer:{phone}")
        session.add(m.Customer(code=f"C-{phone}", name="钱多多", phone=phone, branch_id=branch))
        await session.flush()

    answer = race(
        database_url, gql, "hotline", hold, doc("OpenTicket"), _inquiry(o["SH"], "钱多多", phone)
    )
    assert [e["code"] for e in answer["data"]["openTicket"]["errors"]] == ["CUSTOMER_EXISTS"]
    assert _customers(database_url, phone) == 1
