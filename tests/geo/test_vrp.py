"""The VROOM wrapper on small hand-made problems, and the plan checker that judges it.

Every solved plan goes through ``route_check.check``; the checker is itself tested on
corrupted plans, since a checker that cannot fail proves nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.geo.route_check import check
from wellspring.geo.vrp import (
    VrpBreak,
    VrpInputError,
    VrpJob,
    VrpProblem,
    VrpRoute,
    VrpSolution,
    VrpVehicle,
    explain_unassigned,
    solve,
)

HOUR = 3600
MINUTE = 60
SHIFT = (8 * HOUR, 17 * HOUR)
SOLOMON = Path(__file__).resolve().parents[3] / "shared" / "bench" / "solomon"


def line(places: int, step: int = 10 * MINUTE) -> list[list[int]]:
    """Places 0..n-1 on a road, ``step`` seconds apart; place 0 is the depot."""
    return [[abs(a - b) * step for b in range(places)] for a in range(places)]


def van(vehicle_id: int = 1, **kw: object) -> VrpVehicle:
    fields: dict[str, object] = {"start": 0, "end": 0, "time_window": SHIFT} | kw
    return VrpVehicle(id=vehicle_id, **fields)  # type: ignore[arg-type]


def solved(problem: VrpProblem, **kw: object) -> VrpSolution:
    """Solve and insist that the plan is valid."""
    solution = solve(problem, exploration_level=2, **kw)  # type: ignore[arg-type]
    assert check(problem, solution) == []
    return solution


def route_of(solution: VrpSolution, vehicle_id: int) -> VrpRoute:
    return next(r for r in solution.routes if r.vehicle_id == vehicle_id)


def job_order(route: VrpRoute) -> list[int | None]:
    return [s.id for s in route.stops if s.kind == "job"]


# -- the solver through the wrapper ------------------------------------------------------------


def ordered_problem() -> VrpProblem:
    """On the road the natural order is 1, 2, 3; the windows demand 3, 2, 1."""
    return VrpProblem(
        jobs=(
            VrpJob(1, location=1, service=15 * MINUTE, time_windows=((13 * HOUR, 14 * HOUR),)),
            VrpJob(2, location=2, service=15 * MINUTE, time_windows=((11 * HOUR, 12 * HOUR),)),
            VrpJob(3, location=3, service=15 * MINUTE, time_windows=((9 * HOUR, 10 * HOUR),)),
        ),
        vehicles=(van(),),
        durations=line(4),
    )


def test_time_windows_force_the_order() -> None:
    solution = solved(ordered_problem())
    assert solution.unassigned == ()
    (route,) = solution.routes
    assert job_order(route) == [3, 2, 1]
    kinds = [s.kind for s in route.stops]
    assert kinds == ["start", "job", "job", "job", "end"]
    for stop in route.stops[1:-1]:  # service starts inside the job's window
        (window,) = next(j.time_windows for j in ordered_problem().jobs if j.id == stop.id)
        assert window[0] <= stop.arrival + stop.waiting <= window[1]
    assert route.duration == 6 * 10 * MINUTE  # out to 3 and back: travel only


def test_a_job_goes_to_the_only_vehicle_with_its_skills() -> None:
    # Vehicle 1 starts right at the job; only vehicle 2, far away, has skill 2.
    problem = VrpProblem(
        jobs=(VrpJob(10, location=1, skills=frozenset({2}), service=30 * MINUTE),),
        vehicles=(
            van(1, start=1, end=1, skills=frozenset({1})),
            van(2, start=4, end=4, skills=frozenset({1, 2})),
        ),
        durations=line(5),
    )
    solution = solved(problem)
    assert [r.vehicle_id for r in solution.routes] == [2]
    assert job_order(route_of(solution, 2)) == [10]


def lunch_problem() -> VrpProblem:
    lunch = VrpBreak(id=7, time_windows=((12 * HOUR, 13 * HOUR),), service=HOUR)
    return VrpProblem(
        jobs=tuple(VrpJob(n, location=n, service=HOUR) for n in range(1, 7)),
        vehicles=(van(breaks=(lunch,)),),
        durations=line(7),
    )


def test_a_lunch_break_is_taken_inside_its_window() -> None:
    solution = solved(lunch_problem())
    assert solution.unassigned == ()
    (route,) = solution.routes
    breaks = [s for s in route.stops if s.kind == "break"]
    assert len(breaks) == 1
    (lunch,) = breaks
    assert lunch.id == 7
    assert lunch.location is None
    assert lunch.service == HOUR
    assert 12 * HOUR <= lunch.arrival + lunch.waiting <= 13 * HOUR


def test_a_job_outside_every_shift_is_unassigned() -> None:
    evening = VrpJob(5, location=1, service=HOUR, time_windows=((20 * HOUR, 21 * HOUR),))
    problem = VrpProblem(
        jobs=(VrpJob(1, location=2), evening), vehicles=(van(1), van(2)), durations=line(3)
    )
    solution = solved(problem)
    assert solution.unassigned == (5,)
    assert explain_unassigned(problem, 5) == "OUTSIDE_SHIFTS"


def test_a_job_that_leaves_no_time_to_get_back_is_outside_shifts() -> None:
    # Its window is inside the shift, but after an hour's service the drive back (40 min)
    # ends after 17:00.
    late = VrpJob(1, location=4, service=HOUR, time_windows=((16 * HOUR, 16 * HOUR + 30),))
    problem = VrpProblem(jobs=(late,), vehicles=(van(),), durations=line(5))
    assert solved(problem).unassigned == (1,)
    assert explain_unassigned(problem, 1) == "OUTSIDE_SHIFTS"
    # Without a depot to return to it fits.
    open_end = replace(problem, vehicles=(van(end=None),))
    assert solved(open_end).unassigned == ()


def test_a_job_nobody_is_skilled_for_is_unassigned() -> None:
    problem = VrpProblem(
        jobs=(VrpJob(1, location=1), VrpJob(2, location=2, skills=frozenset({1, 9}))),
        vehicles=(van(1, skills=frozenset({1})), van(2, skills=frozenset({9}))),
        durations=line(3),
    )
    solution = solved(problem)
    assert solution.unassigned == (2,)
    assert explain_unassigned(problem, 2) == "NO_SKILLED_VEHICLE"


def test_when_the_day_is_full_the_rest_is_no_capacity() -> None:
    # Nine hours of shift, twelve jobs of an hour each close to the depot.
    problem = VrpProblem(
        jobs=tuple(VrpJob(n, location=1 + n % 2, service=HOUR) for n in range(12)),
        vehicles=(van(),),
        durations=line(3, step=5 * MINUTE),
    )
    solution = solved(problem)
    assert len(solution.unassigned) == 4
    assert {explain_unassigned(problem, j) for j in solution.unassigned} == {"NO_CAPACITY"}


def test_demand_beyond_capacity_is_no_capacity() -> None:
    problem = VrpProblem(
        jobs=tuple(VrpJob(n, location=n, demand=5) for n in (1, 2, 3)),
        vehicles=(van(capacity=10),),
        durations=line(4),
    )
    solution = solved(problem)
    assert len(solution.unassigned) == 1
    assert explain_unassigned(problem, solution.unassigned[0]) == "NO_CAPACITY"


def test_higher_priority_is_kept_first() -> None:
    # Room for one job: the far one wins on priority, the near one would win on cost.
    problem = VrpProblem(
        jobs=(VrpJob(1, location=1, demand=1), VrpJob(2, location=4, demand=1, priority=50)),
        vehicles=(van(capacity=1),),
        durations=line(5),
    )
    assert solved(problem).unassigned == (1,)


def test_the_solver_minimizes_costs_when_given() -> None:
    # Room for one job. By time the near one (place 1) is cheaper; the cost matrix makes
    # place 2 cheaper (a toll road to 1, say).
    durations = line(3)
    costs = [[0, 900, 100], [900, 0, 100], [100, 100, 0]]
    jobs = (VrpJob(1, location=1, demand=1), VrpJob(2, location=2, demand=1))
    by_time = VrpProblem(jobs=jobs, vehicles=(van(capacity=1),), durations=durations)
    assert solved(by_time).unassigned == (2,)
    by_cost = replace(by_time, costs=costs)
    solution = solved(by_cost)
    assert solution.unassigned == (1,)
    assert solution.cost == 200  # out to 2 and back on the cost matrix


def test_distances_are_reported_per_stop_and_route() -> None:
    distances = [[a * 1000 + b for b in range(4)] for a in range(4)]  # asymmetric on purpose
    for row_index, row in enumerate(distances):
        row[row_index] = 0
    problem = replace(ordered_problem(), distances=distances)
    (route,) = solved(problem).routes
    # 0 -> 3 -> 2 -> 1 -> 0
    assert [s.distance for s in route.stops] == [0, 3, 3005, 5006, 6006]
    assert route.distance == 6006
    (no_matrix,) = solved(ordered_problem()).routes
    assert {s.distance for s in no_matrix.stops} == {0}
    assert no_matrix.distance == 0


def test_a_vehicle_without_an_end_stops_at_its_last_job() -> None:
    problem = replace(ordered_problem(), vehicles=(van(end=None),))
    (route,) = solved(problem).routes
    assert [s.kind for s in route.stops] == ["start", "job", "job", "job", "end"]
    *_, last_job, end = route.stops
    assert last_job.id == 1
    # The end has no place: it is when the last job is done.
    assert end.location is None
    assert end.arrival == last_job.arrival + last_job.waiting + last_job.service
    assert route.duration == 5 * 10 * MINUTE  # out to 3, back along to 1, no drive home


def test_a_vehicle_without_a_start_begins_at_its_first_job() -> None:
    problem = replace(ordered_problem(), vehicles=(van(start=None),))
    (route,) = solved(problem).routes
    start, first, *_ = route.stops
    assert start.kind == "start"
    assert start.location is None
    assert first.id == 3
    assert start.arrival == first.arrival


def test_nothing_to_do_or_nobody_to_do_it() -> None:
    problem = ordered_problem()
    assert solve(replace(problem, jobs=())) == VrpSolution(routes=(), unassigned=(), cost=0)
    nobody = solve(replace(problem, vehicles=()))
    assert nobody.routes == ()
    assert nobody.unassigned == (1, 2, 3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"durations": [[0, 1], [1, 0], [2, 2]]}, "square"),
        ({"durations": [[0, -1], [1, 0]]}, "integers in"),
        ({"durations": [[0, 1], [1]]}, "square matrix"),
        ({"costs": [[0]]}, "costs is 1x1"),
        ({"jobs": (VrpJob(1, location=2),)}, "outside the 2x2"),
        ({"jobs": (VrpJob(1, location=1), VrpJob(1, location=0))}, "job ids"),
        ({"jobs": (VrpJob(1, location=1, time_windows=((5, 4),)),)}, "bad time window"),
        ({"jobs": (VrpJob(1, location=1, priority=101),)}, "priority"),
        ({"vehicles": (van(start=None, end=None),)}, "start or an end"),
        ({"vehicles": (van(1), van(1))}, "vehicle ids"),
    ],
)
def test_malformed_problems_are_refused(change: dict[str, object], message: str) -> None:
    base = VrpProblem(jobs=(VrpJob(1, location=1),), vehicles=(van(),), durations=[[0, 1], [1, 0]])
    with pytest.raises(VrpInputError, match=message):
        solve(replace(base, **change))  # type: ignore[arg-type]


def test_explaining_an_unknown_job_is_an_error() -> None:
    with pytest.raises(KeyError):
        explain_unassigned(ordered_problem(), 99)


# -- the checker catches bad plans -------------------------------------------------------------


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


# -- random small problems ---------------------------------------------------------------------


@st.composite
def small_problems(draw: st.DrawFn) -> VrpProblem:
    size = draw(st.integers(2, 7))
    points = [(draw(st.integers(0, 6)), draw(st.integers(0, 6))) for _ in range(size)]
    # Manhattan distances, 5 minutes a block: the triangle inequality holds.
    durations = [
        [(abs(a[0] - b[0]) + abs(a[1] - b[1])) * 5 * MINUTE for b in points] for a in points
    ]
    skills = st.frozensets(st.integers(1, 3), max_size=2)
    window = st.integers(6, 18).flatmap(
        lambda hour: st.tuples(st.just(hour * HOUR), st.integers(hour, 19).map(lambda h: h * HOUR))
    )
    jobs = tuple(
        VrpJob(
            id=100 + n,
            location=draw(st.integers(0, size - 1)),
            service=draw(st.sampled_from([0, 15 * MINUTE, HOUR])),
            time_windows=tuple(draw(st.lists(window, max_size=2))),
            skills=draw(skills),
            demand=draw(st.integers(0, 3)),
            priority=draw(st.sampled_from([0, 0, 10])),
        )
        for n in range(draw(st.integers(1, 8)))
    )
    lunch = VrpBreak(1, time_windows=((12 * HOUR, 13 * HOUR),), service=30 * MINUTE)
    vehicles = tuple(
        VrpVehicle(
            id=n,
            start=draw(st.integers(0, size - 1)),
            end=draw(st.none() | st.integers(0, size - 1)),
            time_window=draw(st.none() | st.just(SHIFT)),
            skills=draw(skills),
            capacity=draw(st.none() | st.integers(0, 6)),
            breaks=draw(st.sampled_from([(), (lunch,)])),
        )
        for n in range(1, draw(st.integers(1, 3)) + 1)
    )
    return VrpProblem(jobs=jobs, vehicles=vehicles, durations=durations, distances=durations)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_random_plans_are_valid_and_explanations_sound(problem: VrpProblem) -> None:
    solution = solve(problem, exploration_level=1, threads=1)
    assert check(problem, solution) == []
    routed = {s.id for r in solution.routes for s in r.stops if s.kind == "job"}
    for job in problem.jobs:
        reason = explain_unassigned(problem, job.id)
        if job.id in routed:  # these two reasons mean no plan at all could hold the job
            assert reason == "NO_CAPACITY"


# -- Solomon ------------------------------------------------------------------------------------


@pytest.mark.skipif(not (SOLOMON / "C101.txt").exists(), reason="no Solomon instances")
def test_solomon_c101_through_the_bench_builder() -> None:
    from bench.routing import problem_from_solomon

    problem = problem_from_solomon((SOLOMON / "C101.txt").read_text("utf-8"))
    assert len(problem.jobs) == 100
    assert len(problem.vehicles) == 25
    solution = solve(problem, exploration_level=1)
    assert check(problem, solution) == []
    assert solution.unassigned == ()
