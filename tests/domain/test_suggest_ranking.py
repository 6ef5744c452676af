"""SuggestTechnicians' weighing skips geodesics yet ranks exactly as weighing everyone does."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellspring.domain.config import TIME_ZONE
from wellspring.domain.dispatch import ranking
from wellspring.geo import distance
from wellspring.geo.travel import TravelModel

NOW = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
TRAVEL = TravelModel()

latitudes = st.floats(-85, 85, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
offsets = st.one_of(st.floats(-0.02, 0.02), st.floats(-0.5, 0.5), st.floats(-5, 5))


@st.composite
def jobs(draw: st.DrawFn) -> tuple[tuple[float, float], list[ranking.Candidate], ranking.Trip]:
    """A site, engineers scattered around it (some on the very same spot) and a window."""
    site = (draw(st.floats(18, 50)), draw(st.floats(75, 130)))
    n = draw(st.integers(0, 40))
    candidates = [
        ranking.Candidate(
            id=f"t{i:02d}",
            point=(site[0] + draw(offsets), site[1] + draw(offsets)),
            from_now=draw(st.booleans()),
            load=draw(st.integers(0, 3)),
            parts_missing=draw(st.booleans()),
            on_shift=draw(st.booleans()),
        )
        for i in range(n)
    ]
    twin: bool = draw(st.booleans())
    if candidates and twin:  # ties: the same engineer twice under another id
        candidates.append(ranking.Candidate(**{**vars(candidates[0]), "id": "t99"}))
    start = NOW + dt.timedelta(minutes=draw(st.integers(-60, 600)))
    window = draw(st.sampled_from([None, 30, 120]))
    departure = max(NOW, start - dt.timedelta(hours=1))
    hour = departure.astimezone(TIME_ZONE).hour
    trip = ranking.Trip(
        seconds_for=lambda d: TRAVEL.for_distance(d, city="上海市", hour=hour).seconds,
        now=NOW,
        departure=departure,
        window_end=None if window is None else start + dt.timedelta(minutes=window),
    )
    return site, candidates, trip


@settings(max_examples=150, deadline=None)
@given(jobs(), st.integers(1, 12))
def test_skipping_geodesics_ranks_as_weighing_everyone(
    job: tuple[tuple[float, float], list[ranking.Candidate], ranking.Trip], size: int
) -> None:
    site, candidates, trip = job
    assert ranking.rank(candidates, site, trip, size) == ranking.rank_all(
        candidates, site, trip, size
    )


def test_far_engineers_get_no_geodesic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three engineers next door, thirty far away: only the near ones are measured."""
    site = (31.23, 121.47)
    near = [
        ranking.Candidate(f"n{i}", (31.231 + i / 1000, 121.47), False, 0, False, True)
        for i in range(3)
    ]
    far = [
        ranking.Candidate(f"f{i:02d}", (31.6 + i / 100, 121.9), False, 0, False, True)
        for i in range(30)
    ]
    trip = ranking.Trip(lambda d: TRAVEL.for_distance(d, city="", hour=9).seconds, NOW, NOW, None)
    measured: list[tuple[float, float]] = []
    exact = distance.km

    def counting(a: tuple[float, float], b: tuple[float, float]) -> float:
        measured.append(a)
        return exact(a, b)

    monkeypatch.setattr(ranking, "km", counting)
    best = ranking.rank(near + far, site, trip, 3)
    assert [w.candidate.id for w in best] == ["n0", "n1", "n2"]
    assert len(measured) == 3


@settings(max_examples=200, deadline=None)
@given(latitudes, longitudes, offsets, offsets)
def test_km_at_least_never_exceeds_the_geodesic(
    lat: float, lon: float, dlat: float, dlon: float
) -> None:
    a, b = (lat, lon), (max(-89.9, min(89.9, lat + dlat)), lon + dlon)
    assert distance.km_at_least(a, b) <= distance.km(a, b)
