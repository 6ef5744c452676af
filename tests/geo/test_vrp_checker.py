"""The plan checker (``tests/geo/route_check.py``) on corrupted plans: a checker that cannot
fail proves nothing, so each kind of corruption must be caught."""

from __future__ import annotations

from dataclasses import replace

from tests.geo.route_check import check
from tests.geo.vrp_problems import (
    HOUR,
    line,
    lunch_problem,
    ordered_problem,
    solved,
    van,
)
from wellspring.geo.vrp import VrpJob, VrpProblem, VrpRoute, VrpSolution, solve


def with_route(solution: VrpSolution, route: VrpRoute) -> VrpSolution:
    others = tuple(r for r in solution.routes if r.vehicle_id != route.vehicle_id)
    return replace(solution, routes=(route, *others))


def test_checker_catches_two_swapped_stops() -> None:
    problem = ordered_problem()
    solution = solved(problem)
    (route,) = solution.routes
    stops = list(route.stops)
    stops[1], stops[2] = stops[2], stops[1]  # job 2 before job 3, times untouched
    found = check(problem, with_route(solution, replace(route, stops=tuple(stops))))
    assert any("before the previous stop is done" in v for v in found)


def test_checker_catches_swapped_jobs_with_consistent_times() -> None:
    # A subtler corruption: the order changed and the times recomputed by travel alone, so
    # only the windows are wrong.
    problem = ordered_problem()
    (route,) = solved(problem).routes
    start, first, second, third, end = route.stops
    arrival = start.arrival
    moved = [start]
    here = 0
    for stop in (second, first, third):
        assert stop.location is not None
        arrival += line(4)[here][stop.location]
        moved.append(replace(stop, arrival=arrival, waiting=0))
        arrival += stop.service
        here = stop.location
    moved.append(replace(end, arrival=arrival + line(4)[here][0]))
    corrupted = replace(route, stops=tuple(moved))
    found = check(problem, replace(solved(problem), routes=(corrupted,)))
    assert any("outside" in v and "job 2" in v for v in found)


def test_checker_catches_service_outside_the_window() -> None:
    problem = ordered_problem()
    solution = solved(problem)
    (route,) = solution.routes
    stops = list(route.stops)
    stops[-2] = replace(stops[-2], waiting=stops[-2].waiting + 2 * HOUR)  # job 1, too late
    stops[-1] = replace(stops[-1], arrival=stops[-1].arrival + 2 * HOUR)
    found = check(problem, with_route(solution, replace(route, stops=tuple(stops))))
    assert found == [
        f"vehicle 1: stop 3 (job 1): service starts at {stops[-2].arrival + stops[-2].waiting}, "
        f"outside [({13 * HOUR}, {14 * HOUR})]"
    ]


def test_checker_catches_an_arrival_faster_than_travel() -> None:
    problem = ordered_problem()
    solution = solved(problem)
    (route,) = solution.routes
    stops = list(route.stops)
    # Job 3 is 30 minutes out; arrive after one, and wait for the window as before.
    waiting = stops[1].arrival + stops[1].waiting - (stops[0].arrival + 60)
    stops[1] = replace(stops[1], arrival=stops[0].arrival + 60, waiting=waiting)
    found = check(problem, with_route(solution, replace(route, stops=tuple(stops))))
    assert any("needs 1800s of travel" in v for v in found)


def test_checker_catches_lost_and_duplicated_jobs() -> None:
    problem = ordered_problem()
    solution = solved(problem)
    (route,) = solution.routes
    stops = list(route.stops)
    lost = replace(route, stops=(stops[0], stops[1], stops[2], stops[4]))
    assert "job 1 is neither routed nor reported unassigned" in check(
        problem, with_route(solution, lost)
    )
    found = check(problem, replace(solution, unassigned=(1,)))
    assert "job 1 is both routed and reported unassigned" in found
    twice = replace(solution, routes=(route, replace(route, vehicle_id=2)))
    found = check(replace(problem, vehicles=(van(1), van(2))), twice)
    assert "job 3 is routed 2 times" in found


def test_checker_catches_a_missing_or_misplaced_break() -> None:
    problem = lunch_problem()
    solution = solved(problem)
    (route,) = solution.routes
    without = tuple(s for s in route.stops if s.kind != "break")
    found = check(problem, with_route(solution, replace(route, stops=without)))
    assert "vehicle 1: break 7 is not taken" in found
    early = tuple(
        replace(s, waiting=0, arrival=11 * HOUR) if s.kind == "break" else s for s in route.stops
    )
    found = check(problem, with_route(solution, replace(route, stops=early)))
    assert any("break 7 starts at 39600, outside" in v for v in found)


def test_checker_catches_capacity_skills_and_shift() -> None:
    problem = VrpProblem(
        jobs=(VrpJob(1, location=1, demand=6, skills=frozenset({3})),),
        vehicles=(van(capacity=5),),
        durations=line(2),
    )
    # Built by hand: no solver would produce it.
    plan = solve(replace(problem, jobs=(VrpJob(1, location=1),)))
    found = check(problem, plan)
    assert "vehicle 1: load 6 exceeds capacity 5" in found
    assert any("lacks skills [3]" in v for v in found)
    (route,) = plan.routes
    late_end = replace(route.stops[-1], arrival=18 * HOUR)
    found = check(
        replace(problem, jobs=(VrpJob(1, location=1),)),
        with_route(plan, replace(route, stops=(*route.stops[:-1], late_end))),
    )
    assert found == [f"vehicle 1: route ends at {18 * HOUR}, after its shift ({17 * HOUR})"]


def test_checker_catches_wrong_figures() -> None:
    problem = replace(ordered_problem(), distances=line(4, step=1000))
    solution = solved(problem)
    (route,) = solution.routes
    found = check(problem, with_route(solution, replace(route, distance=1, duration=2)))
    assert "vehicle 1: distance reported 1, expected 6000" in found
    assert "vehicle 1: travel time reported 2, expected 3600" in found
    stops = list(route.stops)
    stops[1] = replace(stops[1], distance=stops[1].distance + 1)
    found = check(problem, with_route(solution, replace(route, stops=tuple(stops))))
    assert found == ["vehicle 1: stop 1: cumulative distance 3001, expected 3000"]
