"""A route's schedule rebuilt from its job order, with the vehicle's break placed.

Used for plans whose engine does not schedule breaks the way a ``VrpStop`` reports them
(``geo.pyvrp_engine``). Every stop is put at its earliest time; a break has no place and is
tried after the start and after each job, and kept where the route ends earliest. Windows and
the shift are checked on the way: no schedule is better than a wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .vrp import VrpBreak, VrpJob, VrpStop, VrpVehicle, Window

_NO_LIMIT = np.iinfo(np.int64).max


def with_break(
    vehicle: VrpVehicle, jobs: Sequence[VrpJob], durations: NDArray[np.int64]
) -> list[VrpStop] | None:
    """The route's stops, its break (if any) where the route ends earliest; None if none fits.

    At most one break per vehicle (``pyvrp_engine.unsupported`` declines more).
    """
    if not vehicle.breaks:
        return _schedule(vehicle, jobs, durations, None, 0)
    best: list[VrpStop] | None = None
    for position in range(len(jobs) + 1):  # after the start, or after job ``position``
        stops = _schedule(vehicle, jobs, durations, vehicle.breaks[0], position)
        if stops is not None and (best is None or _done(stops) < _done(best)):
            best = stops
    return best


def _done(stops: Sequence[VrpStop]) -> int:
    return stops[-1].arrival + stops[-1].waiting + stops[-1].service


def _schedule(
    vehicle: VrpVehicle,
    jobs: Sequence[VrpJob],
    durations: NDArray[np.int64],
    brk: VrpBreak | None,
    break_after: int,
) -> list[VrpStop] | None:
    """Earliest-start schedule; the start is then delayed to spare waiting at the first job.

    None when a window or the shift cannot be kept.
    """
    shift_start, shift_end = vehicle.time_window or (0, _NO_LIMIT)
    stops = _forward(vehicle, jobs, durations, brk, break_after, shift_start)
    if stops is None:
        return None
    first = stops[1]
    if first.kind == "job" and first.waiting:
        # Leaving later by the first wait changes nothing after it.
        stops = _forward(vehicle, jobs, durations, brk, break_after, shift_start + first.waiting)
    if stops is None or _done(stops) > shift_end:
        return None
    return stops


def _forward(
    vehicle: VrpVehicle,
    jobs: Sequence[VrpJob],
    durations: NDArray[np.int64],
    brk: VrpBreak | None,
    break_after: int,
    leave: int,
) -> list[VrpStop] | None:
    """Stops at their earliest times, leaving the start at ``leave``; None past a window.

    A break has no place: it starts as soon as its window allows after the last stop, and
    the next stop is reached once both the drive and the break are done (the driver may
    drive first and take the break on arrival), as ``VrpStop`` and the checker allow.
    """
    stops = [VrpStop("start", None, vehicle.start, leave, 0, 0, 0)]
    here, left = vehicle.start, leave  # the last place and when the vehicle left it
    paused, free = 0, leave  # break time since ``left``; when the last break was over

    def take_break() -> bool:
        nonlocal paused, free
        if brk is None:  # no break to take (the callers only ask when there is one)
            return False
        begin = _earliest(max(left, free), brk.time_windows)
        if begin is None:
            return False
        stops.append(VrpStop("break", brk.id, None, begin, brk.service, 0, 0))
        paused, free = paused + brk.service, begin + brk.service
        return True

    def reach(place: int | None) -> int:
        travel = 0 if here is None or place is None else int(durations[here, place])
        return max(left + travel + paused, free)

    for number, job in enumerate(jobs):
        if brk is not None and break_after == number and not take_break():
            return None
        arrival = reach(job.location)
        begin = _earliest(arrival, job.time_windows)
        if begin is None:
            return None
        stops.append(VrpStop("job", job.id, job.location, arrival, job.service, begin - arrival, 0))
        here, left = job.location, begin + job.service
        paused, free = 0, left
    if brk is not None and break_after == len(jobs) and not take_break():
        return None
    stops.append(VrpStop("end", None, vehicle.end, reach(vehicle.end), 0, 0, 0))
    return stops


def _earliest(time: int, windows: Sequence[Window]) -> int | None:
    """The earliest moment from ``time`` on inside a window; None if every window is past."""
    if not windows:
        return time
    starts = [max(time, start) for start, end in windows if max(time, start) <= end]
    return min(starts) if starts else None
