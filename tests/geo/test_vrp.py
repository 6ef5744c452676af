"""The VROOM wrapper on small hand-made problems and on random ones.

Every solved plan goes through ``route_check.check``; the checker itself is tested on
corrupted plans in ``test_vrp_checker.py``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from tests.geo.route_check import check
from tests.geo.vrp_problems import (
    HOUR,
    MINUTE,
    SOLOMON,
    job_order,
    line,
    lunch_problem,
    ordered_problem,
    route_of,
    small_problems,
    solved,
    van,
)
from wellspring.geo.vrp import (
    VrpInputError,
    VrpJob,
    VrpProblem,
    VrpSolution,
    explain_unassigned,
    solve,
)

# -- the solver through the wrapper ------------------------------------------------------------


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


# -- random small problems ---------------------------------------------------------------------


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
