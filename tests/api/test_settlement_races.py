"""Decisions on one outlet settlement sent at once are taken one after the other: the
settlement is locked while it is decided. Ten confirmations at once were all recorded, and
adjustments at once each wrote the list over the other's, so all answered OK and all but
one were lost.

Each race is made certain as in ``test_lost_races.py``: another transaction holds the first
decision, uncommitted, until the request waits for it. Only PostgreSQL lets two writers
overlap (SQLite serialises them)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import SettlementStatus
from wellspring.schema.core.ids import global_id

pytestmark = pytest.mark.usefixtures("postgresql_only")


def _draft(gql: GraphQL, database_url: str) -> str:
    """A new outlet's draft settlement of a month (no jobs: it totals 0)."""
    branch = fetch(database_url, select(m.Branch.id).where(m.Branch.code == "SH"))[0][0]
    outlet = {"code": unique("OUT"), "name": "竞态网点", "branchId": global_id("Branch", branch)}
    made = ok(payload(gql, "UpsertServiceOutlet", {"input": outlet}, "clerk-sh"))["outlet"]
    month = {"outletId": made["id"], "month": "2026-10"}
    drafted = ok(payload(gql, "GenerateOutletSettlement", {"input": month}, "clerk-sh"))
    return str(drafted["settlement"]["id"])


def _month(database_url: str, settlement: str) -> dict[str, Any]:
    """GenerateOutletSettlement's variables for the settlement's outlet and month."""
    outlet, month = fetch(
        database_url,
        select(m.OutletSettlement.outlet_id, m.OutletSettlement.month).where(
            m.OutletSettlement.id == raw_id(settlement)
        ),
    )[0]
    return {"input": {"outletId": global_id("ServiceOutlet", outlet), "month": month}}


def _hold(settlement: str, **values: Any) -> Any:
    async def hold(session: AsyncSession) -> None:
        await session.execute(
            update(m.OutletSettlement)
            .where(m.OutletSettlement.id == raw_id(settlement))
            .values(**values)
        )

    return hold


def _codes(answer: dict[str, Any]) -> list[str]:
    (result,) = answer["data"].values()
    return [e["code"] for e in result["errors"]]


def test_a_confirmation_while_another_is_being_made_finds_it_confirmed(
    gql: GraphQL, database_url: str
) -> None:
    settlement = _draft(gql, database_url)
    hold = _hold(settlement, status=SettlementStatus.CONFIRMED)
    variables = {"input": {"id": settlement}}
    answer = race(database_url, gql, "hq", hold, doc("ConfirmOutletSettlement"), variables)
    assert _codes(answer) == ["SETTLEMENT_NOT_DRAFT"]


def test_a_recomputation_while_the_draft_is_being_confirmed_leaves_it_alone(
    gql: GraphQL, database_url: str
) -> None:
    settlement = _draft(gql, database_url)
    hold = _hold(settlement, status=SettlementStatus.CONFIRMED)
    variables = _month(database_url, settlement)
    answer = race(database_url, gql, "clerk-sh", hold, doc("GenerateOutletSettlement"), variables)
    assert _codes(answer) == ["SETTLEMENT_NOT_DRAFT"]


def test_a_payment_while_another_is_being_marked_finds_it_paid(
    gql: GraphQL, database_url: str
) -> None:
    settlement = _draft(gql, database_url)
    ok(payload(gql, "ConfirmOutletSettlement", {"input": {"id": settlement}}, "hq"))
    hold = _hold(settlement, status=SettlementStatus.PAID, payment_reference="BANK-1")
    variables = {"input": {"id": settlement, "reference": "BANK-2"}}
    answer = race(database_url, gql, "hq", hold, doc("MarkOutletSettlementPaid"), variables)
    assert _codes(answer) == ["SETTLEMENT_NOT_CONFIRMED"]
    reference = select(m.OutletSettlement.payment_reference).where(
        m.OutletSettlement.id == raw_id(settlement)
    )
    assert fetch(database_url, reference)[0][0] == "BANK-1"


def test_two_adjustments_at_once_are_both_kept(gql: GraphQL, database_url: str) -> None:
    settlement = _draft(gql, database_url)
    first = {"amount": "5.00", "reason": "先到", "by": None, "at": "2026-10-31T10:00:00+08:00"}
    hold = _hold(settlement, adjustments=[first])
    variables = {"input": {"id": settlement, "amount": "12.5", "reason": "夜间加班"}}
    answer = race(database_url, gql, "clerk-sh", hold, doc("AdjustOutletSettlement"), variables)
    assert _codes(answer) == []
    kept = fetch(
        database_url,
        select(m.OutletSettlement.adjustments).where(m.OutletSettlement.id == raw_id(settlement)),
    )[0][0]
    assert [a["reason"] for a in kept] == ["先到", "夜间加班"]
