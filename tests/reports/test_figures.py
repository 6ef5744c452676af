"""Every report's numbers against figures worked out by hand from tests/reports/world.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.reports.conftest import read
from tests.reports.world import World
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models.enums import Dissatisfaction, TicketType
from wellspring.domain.reports import accounts, engineers, repairs, satisfaction, service

NOV = {"first": dt.date(2026, 11, 1), "last": dt.date(2026, 11, 30)}
Env = tuple[str, World]


def run(env: Env, report: Any, who: str = "hq", **kw: Any) -> Any:
    url, world = env
    args = {"branch_id": None, **NOV, **kw}
    return read(url, lambda s: report(s, world.actors[who], **args))


def test_service_kpis_for_hq(reports_world: Env) -> None:
    k = run(reports_world, service.service_kpis)
    assert (k.opened, k.open, k.overdue) == (5, 2, 1)  # t1 t2 t3 t4 t6; t3 t6 open; t3 late
    assert (k.repairs_completed, k.fixed_first_time, k.first_time_fix_rate) == (2, 1, 0.5)
    assert (k.arrivals_measured, k.hours_to_arrival) == (2, 3.0)  # 2 h and 4 h
    assert (k.completions_measured, k.hours_to_completion) == (3, 24.7)  # 24, 48, 2 h
    assert (k.scores, k.csat, k.satisfied_rate) == (3, 3.67, 0.667)  # 5, 2, 4
    # November's missed calls, the unknown caller's included; October's left out
    assert (k.missed_calls, k.returned_calls, k.unreturned_calls) == (4, 1, 3)
    assert k.call_return_rate == 0.25


def test_service_kpis_for_a_clerk_and_an_agent(reports_world: Env) -> None:
    k = run(reports_world, service.service_kpis, "clerk")
    assert (k.opened, k.open, k.overdue) == (4, 2, 1)
    assert (k.repairs_completed, k.fixed_first_time, k.first_time_fix_rate) == (1, 1, 1.0)
    assert (k.hours_to_arrival, k.hours_to_completion) == (2.0, 13.0)
    assert (k.scores, k.csat, k.satisfied_rate) == (2, 4.5, 1.0)
    assert (k.missed_calls, k.returned_calls, k.call_return_rate) == (2, 1, 0.5)  # branch A
    g = run(reports_world, service.service_kpis, "agent")
    assert (g.missed_calls, g.call_return_rate) == (None, None)  # the company's hotline
    assert (g.opened, g.open, g.overdue, g.repairs_completed) == (2, 2, 1, 0)
    assert (g.first_time_fix_rate, g.csat, g.scores) == (None, None, 0)
    b = run(reports_world, service.service_kpis, branch_id=reports_world[1].ids["B"])
    assert (b.opened, b.repairs_completed, b.fixed_first_time, b.scores) == (1, 1, 0, 1)
    assert (b.missed_calls, b.returned_calls, b.call_return_rate) == (1, 0, 0.0)


def test_open_tickets_by_branch_and_type(reports_world: Env) -> None:
    ids = reports_world[1].ids
    rows = run(reports_world, service.open_tickets)
    got = {(r.branch_id, r.type, r.opened, r.open, r.overdue) for r in rows}
    assert got == {
        (ids["A"], TicketType.INSTALL, 1, 1, 1),
        (ids["A"], TicketType.RECHARGE, 1, 0, 0),
        (ids["A"], TicketType.REPAIR, 2, 1, 0),
        (ids["B"], TicketType.REPAIR, 1, 0, 0),
    }
    clerk = run(reports_world, service.open_tickets, "clerk")
    assert {r.branch_id for r in clerk} == {ids["A"]}


def test_repairs_and_parts(reports_world: Env) -> None:
    ids = reports_world[1].ids
    rows = run(reports_world, repairs.repairs_by_fault)
    assert {(r.fault_code, r.device_model_id, r.repairs) for r in rows} == {
        ("E01", ids["M1"], 1),
        ("E02", ids["M2"], 1),
    }
    parts = run(reports_world, repairs.parts_by_model)
    assert {(p.sku, p.device_model_id, p.quantity) for p in parts} == {
        ("RP1", ids["M1"], 1),  # 2 used, 1 reversed
        ("RP1", ids["M2"], 3),  # the October 9 are outside
    }
    assert run(reports_world, repairs.parts_by_model, "agent") == []


def test_cards_recharges_and_supply(reports_world: Env) -> None:
    ids = reports_world[1].ids
    cards = run(reports_world, accounts.cards)
    assert {(c.branch_id, c.opened, c.cancelled, c.active) for c in cards} == {
        (ids["A"], 1, 0, 2),
        (ids["B"], 0, 1, 0),
    }
    agent = run(reports_world, accounts.cards, "agent")
    assert [(c.opened, c.cancelled, c.active) for c in agent] == [(0, 0, 1)]
    recharges = run(reports_world, accounts.recharges)
    assert [(r.branch_id, r.plan, r.recharges, r.quantity, r.amount) for r in recharges] == [
        (ids["A"], "BUCKETS", 1, 12, Decimal("96.00"))
    ]
    expiring = run(reports_world, accounts.supply_expiring)
    assert [(e.branch_id, e.devices) for e in expiring] == [(ids["B"], 1)]
    assert run(reports_world, accounts.supply_expiring, "clerk") == []


def test_engineers(reports_world: Env) -> None:
    ids = reports_world[1].ids
    rows = {r.technician_id: r for r in run(reports_world, engineers.engineers)}
    one, two = rows[ids["T1"]], rows[ids["T2"]]
    assert (one.completed, one.failed, one.travel_km, one.hours_travelling) == (1, 0, 12.5, 1.0)
    assert (one.scores, one.average_score) == (1, 5.0)
    assert (two.completed, two.failed, two.travel_km, two.hours_travelling) == (1, 1, 3.0, 1.0)
    assert (two.scores, two.average_score) == (1, 2.0)
    clerk = run(reports_world, engineers.engineers, "clerk")
    assert [r.technician_id for r in clerk] == [ids["T1"]]


def test_follow_ups_by_month_in_shanghai_time(reports_world: Env) -> None:
    rows = run(reports_world, satisfaction.follow_ups_by_month, last=dt.date(2026, 12, 31))
    assert [r.month for r in rows] == ["2026-11", "2026-12"]
    nov, dec = rows
    assert (nov.scores, nov.average_score, nov.by_score) == (3, 3.67, {2: 1, 4: 1, 5: 1})
    assert nov.dissatisfaction == {Dissatisfaction.SLOW_REPAIR: 1}
    assert (dec.scores, dec.dissatisfaction) == (1, {Dissatisfaction.ATTITUDE: 1})


@pytest.mark.parametrize("who", ["technician", "customer", "sales"])
def test_engineers_customers_and_sales_are_refused(reports_world: Env, who: str) -> None:
    for report in (service.service_kpis, accounts.cards, satisfaction.follow_ups_by_month):
        with pytest.raises(PermissionDenied):
            run(reports_world, report, who)


def test_a_clerk_names_only_their_branch_and_ranges_are_checked(reports_world: Env) -> None:
    with pytest.raises(PermissionDenied):
        run(reports_world, service.service_kpis, "clerk", branch_id=reports_world[1].ids["B"])
    with pytest.raises(DomainError) as inverted:
        run(reports_world, service.service_kpis, first=dt.date(2026, 12, 1))
    assert inverted.value.code == "REPORT_RANGE_INVERTED"
    with pytest.raises(DomainError) as long:
        run(reports_world, service.service_kpis, first=dt.date(2025, 1, 1))
    assert long.value.code == "REPORT_RANGE_TOO_LONG"


def test_one_branch_narrows_every_family(reports_world: Env) -> None:
    ids = reports_world[1].ids
    b = {"branch_id": ids["B"]}
    assert [(c.opened, c.cancelled) for c in run(reports_world, accounts.cards, **b)] == [(0, 1)]
    assert [e.devices for e in run(reports_world, accounts.supply_expiring, **b)] == [1]
    assert [r.technician_id for r in run(reports_world, engineers.engineers, **b)] == [ids["T2"]]
    parts = run(reports_world, repairs.parts_by_model, **b)
    assert [(p.device_model_id, p.quantity) for p in parts] == [(ids["M2"], 3)]
