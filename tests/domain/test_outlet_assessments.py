"""Service outlets: an assessment form filled with its period's own figures, and who may see
an outlet (on both engines, in a rolled-back transaction)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.domain.outlets_world import (
    SH,
    add_engineer,
    add_job,
    fixture,
    in_rollback,
)
from tests.factories import unique
from wellspring.domain.actor import Actor
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models import (
    Branch,
    FollowUp,
    Ticket,
)
from wellspring.domain.models.enums import (
    FollowUpStatus,
    TicketType,
)
from wellspring.domain.outlets import assessments, outlets, settlements


def test_the_assessment_form_is_filled_with_the_periods_own_figures(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        f = await fixture(session)
        day = dt.datetime(2026, 11, 5, 9, tzinfo=SH)
        hour = dt.timedelta(hours=1)
        # ticket A fixed in one visit, on time; ticket B needed two visits, the second late
        a = await add_job(
            session, f, f.engineer, TicketType.REPAIR, day, window_end=day, arrived=day - hour
        )
        b1 = await add_job(
            session, f, f.engineer, TicketType.REPAIR, day, window_end=day, arrived=day + hour
        )
        b_ticket = await session.get(Ticket, b1.ticket_id)
        await add_job(session, f, f.engineer, TicketType.REPAIR, day + 2 * hour, ticket=b_ticket)
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
        bj_engineer = await add_engineer(session, other.id)
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
