"""Weighing SuggestTechnicians' candidates: exact geodesics only for those that can still win.

Everything but travel (load, van stock, shift) is known before any distance. A candidate's
score can only grow with its distance, so one whose best case (travel over a proven lower
bound of its distance) already scores worse than the limit-th best exact score so far cannot
make the cut and gets no geodesic. The result is the same as weighing everyone
(``rank_all``, kept as the reference the tests compare against).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...geo.distance import Point, km, km_at_least
from . import rules


@dataclass(frozen=True)
class Candidate:
    id: str
    point: Point
    from_now: bool  # a fresh phone fix: they leave now, not an hour before the window
    load: int
    parts_missing: bool
    on_shift: bool


@dataclass(frozen=True)
class Weighed:
    candidate: Candidate
    distance_km: float  # exact geodesic, not rounded
    travel_seconds: int
    eta: dt.datetime
    on_time: bool
    score: float

    @property
    def key(self) -> tuple[float, int, str]:
        """Best first: score, then shorter travel, then id (stable between requests)."""
        return (self.score, self.travel_seconds, self.candidate.id)


@dataclass(frozen=True)
class Trip:
    """What a distance means for this job: road seconds, departure times, the window."""

    seconds_for: Callable[[float], int]  # non-decreasing in the distance
    now: dt.datetime
    departure: dt.datetime
    window_end: dt.datetime | None

    def weigh(self, c: Candidate, distance: float) -> Weighed:
        seconds = self.seconds_for(distance)
        eta = (self.now if c.from_now else self.departure) + dt.timedelta(seconds=seconds)
        on_time = self.window_end is None or eta <= self.window_end
        score = rules.suggestion_score(
            travel_seconds=seconds,
            load=c.load,
            parts_missing=c.parts_missing,
            on_shift=c.on_shift,
            on_time=on_time,
        )
        return Weighed(c, distance, seconds, eta, on_time, score)


def rank(candidates: Sequence[Candidate], site: Point, trip: Trip, size: int) -> list[Weighed]:
    """The best ``size`` candidates, best first, as ``rank_all`` would rank them."""
    bounded = sorted(((km_at_least(c.point, site), c) for c in candidates), key=lambda p: p[0])
    weighed: list[Weighed] = []
    worst_kept: list[float] = []  # max-heap (negated) of the best `size` exact scores so far
    for floor, c in bounded:
        # The best case's score is a lower bound of the real one (travel, eta and lateness
        # only grow with distance); strictly worse than `size` others: it cannot be chosen.
        if len(worst_kept) == size and trip.weigh(c, floor).score > -worst_kept[0]:
            continue
        w = trip.weigh(c, km(c.point, site))
        weighed.append(w)
        if len(worst_kept) < size:
            heapq.heappush(worst_kept, -w.score)
        elif w.score < -worst_kept[0]:
            heapq.heapreplace(worst_kept, -w.score)
    weighed.sort(key=lambda w: w.key)
    return weighed[:size]


def rank_all(candidates: Sequence[Candidate], site: Point, trip: Trip, size: int) -> list[Weighed]:
    """The reference: every candidate's exact geodesic, then the best ``size``."""
    weighed = [trip.weigh(c, km(c.point, site)) for c in candidates]
    weighed.sort(key=lambda w: w.key)
    return weighed[:size]
