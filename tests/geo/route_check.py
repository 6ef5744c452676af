"""An independent checker for routing plans: it trusts the problem, never the solver.

``check(problem, solution)`` lists every rule a plan breaks, in words, and an empty list
means the plan is feasible as far as the problem can tell: each job planned at most once
and otherwise reported unassigned, service starting inside a job window, skills and
capacity respected, travel times respected between stops, routes inside their shifts, and
each break taken exactly once inside one of its windows. A stop without a location (a
break, or the start or end of a vehicle that has none) needs no travel to or from it. It
also checks the figures the wrapper reports (travel time, cumulative distance), which it
recomputes from the matrices.

It imports only the wrapper's dataclasses, so any test (or the routing benchmark) can run
it on any plan, including hand-made or corrupted ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from wellspring.geo.vrp import (
    Matrix,
    VrpJob,
    VrpProblem,
    VrpRoute,
    VrpSolution,
    VrpStop,
    VrpVehicle,
)


def check(problem: VrpProblem, solution: VrpSolution) -> list[str]:
    """Every violation found, as human-readable sentences; [] when the plan is valid."""
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    found: list[str] = []

    routed = Counter(s.id for r in solution.routes for s in r.stops if s.kind == "job")
    unassigned = Counter(solution.unassigned)
    for job_id, times in routed.items():
        if job_id not in jobs:
            found.append(f"job {job_id} is routed but is not in the problem")
        elif times > 1:
            found.append(f"job {job_id} is routed {times} times")
        if job_id in unassigned:
            found.append(f"job {job_id} is both routed and reported unassigned")
    for job_id, times in unassigned.items():
        if job_id not in jobs:
            found.append(f"unassigned job {job_id} is not in the problem")
        elif times > 1:
            found.append(f"job {job_id} is reported unassigned {times} times")
    for job_id in jobs:
        if job_id not in routed and job_id not in unassigned:
            found.append(f"job {job_id} is neither routed nor reported unassigned")

    route_counts = Counter(r.vehicle_id for r in solution.routes)
    for vehicle_id, times in route_counts.items():
        if times > 1:
            found.append(f"vehicle {vehicle_id} has {times} routes")
    for route in solution.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            found.append(f"route for vehicle {route.vehicle_id}, which is not in the problem")
            continue
        found.extend(f"vehicle {vehicle.id}: {v}" for v in _route(problem, jobs, vehicle, route))
    return found


def _route(
    problem: VrpProblem, jobs: dict[int, VrpJob], vehicle: VrpVehicle, route: VrpRoute
) -> list[str]:
    stops = route.stops
    if not stops:
        return ["empty route"]
    found: list[str] = []
    found += _shape(vehicle, stops)

    load = 0
    has_jobs = False
    for number, stop in enumerate(stops):
        where = f"stop {number} ({_name(stop)})"
        if stop.waiting < 0 or stop.service < 0:
            found.append(f"{where}: negative waiting or service")
        if stop.kind != "job":
            continue
        has_jobs = True
        job = jobs.get(stop.id) if stop.id is not None else None
        if job is None:
            continue  # reported once by check()
        load += job.demand
        if stop.location != job.location:
            found.append(f"{where}: at location {stop.location}, the job is at {job.location}")
        if stop.service != job.service:
            found.append(f"{where}: service {stop.service}s, the job needs {job.service}s")
        if not job.skills <= vehicle.skills:
            missing = sorted(job.skills - vehicle.skills)
            found.append(f"{where}: the vehicle lacks skills {missing}")
        begin = stop.arrival + stop.waiting
        if not _inside(begin, job.time_windows):
            found.append(f"{where}: service starts at {begin}, outside {list(job.time_windows)}")
    if vehicle.capacity is not None and load > vehicle.capacity:
        found.append(f"load {load} exceeds capacity {vehicle.capacity}")

    found += _breaks(vehicle, stops, must_take=has_jobs)
    found += _timing(problem.durations, vehicle, stops)
    found += _figures(problem, route)
    return found


def _shape(vehicle: VrpVehicle, stops: Sequence[VrpStop]) -> list[str]:
    """One start first, one end last, at the vehicle's places (None where it has none)."""
    kinds = [s.kind for s in stops]
    if (
        len(kinds) < 2
        or kinds[0] != "start"
        or kinds[-1] != "end"
        or "start" in kinds[1:]
        or "end" in kinds[:-1]
    ):
        return [f"stops go {kinds}: a route runs from one start to one end"]
    found: list[str] = []
    for kind, place, stop in (("start", vehicle.start, stops[0]), ("end", vehicle.end, stops[-1])):
        if stop.location != place:
            found.append(f"{kind}s at location {stop.location}, the vehicle's {kind} is {place}")
    return found


def _breaks(vehicle: VrpVehicle, stops: Sequence[VrpStop], *, must_take: bool) -> list[str]:
    breaks = {b.id: b for b in vehicle.breaks}
    taken: Counter[int | None] = Counter()
    found: list[str] = []
    for number, stop in enumerate(stops):
        if stop.kind != "break":
            continue
        taken[stop.id] += 1
        brk = breaks.get(stop.id) if stop.id is not None else None
        if brk is None:
            found.append(f"stop {number}: break {stop.id} is not one of the vehicle's")
            continue
        if stop.service != brk.service:
            found.append(f"stop {number}: break {brk.id} lasts {stop.service}s, not {brk.service}s")
        begin = stop.arrival + stop.waiting
        if not _inside(begin, brk.time_windows):
            found.append(
                f"stop {number}: break {brk.id} starts at {begin}, outside {list(brk.time_windows)}"
            )
    for break_id, times in taken.items():
        if times > 1:
            found.append(f"break {break_id} is taken {times} times")
    if must_take:
        found += [f"break {b} is not taken" for b in breaks if b not in taken]
    return found


def _timing(durations: Matrix, vehicle: VrpVehicle, stops: Sequence[VrpStop]) -> list[str]:
    """Stops in time order, and enough time between two places to drive and take breaks.

    A break has no place and may happen partway along a leg, so between two located stops
    the time needed is the travel time plus the breaks' waiting and service.
    """
    found: list[str] = []
    previous_departure: int | None = None
    last_place: tuple[int, int] | None = None  # (location, departure) of the last located stop
    breaks_since = 0
    for number, stop in enumerate(stops):
        if previous_departure is not None and stop.arrival < previous_departure:
            found.append(
                f"stop {number} ({_name(stop)}): arrives at {stop.arrival}, "
                f"before the previous stop is done ({previous_departure})"
            )
        departure = stop.arrival + stop.waiting + stop.service
        if stop.location is None:
            breaks_since += stop.waiting + stop.service
        else:
            if last_place is not None:
                here, left = last_place
                travel = int(durations[here][stop.location])
                earliest = left + travel + breaks_since
                if stop.arrival < earliest:
                    found.append(
                        f"stop {number} ({_name(stop)}): arrives at {stop.arrival}, but leaving "
                        f"{here} at {left} it needs {travel}s of travel"
                        + (f" and {breaks_since}s of breaks" if breaks_since else "")
                        + f": not before {earliest}"
                    )
            last_place = (stop.location, departure)
            breaks_since = 0
        previous_departure = departure

    if vehicle.time_window is not None:
        shift_start, shift_end = vehicle.time_window
        if stops[0].arrival < shift_start:
            found.append(f"route starts at {stops[0].arrival}, before its shift ({shift_start})")
        last = stops[-1]
        done = last.arrival + last.waiting + last.service
        if done > shift_end:
            found.append(f"route ends at {done}, after its shift ({shift_end})")
    return found


def _figures(problem: VrpProblem, route: VrpRoute) -> list[str]:
    """The reported travel time and distances, recomputed from the matrices."""
    found: list[str] = []
    travel = 0
    covered = 0
    here: int | None = None
    wrong_distance = False
    for number, stop in enumerate(route.stops):
        if stop.location is not None:
            if here is not None:
                travel += int(problem.durations[here][stop.location])
                if problem.distances is not None:
                    covered += int(problem.distances[here][stop.location])
            here = stop.location
        if stop.distance != covered and not wrong_distance:
            wrong_distance = True  # one is enough: every later stop would follow
            found.append(f"stop {number}: cumulative distance {stop.distance}, expected {covered}")
    if route.duration != travel:
        found.append(f"travel time reported {route.duration}, expected {travel}")
    if route.distance != covered:
        found.append(f"distance reported {route.distance}, expected {covered}")
    return found


def _inside(time: int, windows: Sequence[tuple[int, int]]) -> bool:
    return not windows or any(start <= time <= end for start, end in windows)


def _name(stop: VrpStop) -> str:
    return stop.kind if stop.id is None else f"{stop.kind} {stop.id}"
