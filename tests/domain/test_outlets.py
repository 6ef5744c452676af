"""Service outlets: the rate card, the figures of an assessment and a month's settlement,
checked against figures worked out by hand on a small fixture (in a rolled-back transaction,
on both engines)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.domain.outlets_world import (
    NOW,
    SH,
    add_job,
    fixture,
    in_rollback,
)
from tests.factories import unique
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models import (
    Address,
    Part,
    PriceStandard,
    StockEntry,
    Ticket,
    Warehouse,
)
from wellspring.domain.models.enums import (
    LedgerKind,
    PriceKind,
    SettlementStatus,
    StockBin,
    TicketStatus,
    TicketType,
)
from wellspring.domain.outlets import outlets, pricing, settlements


def test_a_months_settlement_is_jobs_by_rate_less_parts_plus_adjustments(
    database_url: str,
) -> None:
    async def body(session: AsyncSession) -> None:
        f = await fixture(session)
        nov = dt.datetime(2026, 11, 10, 10, tzinfo=SH)
        repair = await add_job(session, f, f.engineer, TicketType.REPAIR, nov)
        await add_job(session, f, f.engineer, TicketType.REPAIR, nov + dt.timedelta(days=5))
        await add_job(session, f, f.engineer, TicketType.INSTALL, nov + dt.timedelta(days=6))
        await add_job(session, f, f.engineer, TicketType.RELOCATE, nov)  # not on the card: 0
        # 1 Dec 00:30 Shanghai is still 30 Nov in UTC: December's, not November's
        await add_job(
            session, f, f.engineer, TicketType.REPAIR, dt.datetime(2026, 12, 1, 0, 30, tzinfo=SH)
        )
        await add_job(session, f, f.stranger, TicketType.REPAIR, nov)  # not the outlet's
        part = (await session.execute(select(Part).limit(1))).scalar_one()
        part.list_price = Decimal("12.50")
        van = await session.scalar(select(Warehouse.id).limit(1))
        assert van
        session.add(
            StockEntry(
                warehouse_id=van,
                part_id=part.id,
                bin=StockBin.GOOD,
                delta=-2,
                kind=LedgerKind.CONSUMPTION,
                job_id=repair.id,
            )
        )
        await session.flush()
        row = await settlements.generate_settlement(
            session, f.clerk_sh, outlet_id=f.outlet_id, month="2026-11"
        )
        # by hand: 2 x 80 + 1 x 150.50 + 1 x 0 = 310.50; parts 2 x 12.50 = 25
        assert row.job_count == 4
        assert row.jobs_amount == Decimal("310.50")
        assert row.parts_amount == Decimal("25.00")
        assert row.total == Decimal("285.50")
        assert [(x["ticket_type"], x["jobs"], x["amount"], x["source"]) for x in row.lines] == [
            ("INSTALL", 1, "150.50", "RATE_CARD"),
            ("RELOCATE", 1, "0.00", "NONE"),  # no rate, no standard: flagged
            ("REPAIR", 2, "160.00", "RATE_CARD"),
        ]
        row = await settlements.adjust_settlement(
            session, f.clerk_sh, settlement_id=row.id, amount=Decimal("-20"), reason="迟到扣款"
        )
        assert (row.adjustments_amount, row.total) == (Decimal("-20.00"), Decimal("265.50"))
        # generating again recomputes the draft and keeps the adjustment
        again = await settlements.generate_settlement(
            session, f.clerk_sh, outlet_id=f.outlet_id, month="2026-11"
        )
        assert again.id == row.id
        assert again.total == Decimal("265.50")
        with pytest.raises(PermissionDenied):  # confirming and paying are HQ's
            await settlements.confirm_settlement(session, f.clerk_sh, settlement_id=row.id)
        with pytest.raises(DomainError) as unpriced:  # the RELOCATE job is priced by nothing
            await settlements.confirm_settlement(session, f.hq, settlement_id=row.id)
        assert (unpriced.value.code, unpriced.value.params) == ("SETTLEMENT_UNPRICED", {"count": 1})
        await settlements.confirm_settlement(
            session, f.hq, settlement_id=row.id, accept_unpriced=True
        )
        for late in (
            settlements.adjust_settlement(
                session, f.hq, settlement_id=row.id, amount=Decimal("5"), reason="x"
            ),
            settlements.generate_settlement(session, f.hq, outlet_id=f.outlet_id, month="2026-11"),
        ):
            with pytest.raises(DomainError) as refused:
                await late
            assert refused.value.code == "SETTLEMENT_NOT_DRAFT"
        paid = await settlements.mark_settlement_paid(
            session, f.hq, settlement_id=row.id, reference="BANK-1"
        )
        assert paid.status is SettlementStatus.PAID
        assert paid.paid_at == NOW
        with pytest.raises(DomainError) as twice:
            await settlements.mark_settlement_paid(session, f.hq, settlement_id=row.id)
        assert twice.value.code == "SETTLEMENT_NOT_CONFIRMED"
        # the outlet's engineer sees it; an engineer of no outlet and another branch do not
        for actor, seen in ((f.engineer, 1), (f.stranger, 0), (f.clerk_bj, 0)):
            page = await settlements.settlements_page(
                session, actor, outlet_id=None, month="2026-11", first=10, after=None
            )
            assert len([s for s in page.items if s.id == row.id]) == seen, actor.username

    in_rollback(database_url, body)


def test_a_type_missing_from_the_rate_card_takes_the_price_standard(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        f = await fixture(session)
        province, city, other = unique("省"), unique("市"), unique("市")

        async def located(kind: TicketType, at: dt.datetime, where: str) -> None:
            address = Address(
                customer_id=f.customer_id, province=province, city=where, district="区"
            )
            session.add(address)
            await session.flush()
            ticket = Ticket(
                number=unique("T"),
                type=kind,
                status=TicketStatus.COMPLETED,
                customer_id=f.customer_id,
                branch_id=f.branch_id,
                address_id=address.id,
                created_by_id=f.hq.user_id,
            )
            session.add(ticket)
            await session.flush()
            await add_job(session, f, f.engineer, kind, at, ticket=ticket)

        def standard(kind: PriceKind, price: str, where: str, start: int, end: int | None) -> Any:
            row = PriceStandard(kind=kind, province=province, city=where, price=Decimal(price))
            row.effective_from = dt.date(2026, 11, start)
            row.effective_to = dt.date(2026, 11, end) if end else None
            session.add(row)
            return row

        early = standard(PriceKind.SERVICE_UNINSTALL, "40", city, 1, 15)
        late = standard(PriceKind.SERVICE_UNINSTALL, "45", city, 15, None)
        provincial = standard(PriceKind.SERVICE_UNINSTALL, "30", "", 1, None)
        await session.flush()
        day = dt.datetime(2026, 11, 10, 10, tzinfo=SH)
        await located(TicketType.UNINSTALL, day, city)  # the city's first standard: 40
        await located(TicketType.UNINSTALL, day + dt.timedelta(days=1), city)  # 40
        # 15 Nov 07:00 Shanghai is still the 14th in UTC: the day is Shanghai's, so 45
        await located(TicketType.UNINSTALL, dt.datetime(2026, 11, 15, 7, tzinfo=SH), city)
        await located(TicketType.UNINSTALL, day, other)  # no city standard: the province's 30
        await located(TicketType.INSTALL, day, city)  # on the card: 150.50
        await located(TicketType.FILTER_CHANGE, day, city)  # no card rate, no fee kind: flagged
        row = await settlements.generate_settlement(
            session, f.clerk_sh, outlet_id=f.outlet_id, month="2026-11"
        )
        lines = [
            (
                x["ticket_type"],
                x["jobs"],
                x["rate"],
                x["amount"],
                x["source"],
                x["price_standard_id"],
            )
            for x in row.lines
        ]
        assert lines == [
            ("FILTER_CHANGE", 1, None, "0.00", "NONE", ""),
            ("INSTALL", 1, "150.50", "150.50", "RATE_CARD", ""),
            ("UNINSTALL", 1, "30.00", "30.00", "PRICE_STANDARD", provincial.id),
            ("UNINSTALL", 2, "40.00", "80.00", "PRICE_STANDARD", early.id),
            ("UNINSTALL", 1, "45.00", "45.00", "PRICE_STANDARD", late.id),
        ]
        # by hand: 150.50 + 30 + 80 + 45 = 305.50, and one job unpriced
        assert (row.job_count, row.jobs_amount) == (6, Decimal("305.50"))
        assert pricing.unpriced_jobs(row.lines) == 1
        # a rate on the card wins over the standard, from the next computation on
        await outlets.upsert_outlet(
            session,
            f.clerk_sh,
            change=outlets.OutletChange(
                id=f.outlet_id,
                rate_card={
                    "INSTALL": Decimal("150.5"),
                    "UNINSTALL": Decimal("50"),
                    "FILTER_CHANGE": Decimal("20"),
                },
            ),
        )
        again = await settlements.generate_settlement(
            session, f.clerk_sh, outlet_id=f.outlet_id, month="2026-11"
        )
        assert [(x["ticket_type"], x["jobs"], x["source"]) for x in again.lines] == [
            ("FILTER_CHANGE", 1, "RATE_CARD"),
            ("INSTALL", 1, "RATE_CARD"),
            ("UNINSTALL", 4, "RATE_CARD"),
        ]
        assert again.jobs_amount == Decimal("370.50")  # 20 + 150.50 + 4 x 50
        confirmed = await settlements.confirm_settlement(session, f.hq, settlement_id=again.id)
        assert confirmed.status is SettlementStatus.CONFIRMED

    in_rollback(database_url, body)
