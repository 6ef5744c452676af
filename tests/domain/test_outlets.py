"""Service outlets: the rate card, the figures of an assessment and a month's settlement,
checked against figures worked out by hand on a small fixture (in a rolled-back transaction,
on both engines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import run
from tests.factories import unique
from wellspring.domain.actor import Actor
from wellspring.domain.clock import FixedClock
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models import (
    Address,
    Branch,
    Customer,
    FollowUp,
    Job,
    Part,
    PriceStandard,
    StockEntry,
    Technician,
    Ticket,
    User,
    Warehouse,
)
from wellspring.domain.models.enums import (
    FollowUpStatus,
    JobStatus,
    LedgerKind,
    PriceKind,
    Role,
    SettlementStatus,
    StockBin,
    TicketStatus,
    TicketType,
)
from wellspring.domain.outlets import assessments, outlets, pricing, settlements

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
SH = dt.timezone(dt.timedelta(hours=8))


def in_rollback(url: str, body: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        engine = create_engine(url)
        try:
            factory = session_factory(engine, clock=FixedClock(NOW))
            async with factory() as session, session.begin():
                try:
                    return await body(session)
                finally:
                    await session.rollback()
        finally:
            await engine.dispose()

    return run(go())


@dataclass
class Fixture:
    hq: Actor
    clerk_sh: Actor
    clerk_bj: Actor
    engineer: Actor  # attached to the outlet
    stranger: Actor  # an engineer of the same branch, not attached
    outlet_id: str
    customer_id: str
    branch_id: str


async def _actor(session: AsyncSession, username: str) -> Actor:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one()
    tech = await session.scalar(select(Technician.id).where(Technician.user_id == user.id))
    return Actor(user.id, user.username, user.role, user.branch_id, technician_id=tech)


async def _engineer(session: AsyncSession, branch_id: str) -> Actor:
    user = User(
        username=unique("o"), display_name="网点工程师", password_hash="x", role=Role.TECHNICIAN
    )
    user.branch_id = branch_id
    session.add(user)
    await session.flush()
    tech = Technician(user_id=user.id, branch_id=branch_id)
    session.add(tech)
    await session.flush()
    return Actor(user.id, user.username, Role.TECHNICIAN, branch_id, technician_id=tech.id)


async def fixture(session: AsyncSession) -> Fixture:
    hq, clerk = await _actor(session, "hq"), await _actor(session, "clerk-sh")
    clerk_bj = await _actor(session, "clerk-bj")
    assert clerk.branch_id
    engineer = await _engineer(session, clerk.branch_id)
    stranger = await _engineer(session, clerk.branch_id)
    outlet = await outlets.upsert_outlet(
        session,
        clerk,
        change=outlets.OutletChange(
            code=unique("OUT"),
            name="浦东服务网点",
            branch_id=clerk.branch_id,
            email="pd@example.com",
            city="上海市",
            rate_card={"REPAIR": Decimal("80"), "INSTALL": Decimal("150.5")},
            technician_ids=[str(engineer.technician_id)],
        ),
    )
    customer = await session.scalar(
        select(Customer.id).where(Customer.branch_id == clerk.branch_id).limit(1)
    )
    assert customer
    return Fixture(hq, clerk, clerk_bj, engineer, stranger, outlet.id, customer, clerk.branch_id)


async def _job(
    session: AsyncSession,
    f: Fixture,
    tech: Actor,
    kind: TicketType,
    completed: dt.datetime,
    *,
    ticket: Ticket | None = None,
    window_end: dt.datetime | None = None,
    arrived: dt.datetime | None = None,
) -> Job:
    if ticket is None:
        ticket = Ticket(
            number=unique("T"),
            type=kind,
            status=TicketStatus.COMPLETED,
            customer_id=f.customer_id,
            branch_id=f.branch_id,
            created_by_id=f.hq.user_id,
        )
        session.add(ticket)
        await session.flush()
    job = Job(
        number=unique("J"),
        ticket_id=ticket.id,
        branch_id=f.branch_id,
        technician_id=tech.technician_id,
        status=JobStatus.COMPLETED,
        completed_at=completed,
        appointment_end=window_end,
        arrived_at=arrived,
    )
    session.add(job)
    await session.flush()
    return job


def test_a_months_settlement_is_jobs_by_rate_less_parts_plus_adjustments(
    database_url: str,
) -> None:
    async def body(session: AsyncSession) -> None:
        f = await fixture(session)
        nov = dt.datetime(2026, 11, 10, 10, tzinfo=SH)
        repair = await _job(session, f, f.engineer, TicketType.REPAIR, nov)
        await _job(session, f, f.engineer, TicketType.REPAIR, nov + dt.timedelta(days=5))
        await _job(session, f, f.engineer, TicketType.INSTALL, nov + dt.timedelta(days=6))
        await _job(session, f, f.engineer, TicketType.RELOCATE, nov)  # not on the card: 0
        # 1 Dec 00:30 Shanghai is still 30 Nov in UTC: December's, not November's
        await _job(
            session, f, f.engineer, TicketType.REPAIR, dt.datetime(2026, 12, 1, 0, 30, tzinfo=SH)
        )
        await _job(session, f, f.stranger, TicketType.REPAIR, nov)  # not the outlet's
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
            await _job(session, f, f.engineer, kind, at, ticket=ticket)

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


def test_the_assessment_form_is_filled_with_the_periods_own_figures(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        f = await fixture(session)
        day = dt.datetime(2026, 11, 5, 9, tzinfo=SH)
        hour = dt.timedelta(hours=1)
        # ticket A fixed in one visit, on time; ticket B needed two visits, the second late
        a = await _job(
            session, f, f.engineer, TicketType.REPAIR, day, window_end=day, arrived=day - hour
        )
        b1 = await _job(
            session, f, f.engineer, TicketType.REPAIR, day, window_end=day, arrived=day + hour
        )
        b_ticket = await session.get(Ticket, b1.ticket_id)
        await _job(session, f, f.engineer, TicketType.REPAIR, day + 2 * hour, ticket=b_ticket)
        for ticket_id, score in ((a.ticket_id, 5), (b1.ticket_id, 2)):
            session.add(
                FollowUp(ticket_id=ticket_id, status=FollowUpStatus.DONE, score=score, due_at=day)
            )
        await session.flush()
        form = await assessments.assessment_form(
            session,
            f.clerk_sh,
            outlet_id=f.outlet_id,
            start=dt.date(2026, 11, 1),
            end=dt.date(2026, 11, 30),
        )
        fig = form.figures
        # by hand: 3 jobs, 2 tickets, 1 fixed first time (0.5); 2 windows, 1 on time (0.5);
        # follow-ups 5 and 2: mean 3.50, i.e. 70 of 100
        assert (fig.jobs_completed, fig.tickets_completed, fig.fixed_first_time) == (3, 2, 1)
        assert fig.first_time_fix_rate == Decimal("0.5000")
        assert (fig.with_appointment, fig.on_time, fig.punctuality_rate) == (
            2,
            1,
            Decimal("0.5000"),
        )
        assert (fig.follow_ups, fig.follow_up_score) == (2, Decimal("3.50"))
        assert fig.suggested_scores() == {
            "FIRST_TIME_FIX": 50,
            "PUNCTUALITY": 50,
            "SATISFACTION": 70,
        }
        row = await assessments.record_assessment(
            session,
            f.clerk_sh,
            outlet_id=f.outlet_id,
            start=dt.date(2026, 11, 1),
            end=dt.date(2026, 11, 30),
            scores=[
                assessments.CriterionScore("PUNCTUALITY", 60),
                assessments.CriterionScore("服务态度", 91),
            ],
            comment="整体良好",
        )
        assert row.total_score == Decimal("75.50")
        assert row.figures["on_time"] == 1
        assert [r.id for r in await assessments.assessments_of(session, f.outlet_id)] == [row.id]
        for bad, code in (
            ([assessments.CriterionScore("X", 101)], "INVALID_SCORE"),
            (
                [assessments.CriterionScore("X", 1), assessments.CriterionScore("X", 2)],
                "INVALID_SCORE",
            ),
            ([], "REQUIRED"),
        ):
            with pytest.raises(DomainError) as refused:
                await assessments.record_assessment(
                    session,
                    f.clerk_sh,
                    outlet_id=f.outlet_id,
                    start=dt.date(2026, 11, 1),
                    end=dt.date(2026, 11, 30),
                    scores=bad,
                )
            assert refused.value.code == code
        with pytest.raises(DomainError) as period:
            await assessments.assessment_form(
                session,
                f.hq,
                outlet_id=f.outlet_id,
                start=dt.date(2026, 11, 2),
                end=dt.date(2026, 11, 1),
            )
        assert period.value.code == "ASSESSMENT_PERIOD_INVALID"
        with pytest.raises(DomainError) as foreign:  # another branch's clerk: not found
            await assessments.assessment_form(
                session,
                f.clerk_bj,
                outlet_id=f.outlet_id,
                start=dt.date(2026, 11, 1),
                end=dt.date(2026, 11, 2),
            )
        assert foreign.value.code == "NOT_FOUND"

    in_rollback(database_url, body)


def test_outlets_are_seen_by_hq_their_branch_and_their_own_engineers(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        f = await fixture(session)

        async def seen(actor: Actor) -> bool:
            page = await outlets.outlets_page(session, actor, search="浦东", first=100, after=None)
            return f.outlet_id in {o.id for o in page.items}

        assert [await seen(a) for a in (f.hq, f.clerk_sh, f.engineer, f.clerk_bj, f.stranger)] == [
            True,
            True,
            True,
            False,
            False,
        ]
        mine = await outlets.technicians_of(session, f.hq, f.outlet_id)
        assert [t.id for t in mine] == [f.engineer.technician_id]
        other = (
            await session.execute(select(Branch).where(Branch.id != f.branch_id).limit(1))
        ).scalar_one()
        bj_engineer = await _engineer(session, other.id)
        refusals = []
        for change in (
            outlets.OutletChange(id=f.outlet_id, technician_ids=[str(bj_engineer.technician_id)]),
            outlets.OutletChange(id=f.outlet_id, email="not-an-email"),
            outlets.OutletChange(id=f.outlet_id, rate_card={"WASH_CAR": Decimal("1")}),
            outlets.OutletChange(id=f.outlet_id, rate_card={"REPAIR": Decimal("-1")}),
            outlets.OutletChange(code="X", name="无分公司"),
        ):
            with pytest.raises(DomainError) as refused:
                async with session.begin_nested():
                    await outlets.upsert_outlet(session, f.hq, change=change)
            refusals.append(refused.value.code)
        assert refusals == [
            "TECHNICIAN_OTHER_BRANCH",
            "INVALID_EMAIL",
            "INVALID_RATE",
            "INVALID_RATE",
            "REQUIRED",
        ]
        with pytest.raises(PermissionDenied):  # a clerk edits only their branch's outlets
            await outlets.upsert_outlet(
                session,
                f.clerk_bj,
                change=outlets.OutletChange(code=unique("Q"), name="x", branch_id=f.branch_id),
            )
        edited = await outlets.upsert_outlet(
            session,
            f.hq,
            change=outlets.OutletChange(id=f.outlet_id, technician_ids=[], is_active=False),
        )
        assert not edited.is_active
        assert await outlets.technicians_of(session, f.hq, f.outlet_id) == []

    in_rollback(database_url, body)


def test_a_month_is_written_yyyy_mm() -> None:
    assert settlements.parse_month("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    for bad in ("2024-13", "24-01", "2024-1", "x", "1999-12"):
        with pytest.raises(DomainError):
            settlements.parse_month(bad)
