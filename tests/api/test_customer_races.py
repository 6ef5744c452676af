"""New customers of one phone made at once by different doors (a ticket for a new customer,
an import, an agent's registration): each waits for the other and sees the customer it made
(found by reading every decision read from a row and written back; each answered OK).

Made certain as in ``test_decision_races.py``; only PostgreSQL lets two writers overlap."""

from __future__ import annotations

import base64
import random
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.dealer_world import Tenants, tenants
from tests.api.held_writes import race
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import scalars, unique
from wellspring.domain.customers import customer_key
from wellspring.domain.db import one_at_a_time
from wellspring.domain.models import Branch, Customer
from wellspring.domain.models.enums import CustomerKind, OwnerKind

__all__ = ["tenants"]  # the dealers' fixture

pytestmark = pytest.mark.usefixtures("postgresql_only")


def _phone() -> str:
    return f"13{random.randrange(10**8, 10**9)}"


def _making(
    name: str, phone: str, branch_code: str = "SH"
) -> Callable[[AsyncSession], Awaitable[None]]:
    """A branch's new customer being made (a ticket for a new customer), not committed."""

    async def hold(session: AsyncSession) -> None:
        await one_at_a_time(session, customer_key(phone))
        branch = await session.scalar(select(Branch.id).where(Branch.code == branch_code))
        session.add(
            Customer(
                code=unique("C"), name=name, kind=CustomerKind.PERSON, phone=phone,
                owner_kind=OwnerKind.BRANCH, branch_id=branch,
            )
        )  # fmt: skip
        await session.flush()

    return hold


def _count(database_url: str, phone: str) -> int:
    found = select(func.count()).where(Customer.phone == phone, Customer.deleted_at.is_(None))
    return int(scalars(database_url, found)[0])


def test_an_imported_customer_made_meanwhile_by_a_ticket_is_not_made_twice(
    database_url: str, gql: GraphQL
) -> None:
    """The import's check of name and phone read before the ticket's customer committed: the
    company had two records of one customer, and later device rows naming that phone failed
    as ambiguous."""
    phone = _phone()
    rows = f"姓名,电话,省份,城市,区县,分公司\n王竞,{phone},上海市,上海市,黄浦区,SH\n"
    encoded = base64.b64encode(rows.encode()).decode()
    variables = {"input": {"kind": "CUSTOMERS", "fileName": "客户.csv", "content": encoded}}
    answer = race(database_url, gql, "hq", _making("王竞", phone), doc("StartImport"), variables)
    assert answer["data"]["startImport"]["errors"] == []
    assert _count(database_url, phone) == 1


def test_an_agent_registering_a_phone_another_owner_takes_meanwhile_is_refused(
    database_url: str, gql: GraphQL, tenants: Tenants
) -> None:
    """With ``allowDuplicate`` the agent's ticket skipped the phone's lock, so its check of
    other owners missed the branch's customer being made: the agent owned a phone another
    owner held, the poaching the check exists to refuse."""
    phone = _phone()
    place = dict(zip(("province", "city", "district"), tenants.place, strict=True))
    ticket = {"type": "INQUIRY", "allowDuplicate": True,
              "newCustomer": {"name": "王竞", "phone": phone, "address": place}}  # fmt: skip
    hold = _making("王竞", phone)
    answer = race(database_url, gql, tenants.general_login, hold, doc("OpenTicket"),
                  {"input": ticket})  # fmt: skip
    codes = [e["code"] for e in answer["data"]["openTicket"]["errors"]]
    assert codes == ["TERRITORY_CONFLICT"]
    owners = select(Customer.agent_id).where(Customer.phone == phone)
    assert scalars(database_url, owners) == [None]
