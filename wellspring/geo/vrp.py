"""Vehicle routing with time windows: a thin, typed wrapper around VROOM (pyvroom).

Everything is given as integers on one clock and indices into square matrices, so the
solver sees exactly what the caller means: no coordinates, no routing server, no rounding
here. Callers get plain frozen dataclasses back, never vroom objects or pandas frames.

Clock: times are integer seconds from any origin the caller picks (the plan's clock).
A stop's ``arrival`` is when the vehicle gets there; its service starts at
``arrival + waiting`` and lasts ``service``. A job's time windows bound the *start* of
service, as in VROOM and in Solomon's instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Literal

import numpy as np
import vroom
from numpy.typing import NDArray

# Plain nested sequences or a 2-D integer array; both are read-only here.
Matrix = Sequence[Sequence[int]] | NDArray[np.integer[Any]]
Window = tuple[int, int]
StopKind = Literal["start", "job", "break", "end"]
Reason = Literal["NO_SKILLED_VEHICLE", "OUTSIDE_SHIFTS", "NO_CAPACITY"]
Engine = Literal["vroom", "pyvrp"]

_STOP_KINDS: dict[str, StopKind] = {k: k for k in ("start", "job", "break", "end")}
_PROFILE = "car"  # one profile: every vehicle travels by the same matrices
# pyvroom stores matrices as uint32; anything larger (or negative) would wrap silently.
_MATRIX_MAX = int(np.iinfo(np.uint32).max)


class VrpInputError(ValueError):
    """The problem is malformed (bad matrix, index out of range, duplicate id...)."""


@dataclass(frozen=True)
class VrpBreak:
    """A break the driver must take once per route, starting inside one of its windows.

    Breaks have no place: VROOM may schedule one anywhere along a leg (see ``VrpStop``).
    """

    id: int
    time_windows: tuple[Window, ...]
    service: int  # seconds


@dataclass(frozen=True)
class VrpVehicle:
    """One vehicle (an engineer's day). At least one of ``start``/``end`` must be set."""

    id: int
    start: int | None  # index into the matrices; None = starts at its first job
    end: int | None  # None = the route ends at its last job
    time_window: Window | None = None  # the shift on the plan's clock; None = any time
    skills: frozenset[int] = frozenset()
    capacity: int | None = None  # None = unlimited
    breaks: tuple[VrpBreak, ...] = ()


@dataclass(frozen=True)
class VrpJob:
    id: int
    location: int  # index into the matrices
    service: int = 0  # seconds on site
    time_windows: tuple[Window, ...] = ()  # windows for the start of service; () = any time
    skills: frozenset[int] = frozenset()  # the vehicle must have all of them
    demand: int = 0  # units of the vehicles' capacity
    priority: int = 0  # 0..100, higher = kept first when not everything fits (VROOM's scale)


@dataclass(frozen=True)
class VrpProblem:
    jobs: tuple[VrpJob, ...]
    vehicles: tuple[VrpVehicle, ...]
    durations: Matrix  # seconds, square, non-negative integers
    costs: Matrix | None = None  # what the solver minimizes; None = the durations
    distances: Matrix | None = None  # metres (or any unit); only reported, never optimized


@dataclass(frozen=True)
class VrpStop:
    """One step of a route. Every route runs from a ``start`` stop to an ``end`` stop.

    ``location`` is None where there is no place: for a break, and for the start (end) of
    a vehicle that has none, which then stands for the time work begins at the first job
    (is done at the last job).
    """

    kind: StopKind
    id: int | None  # job or break id; None for start and end
    location: int | None
    arrival: int
    service: int
    waiting: int  # service starts at arrival + waiting
    # Cumulative distance on arrival (0 without a distance matrix). A break counts as taken
    # where the previous stop was, although VROOM may actually place it partway along a leg.
    distance: int


@dataclass(frozen=True)
class VrpRoute:
    vehicle_id: int
    stops: tuple[VrpStop, ...]
    duration: int  # travel time only (seconds); the span is stops[-1].arrival - stops[0].arrival
    distance: int  # 0 without a distance matrix


@dataclass(frozen=True)
class VrpSolution:
    routes: tuple[VrpRoute, ...]  # only vehicles that got work
    unassigned: tuple[int, ...]  # job ids, in the problem's order
    cost: int  # the solver's objective over ``costs`` (or durations)
    engine: Engine = "vroom"  # which engine made the plan (see geo.planner)


def solve(
    problem: VrpProblem,
    *,
    exploration_level: int = 5,
    threads: int = 2,
    timeout_seconds: float | None = None,
) -> VrpSolution:
    """Solve ``problem`` with VROOM and return the routes as our dataclasses.

    ``exploration_level`` (0-5) trades time for quality; ``timeout_seconds`` stops the
    search early and returns the best plan found so far. Raises ``VrpInputError`` on a
    malformed problem, before the solver runs.
    """
    durations = as_matrix(problem.durations, "durations")
    size = durations.shape[0]
    costs = None if problem.costs is None else as_matrix(problem.costs, "costs", size)
    distances = (
        None if problem.distances is None else as_matrix(problem.distances, "distances", size)
    )
    validate(problem, size)
    if not problem.jobs or not problem.vehicles:
        # VROOM needs both; the answer is obvious anyway.
        return VrpSolution(routes=(), unassigned=tuple(j.id for j in problem.jobs), cost=0)

    solution = _build_input(problem, durations, costs).solve(
        exploration_level=exploration_level,
        nb_threads=threads,
        timeout=None if timeout_seconds is None else timedelta(seconds=timeout_seconds),
    )
    routes = _read_routes(problem, solution.routes, durations, distances)
    # Unassigned = everything not routed; this needs no private vroom attribute.
    assigned = {s.id for r in routes for s in r.stops if s.kind == "job"}
    return VrpSolution(
        routes=routes,
        unassigned=tuple(j.id for j in problem.jobs if j.id not in assigned),
        cost=int(solution.summary.cost),
    )


def explain_unassigned(problem: VrpProblem, job_id: int) -> Reason:
    """Why a job could not be planned, judged on the job alone (other jobs ignored).

    ``NO_SKILLED_VEHICLE``: no vehicle has all the job's skills. ``OUTSIDE_SHIFTS``: no
    skilled vehicle can leave its start, serve the job inside one of its windows and reach
    its end within its shift, even with nothing else to do. ``NO_CAPACITY``: it would fit on
    its own, so the others took the room (time, capacity) or a break got in the way.
    """
    job = next((j for j in problem.jobs if j.id == job_id), None)
    if job is None:
        raise KeyError(f"no job {job_id} in the problem")
    skilled = [v for v in problem.vehicles if job.skills <= v.skills]
    if not skilled:
        return "NO_SKILLED_VEHICLE"
    if not any(_fits_alone(problem.durations, v, job) for v in skilled):
        return "OUTSIDE_SHIFTS"
    return "NO_CAPACITY"


def _fits_alone(durations: Matrix, vehicle: VrpVehicle, job: VrpJob) -> bool:
    shift_start, shift_end = vehicle.time_window or (0, None)
    reach = shift_start
    if vehicle.start is not None:
        reach += int(durations[vehicle.start][job.location])
    back = 0 if vehicle.end is None else int(durations[job.location][vehicle.end])
    for window_start, window_end in job.time_windows or ((reach, reach),):
        begin = max(reach, window_start)  # wait for the window to open if early
        if begin > window_end:
            continue
        if shift_end is None or begin + job.service + back <= shift_end:
            return True
    return False


def as_matrix(value: Matrix, name: str, size: int | None = None) -> NDArray[np.int64]:
    try:
        array = np.asarray(value, dtype=np.int64)
    except (TypeError, ValueError) as exc:  # ragged rows, non-numbers
        raise VrpInputError(f"{name} must be a square matrix of integers") from exc
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise VrpInputError(f"{name} must be square, got shape {array.shape}")
    if size is not None and array.shape[0] != size:
        raise VrpInputError(f"{name} is {array.shape[0]}x{array.shape[0]}, durations {size}")
    if array.size and (array.min() < 0 or array.max() > _MATRIX_MAX):
        raise VrpInputError(f"{name} must hold integers in 0..{_MATRIX_MAX}")
    return array


def validate(problem: VrpProblem, size: int) -> None:
    def index(value: int, what: str) -> None:
        if not 0 <= value < size:
            raise VrpInputError(f"{what}: location {value} is outside the {size}x{size} matrix")

    def windows(values: Sequence[Window], what: str) -> None:
        for start, end in values:
            if not 0 <= start <= end:
                raise VrpInputError(f"{what}: bad time window ({start}, {end})")

    job_ids = [j.id for j in problem.jobs]
    if len(set(job_ids)) != len(job_ids):
        raise VrpInputError("job ids must be unique")
    vehicle_ids = [v.id for v in problem.vehicles]
    if len(set(vehicle_ids)) != len(vehicle_ids):
        raise VrpInputError("vehicle ids must be unique")
    for job in problem.jobs:
        what = f"job {job.id}"
        index(job.location, what)
        windows(job.time_windows, what)
        if job.service < 0 or job.demand < 0 or not 0 <= job.priority <= 100:
            raise VrpInputError(f"{what}: service and demand must be >= 0, priority 0..100")
    for vehicle in problem.vehicles:
        what = f"vehicle {vehicle.id}"
        if vehicle.start is None and vehicle.end is None:
            raise VrpInputError(f"{what}: needs a start or an end")
        for place in (vehicle.start, vehicle.end):
            if place is not None:
                index(place, what)
        windows([vehicle.time_window] if vehicle.time_window else [], what)
        if vehicle.capacity is not None and vehicle.capacity < 0:
            raise VrpInputError(f"{what}: capacity must be >= 0")
        break_ids = [b.id for b in vehicle.breaks]
        if len(set(break_ids)) != len(break_ids):
            raise VrpInputError(f"{what}: break ids must be unique")
        for brk in vehicle.breaks:
            windows(brk.time_windows, f"{what}, break {brk.id}")
            if brk.service < 0:
                raise VrpInputError(f"{what}, break {brk.id}: service must be >= 0")


def _build_input(
    problem: VrpProblem, durations: NDArray[np.int64], costs: NDArray[np.int64] | None
) -> Any:
    problem_input = vroom.Input()
    problem_input.set_durations_matrix(_PROFILE, durations)
    if costs is not None:
        # With a cost matrix VROOM minimizes its sum instead of travel time.
        problem_input.set_costs_matrix(_PROFILE, costs)
    # VROOM wants every amount to have the same length: always one dimension, and an
    # "unlimited" vehicle gets room for every demand at once.
    unlimited = sum(j.demand for j in problem.jobs)
    problem_input.add_vehicle(
        [
            vroom.Vehicle(
                v.id,
                start=v.start,
                end=v.end,
                profile=_PROFILE,
                capacity=[unlimited if v.capacity is None else v.capacity],
                skills=set(v.skills),
                time_window=v.time_window,  # None = VROOM's own "any time"
                breaks=[
                    vroom.Break(
                        b.id, time_windows=merged_windows(b.time_windows), service=b.service
                    )
                    for b in v.breaks
                ],
            )
            for v in problem.vehicles
        ]
    )
    problem_input.add_job(
        [
            vroom.Job(
                j.id,
                location=j.location,
                default_service=j.service,
                delivery=vroom.Amount([j.demand]),
                skills=set(j.skills),
                priority=j.priority,
                time_windows=merged_windows(j.time_windows),
            )
            for j in problem.jobs
        ]
    )
    return problem_input


def merged_windows(windows: Sequence[Window]) -> list[Window]:
    """Sorted, overlapping windows joined: VROOM refuses them otherwise, same meaning."""
    joined: list[Window] = []
    for start, end in sorted(windows):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _read_routes(
    problem: VrpProblem,
    frame: Any,
    durations: NDArray[np.int64],
    distances: NDArray[np.int64] | None,
) -> tuple[VrpRoute, ...]:
    """Turn pyvroom's route frame (one row per step, routes one after another) into routes.

    The ``id`` column is missing when no step has one, and a break's ``location_index`` is
    a placeholder: they are read only for the steps that have them. VROOM also reports a
    start and an end for a vehicle without them, at its first and last job's place; we
    keep those stops for their times but not the place, where the vehicle never goes.
    """
    vehicle_of = {v.id: v for v in problem.vehicles}
    kinds = [str(k) for k in frame["type"].tolist()]
    vehicles = frame["vehicle_id"].tolist()
    arrivals = frame["arrival"].tolist()
    services = frame["service"].tolist()
    waits = frame["waiting_time"].tolist()
    places = frame["location_index"].tolist()
    ids: list[Any] = frame["id"].tolist() if "id" in frame.columns else [None] * len(kinds)

    steps: dict[int, list[VrpStop]] = {}
    for row, name in enumerate(kinds):
        kind = _STOP_KINDS.get(name)
        if kind is None:  # pickups and deliveries: we never send shipments
            raise RuntimeError(f"unexpected VROOM step type {name!r}")
        vehicle = vehicle_of[int(vehicles[row])]
        placeless = (
            kind == "break"
            or (kind == "start" and vehicle.start is None)
            or (kind == "end" and vehicle.end is None)
        )
        steps.setdefault(vehicle.id, []).append(
            VrpStop(
                kind=kind,
                id=int(ids[row]) if kind in ("job", "break") else None,
                location=None if placeless else int(places[row]),
                arrival=int(arrivals[row]),
                service=int(services[row]),
                waiting=int(waits[row]),
                distance=0,
            )
        )
    return tuple(
        measure_route(vehicle_id, stops, durations, distances)
        for vehicle_id, stops in steps.items()
    )


def measure_route(
    vehicle_id: int,
    stops: list[VrpStop],
    durations: NDArray[np.int64],
    distances: NDArray[np.int64] | None,
) -> VrpRoute:
    """Add travel time and cumulative distance by walking the located stops.

    Done here from the matrices rather than taken from VROOM, which reports distances only
    when given a distance matrix for that purpose.
    """
    travel = 0
    covered = 0
    previous: int | None = None
    measured = []
    for stop in stops:
        if stop.location is not None:
            if previous is not None:
                travel += int(durations[previous, stop.location])
                if distances is not None:
                    covered += int(distances[previous, stop.location])
            previous = stop.location
        measured.append(replace(stop, distance=covered))
    return VrpRoute(vehicle_id=vehicle_id, stops=tuple(measured), duration=travel, distance=covered)
