"""Small hand-made routing problems and the helpers the VROOM wrapper's tests share: a road
of places, a van on a day shift, a solve whose plan must pass the checker, and random small
problems for hypothesis."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from tests.geo.route_check import check
from wellspring.geo.vrp import (
    VrpBreak,
    VrpJob,
    VrpProblem,
    VrpRoute,
    VrpSolution,
    VrpVehicle,
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


def lunch_problem() -> VrpProblem:
    lunch = VrpBreak(id=7, time_windows=((12 * HOUR, 13 * HOUR),), service=HOUR)
    return VrpProblem(
        jobs=tuple(VrpJob(n, location=n, service=HOUR) for n in range(1, 7)),
        vehicles=(van(breaks=(lunch,)),),
        durations=line(7),
    )


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
