"""The second routing engine: PyVRP's iterated local search on the same ``VrpProblem``.

PyVRP (0.14) models shifts, time windows, capacity, open routes and optional jobs with
prizes, but has no skills and no breaks. This module models what it can faithfully and
declines the rest, so that ``geo.planner`` keeps VROOM's plan for that problem:

- **Skills**: each vehicle gets a routing profile whose edges into the jobs it lacks skills
  for are "missing" (PyVRP's ``MAX_VALUE`` in both matrices), so using one costs more than
  any plan without it; every job also gets its own PyVRP location so that two jobs at one
  place can differ in skills. The plan read back is checked: a job on an unskilled vehicle
  declines the plan.
- **Priorities and jobs that do not fit**: every job is optional, with a prize that makes
  the search keep higher priorities first, then as many jobs as it can, then the cheapest
  travel: VROOM's order of concerns.
- **Open routes** (no start or no end): a virtual depot with zero travel to and from every
  place.
- **Breaks**: PyVRP has none, and a break has no place. Each vehicle's break becomes a
  required group of mutually exclusive candidate visits, one at its start and one at each
  job it may serve ("the break, taken where that job is"), open to that vehicle only, with
  the break's window and length. The break is then put back, placeless, where the rebuilt
  route ends earliest; if no spot keeps every window and the shift, the plan is declined.
- **Declined outright**: a job or a break with more than one time window (after merging), a
  vehicle with more than one break, or prizes too large for PyVRP's integers.

The schedule (arrivals, waiting) is recomputed by ``geo.route_schedule`` from the matrices,
not read from PyVRP, and every window, the shift, skills and capacity are checked on the
way: a plan that breaks one is declined, never returned.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp.constants import MAX_VALUE

from . import route_schedule, vrp
from .vrp import VrpProblem, VrpSolution, VrpVehicle

_FORBIDDEN = MAX_VALUE  # a "missing" edge: never worth taking
_NO_LIMIT = np.iinfo(np.int64).max
_PRIZE_MAX = MAX_VALUE // 2  # below a forbidden edge, far from int64 overflow when summed
_NO_IMPROVEMENT = 5_000  # iterations without a better plan before PyVRP stops early


@dataclass(frozen=True)
class Outcome:
    """PyVRP's plan, or why there is none (``solution`` None, ``declined`` says why)."""

    solution: VrpSolution | None
    declined: str | None = None


def unsupported(problem: VrpProblem) -> str | None:
    """Why this engine cannot model ``problem`` faithfully, or None if it can."""
    for job in problem.jobs:
        if len(vrp.merged_windows(job.time_windows)) > 1:
            return f"job {job.id} has several time windows"
    for vehicle in problem.vehicles:
        if len(vehicle.breaks) > 1:
            return f"vehicle {vehicle.id} has several breaks"
        if any(len(vrp.merged_windows(b.time_windows)) > 1 for b in vehicle.breaks):
            return f"vehicle {vehicle.id} has a break with several time windows"
    return None


def solve(
    problem: VrpProblem,
    *,
    time_budget_seconds: float,
    seed: int = 0,
    initial: VrpSolution | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Outcome:
    """Solve with PyVRP for ``time_budget_seconds``; ``initial`` (say VROOM's plan) warms it.

    The budget counts from this call, model building included (PyVRP's own ``MaxRuntime``
    starts with the search); the search also stops after 5,000 iterations without a better
    plan. ``clock`` measures the budget (the benchmark may pass a CPU clock). Raises
    ``VrpInputError`` on a malformed problem.
    """
    deadline = _Stop(clock, clock() + time_budget_seconds)
    durations = vrp.as_matrix(problem.durations, "durations")
    size = durations.shape[0]
    costs = durations if problem.costs is None else vrp.as_matrix(problem.costs, "costs", size)
    distances = (
        None if problem.distances is None else vrp.as_matrix(problem.distances, "distances", size)
    )
    vrp.validate(problem, size)
    if not problem.jobs or not problem.vehicles:
        unassigned = tuple(j.id for j in problem.jobs)
        return Outcome(VrpSolution(routes=(), unassigned=unassigned, cost=0, engine="pyvrp"))
    reason = unsupported(problem)
    if reason is not None:
        return Outcome(None, reason)
    model = _Model(problem, durations, costs)
    if model.declined is not None:
        return Outcome(None, model.declined)

    warm = model.warm_start(initial) if initial is not None else None
    result = pyvrp.solve(
        model.data,
        stop=deadline,
        seed=seed,
        collect_stats=False,
        initial_solution=warm,
    )
    if not result.best.is_feasible():  # a budget too short to repair its penalties
        return Outcome(None, "PyVRP found no feasible plan within its time budget")
    orders: dict[int, list[int]] = {}
    for route in result.best.routes():
        vehicle = route.vehicle_type()  # one vehicle type per vehicle, in the problem's order
        orders[vehicle] = [
            model.job_of[a.idx] for a in route if a.is_client() and a.idx < len(model.job_of)
        ]  # break candidates dropped: route_schedule puts each break back
    return _plan(problem, orders, durations, costs, distances)


class _Stop:
    """PyVRP's stopping criterion: the deadline on ``clock``, or a long run without a better
    plan, which small problems reach well before the budget (and then stop the same way on
    any machine)."""

    def __init__(self, clock: Callable[[], float], deadline: float) -> None:
        self.clock, self.deadline = clock, deadline
        self.best: float | None = None
        self.stale = 0

    def __call__(self, best_cost: float) -> bool:
        if self.best is None or best_cost < self.best:
            self.best, self.stale = best_cost, 0
        else:
            self.stale += 1
        return self.stale >= _NO_IMPROVEMENT or self.clock() >= self.deadline


class _Model:
    """The problem as PyVRP's ``ProblemData``.

    PyVRP locations: the depots first (each distinct start or end place, plus the virtual
    "anywhere" depot if a vehicle lacks a start or an end), then one per client. Clients:
    the jobs, in order, then each vehicle's break candidates (see ``_break_places``).
    """

    def __init__(
        self, problem: VrpProblem, durations: NDArray[np.int64], costs: NDArray[np.int64]
    ) -> None:
        self.problem = problem
        self.declined: str | None = None
        jobs, vehicles = problem.jobs, problem.vehicles
        places = sorted({p for v in vehicles for p in (v.start, v.end) if p is not None})
        open_ended = any(v.start is None or v.end is None for v in vehicles)
        depot_of: dict[int | None, int] = {p: i for i, p in enumerate(places)}
        if open_ended:
            depot_of[None] = len(places)
        depots = len(depot_of)
        self.job_of = [j.id for j in jobs]  # PyVRP client index -> job id (jobs come first)

        # Lexicographic prizes: one more job always beats any travel saving, and one more
        # priority point beats any number of jobs (VROOM: priorities, then jobs, then cost).
        per_job = (len(jobs) + 2 * len(vehicles) + 1) * max(int(costs.max()), 1) + 1
        per_point = per_job * (len(jobs) + 1)
        prizes = [per_job + per_point * j.priority for j in jobs]
        if max(prizes) * len(jobs) > _PRIZE_MAX:
            self.declined = "prizes too large for PyVRP's integers"
            return

        allowed = [
            frozenset(i for i, j in enumerate(jobs) if j.skills <= v.skills) for v in vehicles
        ]
        # The virtual depot borrows row 0 of the matrices, then is zeroed.
        rows = places + ([0] if open_ended else []) + [j.location for j in jobs]
        clients = [
            pyvrp.Client(
                location=depots + i,
                delivery=[job.demand],
                service_duration=job.service,
                tw_early=_window(job.time_windows)[0],
                tw_late=_window(job.time_windows)[1],
                prize=prizes[i],
                required=False,
            )
            for i, job in enumerate(jobs)
        ]
        own: list[set[int]] = [set() for _ in vehicles]  # each vehicle's break candidates
        self.break_at: list[dict[int, int]] = [{} for _ in vehicles]  # place -> candidate
        groups: list[pyvrp.ClientGroup] = []
        for number, vehicle in enumerate(vehicles):
            if not vehicle.breaks:
                continue
            brk = vehicle.breaks[0]
            members = []
            for place in _break_places(vehicle, jobs, allowed[number]):
                own[number].add(len(clients))
                self.break_at[number].setdefault(place, len(clients))
                members.append(len(clients))
                clients.append(
                    pyvrp.Client(
                        location=len(rows),
                        delivery=[0],
                        service_duration=brk.service,
                        tw_early=_window(brk.time_windows)[0],
                        tw_late=_window(brk.time_windows)[1],
                        required=False,
                        group=len(groups),
                    )
                )
                rows.append(place)
            groups.append(pyvrp.ClientGroup(members, required=True))

        index = np.array(rows)
        base_durations = durations[np.ix_(index, index)]
        base_costs = costs[np.ix_(index, index)]
        if open_ended:
            for matrix in (base_durations, base_costs):
                matrix[depots - 1, :] = 0
                matrix[:, depots - 1] = 0
        # One profile per distinct set of clients a vehicle may not visit: the jobs it lacks
        # skills for and the other vehicles' break candidates.
        every_break = set().union(*own)
        profiles: dict[frozenset[int], int] = {}
        profile_of = []
        for number in range(len(vehicles)):
            barred = frozenset(set(range(len(jobs))) - allowed[number]) | (
                every_break - own[number]
            )
            profile_of.append(profiles.setdefault(barred, len(profiles)))
        distance_matrices, duration_matrices = [], []
        for barred in profiles:
            columns = [depots + i for i in sorted(barred)]
            prof_costs, prof_durations = base_costs.copy(), base_durations.copy()
            for matrix in (prof_costs, prof_durations):
                matrix[:, columns] = _FORBIDDEN
                np.fill_diagonal(matrix, 0)  # PyVRP insists on it; staying put is free
            distance_matrices.append(prof_costs)
            duration_matrices.append(prof_durations)

        total_demand = sum(j.demand for j in jobs)
        self.data = pyvrp.ProblemData(
            locations=[pyvrp.Location(0, 0) for _ in rows],
            clients=clients,
            depots=[pyvrp.Depot(location=i) for i in range(depots)],
            vehicle_types=[
                pyvrp.VehicleType(
                    num_available=1,
                    capacity=[total_demand if v.capacity is None else v.capacity],
                    start_depot=depot_of[v.start],
                    end_depot=depot_of[v.end],
                    tw_early=v.time_window[0] if v.time_window else 0,
                    tw_late=v.time_window[1] if v.time_window else _NO_LIMIT,
                    profile=profile_of[number],
                )
                for number, v in enumerate(vehicles)
            ],
            distance_matrices=distance_matrices,
            duration_matrices=duration_matrices,
            groups=groups,
        )

    def warm_start(self, initial: VrpSolution) -> pyvrp.Solution:
        """Another engine's plan as PyVRP's first solution.

        Its breaks become the candidate at the next job's place (drive, break, then serve),
        or at the last job's place or the start when no job follows.
        """
        vehicle_index = {v.id: i for i, v in enumerate(self.problem.vehicles)}
        client_of = {job_id: i for i, job_id in enumerate(self.job_of)}
        routes = []
        for route in initial.routes:
            number = vehicle_index[route.vehicle_id]
            visits: list[int] = []
            pending = False  # a break waiting for the next job
            last = self.problem.vehicles[number].start
            for stop in route.stops:
                if stop.kind == "break":
                    pending = True
                elif stop.kind == "job" and stop.id is not None and stop.location is not None:
                    if pending and stop.location in self.break_at[number]:
                        visits.append(self.break_at[number][stop.location])
                        pending = False
                    visits.append(client_of[stop.id])
                    last = stop.location
            if pending and last is not None and last in self.break_at[number]:
                visits.append(self.break_at[number][last])
            if visits:
                routes.append(pyvrp.Route(self.data, visits, number))
        return pyvrp.Solution(self.data, routes)


def _break_places(
    vehicle: VrpVehicle, jobs: Sequence[vrp.VrpJob], allowed: frozenset[int]
) -> list[int]:
    """Where PyVRP may put the vehicle's break: at its start or at a job it may serve.

    A break has no place, but "lunch after job j, where j is" is a place, and those cover
    every spot a break can take in a route (after the start or after a job). PyVRP may also
    drive to such a place only to take the break; the schedule that ``route_schedule``
    rebuilds takes it where the route is instead, which is no later when travel obeys the
    triangle inequality (and is checked either way).
    """
    places = [] if vehicle.start is None else [vehicle.start]
    return places + [jobs[i].location for i in sorted(allowed)]


def _window(windows: Sequence[vrp.Window]) -> vrp.Window:
    """A job's one window (``unsupported`` declines several), or any time."""
    return vrp.merged_windows(windows)[0] if windows else (0, _NO_LIMIT)


def _plan(
    problem: VrpProblem,
    orders: dict[int, list[int]],
    durations: NDArray[np.int64],
    costs: NDArray[np.int64],
    distances: NDArray[np.int64] | None,
) -> Outcome:
    """Routes with their schedules from the job orders, or why the plan is declined."""
    jobs = {j.id: j for j in problem.jobs}
    routes = []
    cost = 0
    for number, order in sorted(orders.items()):
        if not order:
            continue
        vehicle = problem.vehicles[number]
        for job_id in order:
            if not jobs[job_id].skills <= vehicle.skills:
                return Outcome(
                    None, f"job {job_id} on vehicle {vehicle.id}, which lacks its skills"
                )
        load = sum(jobs[i].demand for i in order)
        if vehicle.capacity is not None and load > vehicle.capacity:
            return Outcome(None, f"vehicle {vehicle.id} loaded beyond its capacity")
        stops = route_schedule.with_break(vehicle, [jobs[i] for i in order], durations)
        if stops is None:
            return Outcome(None, f"no valid schedule (with its break) for vehicle {vehicle.id}")
        routes.append(vrp.measure_route(vehicle.id, stops, durations, distances))
        places = [s.location for s in stops if s.location is not None]
        cost += sum(int(costs[a, b]) for a, b in itertools.pairwise(places))
    assigned = {i for order in orders.values() for i in order}
    return Outcome(
        VrpSolution(
            routes=tuple(routes),
            unassigned=tuple(j.id for j in problem.jobs if j.id not in assigned),
            cost=cost,
            engine="pyvrp",
        )
    )
