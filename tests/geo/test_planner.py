"""The PyVRP engine and the better-of-both planner, judged by the independent plan checker.

Every plan either engine returns goes through ``route_check.check``. What PyVRP cannot model
(several windows on a job, several breaks on a vehicle) must be declined, never planned
wrongly, and then the planner keeps VROOM's plan.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from tests.geo.route_check import check
from tests.geo.vrp_problems import (
    HOUR,
    MINUTE,
    SHIFT,
    job_order,
    line,
    lunch_problem,
    ordered_problem,
    route_of,
    small_problems,
    van,
)
from wellspring.geo import planner, pyvrp_engine
from wellspring.geo.vrp import VrpBreak, VrpJob, VrpProblem, VrpRoute, VrpSolution

BUDGET = 0.3  # seconds; small problems stop earlier, after 5,000 iterations without progress
EXAMPLES = int(os.environ.get("WELLSPRING_VRP_EXAMPLES", "15"))


def pyvrp_plan(problem: VrpProblem) -> VrpSolution:
    """PyVRP's plan, which must exist and be valid."""
    outcome = pyvrp_engine.solve(problem, time_budget_seconds=BUDGET)
    assert outcome.declined is None
    assert outcome.solution is not None
    assert outcome.solution.engine == "pyvrp"
    assert check(problem, outcome.solution) == []
    return outcome.solution


def breaks_of(route: VrpRoute) -> list[tuple[int | None, int, int]]:
    return [(s.id, s.arrival + s.waiting, s.service) for s in route.stops if s.kind == "break"]


def test_time_windows_force_the_order() -> None:
    (route,) = pyvrp_plan(ordered_problem()).routes
    assert job_order(route) == [3, 2, 1]
    first = route.stops[1]
    # Leaves the depot so as to reach job 3 as its window opens, not at the shift's start.
    assert route.stops[0].arrival == 9 * HOUR - 3 * 10 * MINUTE
    assert first.waiting == 0


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
    solution = pyvrp_plan(problem)
    assert [r.vehicle_id for r in solution.routes] == [2]
    assert job_order(route_of(solution, 2)) == [10]


def test_two_jobs_at_one_place_can_need_different_skills() -> None:
    problem = VrpProblem(
        jobs=(
            VrpJob(1, location=2, skills=frozenset({1}), service=10 * MINUTE),
            VrpJob(2, location=2, skills=frozenset({2}), service=10 * MINUTE),
        ),
        vehicles=(van(1, skills=frozenset({1})), van(2, skills=frozenset({2}))),
        durations=line(3),
    )
    solution = pyvrp_plan(problem)
    assert job_order(route_of(solution, 1)) == [1]
    assert job_order(route_of(solution, 2)) == [2]


def test_the_lunch_break_is_taken_inside_its_window() -> None:
    solution = pyvrp_plan(lunch_problem())
    assert solution.unassigned == ()
    (route,) = solution.routes
    ((break_id, begins, service),) = breaks_of(route)
    assert break_id == 7
    assert service == HOUR
    assert 12 * HOUR <= begins <= 13 * HOUR


def test_lunch_leaves_out_a_job_rather_than_be_skipped() -> None:
    # A four-hour shift, two two-hour jobs and an hour's lunch in the middle: one job fits.
    lunch = VrpBreak(3, time_windows=((10 * HOUR, 11 * HOUR),), service=HOUR)
    problem = VrpProblem(
        jobs=(VrpJob(1, location=0, service=2 * HOUR), VrpJob(2, location=0, service=2 * HOUR)),
        vehicles=(van(time_window=(8 * HOUR, 12 * HOUR), breaks=(lunch,)),),
        durations=line(1),
    )
    solution = pyvrp_plan(problem)
    assert len(solution.unassigned) == 1
    (route,) = solution.routes
    assert breaks_of(route) == [(3, 10 * HOUR, HOUR)]


def test_higher_priority_is_kept_first() -> None:
    # Room for one of the two jobs: the urgent one stays, although it is further.
    problem = VrpProblem(
        jobs=(
            VrpJob(1, location=1, service=3 * HOUR),
            VrpJob(2, location=3, service=3 * HOUR, priority=100),
        ),
        vehicles=(van(time_window=(8 * HOUR, 12 * HOUR)),),
        durations=line(4),
    )
    solution = pyvrp_plan(problem)
    assert solution.unassigned == (1,)


def test_routes_without_a_start_or_an_end() -> None:
    jobs = tuple(VrpJob(n, location=n, service=15 * MINUTE) for n in (1, 2, 3))
    for vehicle in (van(start=None, end=2), van(start=0, end=None)):
        solution = pyvrp_plan(VrpProblem(jobs=jobs, vehicles=(vehicle,), durations=line(4)))
        (route,) = solution.routes
        assert (route.stops[0].location, route.stops[-1].location) == (vehicle.start, vehicle.end)


def test_what_pyvrp_cannot_model_is_declined_and_vroom_kept() -> None:
    twice = ((9 * HOUR, 10 * HOUR), (15 * HOUR, 16 * HOUR))
    lunch = VrpBreak(1, time_windows=((12 * HOUR, 13 * HOUR),), service=30 * MINUTE)
    tea = VrpBreak(2, time_windows=((15 * HOUR, 16 * HOUR),), service=15 * MINUTE)
    cases = {
        "job 1 has several time windows": VrpProblem(
            jobs=(VrpJob(1, location=1, time_windows=twice),),
            vehicles=(van(),),
            durations=line(2),
        ),
        "vehicle 1 has several breaks": VrpProblem(
            jobs=(VrpJob(1, location=1),), vehicles=(van(breaks=(lunch, tea)),), durations=line(2)
        ),
    }
    for reason, problem in cases.items():
        outcome = pyvrp_engine.solve(problem, time_budget_seconds=BUDGET)
        assert (outcome.solution, outcome.declined) == (None, reason)
        planned = planner.solve(problem, time_budget_seconds=BUDGET, exploration_level=1)
        assert planned.declined == reason
        assert planned.pyvrp is None
        assert planned.solution is planned.vroom
        assert check(problem, planned.solution) == []


def test_the_objective_puts_priorities_then_jobs_then_travel() -> None:
    problem = VrpProblem(
        jobs=(VrpJob(1, location=1, priority=10), VrpJob(2, location=2), VrpJob(3, location=3)),
        vehicles=(van(),),
        durations=line(4),
    )
    plan = pyvrp_plan(problem)
    assert planner.objective(problem, plan) == (0, 0, 6 * 10 * MINUTE)
    empty = VrpSolution(routes=(), unassigned=(1, 2, 3), cost=0)
    without_1 = VrpSolution(routes=(), unassigned=(1,), cost=0)
    without_2_3 = VrpSolution(routes=(), unassigned=(2, 3), cost=0)
    assert planner.objective(problem, empty) == (10, 3, 0)
    assert planner.objective(problem, plan) < planner.objective(problem, without_2_3)
    assert planner.objective(problem, without_2_3) < planner.objective(problem, without_1)


def test_no_budget_runs_vroom_alone() -> None:
    planned = planner.solve(ordered_problem(), time_budget_seconds=0, exploration_level=1)
    assert (planned.pyvrp, planned.pyvrp_seconds, planned.solution.engine) == (None, 0.0, "vroom")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_random_problems_both_engines_and_the_better_plan(problem: VrpProblem) -> None:
    outcome = pyvrp_engine.solve(problem, time_budget_seconds=BUDGET)
    reason = pyvrp_engine.unsupported(problem)
    if reason is not None:
        assert (outcome.solution, outcome.declined) == (None, reason)
    elif outcome.solution is not None:
        assert check(problem, outcome.solution) == []
    planned = planner.solve(problem, time_budget_seconds=BUDGET, exploration_level=1, threads=1)
    assert check(problem, planned.vroom) == []
    assert check(problem, planned.solution) == []
    kept = planner.objective(problem, planned.solution)
    assert kept <= planner.objective(problem, planned.vroom)
    if planned.pyvrp is not None:
        assert check(problem, planned.pyvrp) == []
        assert kept <= planner.objective(problem, planned.pyvrp)


def test_a_day_of_the_shift_shape_the_app_sends() -> None:
    # Open routes from home, lunch, skills with a pinned job: as domain/dispatch/route_inputs.py.
    lunch = VrpBreak(0, time_windows=((11 * HOUR + 1800, 12 * HOUR + 2700),), service=45 * MINUTE)
    problem = VrpProblem(
        jobs=tuple(
            VrpJob(
                n,
                location=2 + n,
                service=HOUR,
                skills=frozenset({1, 1000}) if n == 0 else frozenset({1}),
                time_windows=((9 * HOUR, 11 * HOUR),) if n % 2 else (),
            )
            for n in range(6)
        ),
        vehicles=tuple(
            van(
                n,
                start=n,
                end=None,
                time_window=SHIFT,
                skills=frozenset({1, 1000 + n}),
                breaks=(lunch,),
            )
            for n in range(2)
        ),
        durations=line(8, step=15 * MINUTE),
    )
    planned = planner.solve(problem, time_budget_seconds=BUDGET, exploration_level=1)
    assert planned.pyvrp is not None, planned.declined
    for plan in (planned.vroom, planned.pyvrp, planned.solution):
        assert check(problem, plan) == []
    assert 0 in job_order(route_of(planned.pyvrp, 0))  # the pinned job stays with vehicle 0
