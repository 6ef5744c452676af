"""Reading the solver's answer: each engineer's stops with times and legs, and why a job was
left out of the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...geo import vrp
from ..errors import present
from .route_inputs import Clock, Stop, Vehicle

# Why a job was left out of a plan; each has an UNPLACED_<reason> message in wellspring.i18n.
UNPLACED_REASONS = (
    "NO_COORDINATES",
    "NO_SKILLED_TECHNICIAN",
    "OUTSIDE_SHIFTS",
    "DAY_FULL",
    "APPOINTMENT_PASSED",
    "TECHNICIAN_OFF_SHIFT",
)
SOLVER_REASONS = {
    "NO_SKILLED_VEHICLE": "NO_SKILLED_TECHNICIAN",
    "OUTSIDE_SHIFTS": "OUTSIDE_SHIFTS",
    "NO_CAPACITY": "DAY_FULL",
}


def route_rows(
    vehicles: list[Vehicle],
    solution: vrp.VrpSolution,
    planned: list[Stop],
    durations: list[list[int]],
    metres: list[list[int]],
    clock: Clock,
) -> list[dict[str, Any]]:
    """Each engineer's route as the plan stores it: fixed stops first, then the solver's."""
    solved = {r.vehicle_id: r for r in solution.routes}
    routes: list[dict[str, Any]] = []
    for index, vehicle in enumerate(vehicles):
        stops = [dict(s) for s in vehicle.fixed]
        lunch_after: int | None = None
        lunch_at: str | None = None
        route = solved.get(index)
        previous: int | None = index  # the vehicle's start location
        end_clock = vehicle.ready
        for step in route.stops if route is not None else ():
            if step.kind == "break":
                lunch_after, lunch_at = len(stops), clock.iso(step.arrival + step.waiting)
                end_clock = step.arrival + step.waiting + step.service
                continue
            if step.kind != "job" or step.id is None or step.location is None:
                continue
            stop = planned[step.id]
            site = present(stop.site, "a planned stop's site")
            begins = step.arrival + step.waiting
            leg_s = durations[previous][step.location] if previous is not None else 0
            leg_m = metres[previous][step.location] if previous is not None else 0
            stops.append(
                {
                    "job_id": stop.job.id,
                    "arrival_at": clock.iso(step.arrival),
                    "service_start_at": clock.iso(begins),
                    "departure_at": clock.iso(begins + step.service),
                    "travel_seconds": leg_s,
                    "distance_meters": leg_m,
                    "waiting_seconds": step.waiting,
                    "fixed": False,
                    "approximate": site.approximate,
                    "parts_short": stop.parts_short,
                }
            )
            previous = step.location
            end_clock = begins + step.service
        if not stops:
            continue
        for position, stop_row in enumerate(stops, start=1):
            stop_row["position"] = position
        routes.append(
            {
                "technician_id": vehicle.tech.id,
                "start_latitude": vehicle.start[0] if not vehicle.fixed else None,
                "start_longitude": vehicle.start[1] if not vehicle.fixed else None,
                "start_source": vehicle.start_source,
                "stops": stops,
                "lunch_after_position": lunch_after,
                "lunch_start_at": lunch_at,
                "distance_meters": sum(s["distance_meters"] for s in stops),
                "duration_seconds": max(0, end_clock - _first_departure(vehicle, stops, clock)),
                "end_at": clock.iso(max(end_clock, vehicle.ready)),
            }
        )
    return routes


def _first_departure(vehicle: Vehicle, stops: list[dict[str, Any]], clock: Clock) -> int:
    if vehicle.fixed:
        return clock.of(dt.datetime.fromisoformat(stops[0]["arrival_at"])) - int(
            stops[0]["travel_seconds"]
        )
    return vehicle.ready
