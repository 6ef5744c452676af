"""Both routing engines on one problem, and the better plan kept.

VROOM (``geo.vrp``) runs first: it is fast and models everything a ``VrpProblem`` holds.
PyVRP (``geo.pyvrp_engine``) then searches from VROOM's plan for the rest of the time
budget, unless it cannot model the problem (several windows on a job, several breaks on a
vehicle) or its plan has no room for a break; then VROOM's plan stands.

"Better" is VROOM's own order of concerns, compared on the plans themselves (``objective``):
fewer priority points left unassigned, then fewer jobs left unassigned, then less travel
cost over ``costs`` (or durations). A tie keeps VROOM's plan.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import pyvrp_engine, vrp
from .vrp import VrpProblem, VrpSolution

# When both run, VROOM stops at this share of the budget (its ``timeout``), and PyVRP gets
# the rest, at least a quarter of the budget however long VROOM overran.
_VROOM_MAX_SHARE = 0.5
_PYVRP_MIN_SHARE = 0.25


@dataclass(frozen=True)
class Planned:
    """The plan kept, with what each engine did (for logs and the benchmark)."""

    solution: VrpSolution
    vroom: VrpSolution
    pyvrp: VrpSolution | None  # None when PyVRP did not run or its plan was declined
    declined: str | None  # why PyVRP's plan is missing, if it is
    vroom_seconds: float
    pyvrp_seconds: float


def objective(problem: VrpProblem, solution: VrpSolution) -> tuple[int, int, int]:
    """(priority points unassigned, jobs unassigned, travel cost): smaller is better."""
    priority = {j.id: j.priority for j in problem.jobs}
    matrix = problem.durations if problem.costs is None else problem.costs
    cost = 0
    for route in solution.routes:
        places = [s.location for s in route.stops if s.location is not None]
        cost += sum(int(matrix[a][b]) for a, b in itertools.pairwise(places))
    return (sum(priority[i] for i in solution.unassigned), len(solution.unassigned), cost)


def solve(
    problem: VrpProblem,
    *,
    time_budget_seconds: float,
    exploration_level: int = 5,
    threads: int = 2,
    vroom_timeout_seconds: float | None = None,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
) -> Planned:
    """VROOM, then PyVRP for what is left of ``time_budget_seconds``; the better plan.

    When PyVRP can model the problem, VROOM's timeout is cut to half the budget and PyVRP
    gets the rest (at least a quarter). Otherwise, or with a budget of 0, VROOM runs alone
    with ``vroom_timeout_seconds``. ``clock`` measures the budget (VROOM's timeout is always
    wall time). Raises ``VrpInputError`` on a malformed problem.
    """
    both = time_budget_seconds > 0 and pyvrp_engine.unsupported(problem) is None
    if both:
        # VROOM gets at most half the budget, so that both fit in it.
        half = time_budget_seconds * _VROOM_MAX_SHARE
        vroom_timeout_seconds = min(vroom_timeout_seconds or half, half)
    started = clock()
    vroom_plan = vrp.solve(
        problem,
        exploration_level=exploration_level,
        threads=threads,
        timeout_seconds=vroom_timeout_seconds,
    )
    vroom_seconds = clock() - started
    if not both or not problem.jobs or not problem.vehicles:
        declined = pyvrp_engine.unsupported(problem) if time_budget_seconds > 0 else "no budget"
        return Planned(vroom_plan, vroom_plan, None, declined, vroom_seconds, 0.0)

    budget = max(time_budget_seconds - vroom_seconds, time_budget_seconds * _PYVRP_MIN_SHARE)
    started = clock()
    outcome = pyvrp_engine.solve(
        problem, time_budget_seconds=budget, seed=seed, initial=vroom_plan, clock=clock
    )
    pyvrp_seconds = clock() - started
    kept = vroom_plan
    if outcome.solution is not None and objective(problem, outcome.solution) < objective(
        problem, vroom_plan
    ):
        kept = outcome.solution
    return Planned(
        kept, vroom_plan, outcome.solution, outcome.declined, vroom_seconds, pyvrp_seconds
    )
