"""WGS-84 / GCJ-02 / BD-09 conversions against published point pairs.

Published implementations mostly take and return (lon, lat); every pair below has been
reordered to our (lat, lon).
"""

from __future__ import annotations

import random

import pytest

from wellspring.geo.coords import (
    CoordSystem,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from wellspring.geo.distance import km

# github.com/googollee/eviltransform, python/test.py (TESTS, already (lat, lon)):
# WGS-84 -> GCJ-02 for Shanghai, Shenzhen and Beijing.
EVILTRANSFORM_WGS_GCJ = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]

# github.com/wandergis/coordtransform, test/app.js: every conversion of the point
# "116.404, 39.915" (lon, lat; Tiananmen), with its printed results, here as (lat, lon).
TIANANMEN = (39.915, 116.404)
COORDTRANSFORM_WGS84_TO_GCJ02 = (39.91640428150164, 116.41024449916938)
COORDTRANSFORM_GCJ02_TO_BD09 = (39.92133699351021, 116.41036949371029)
COORDTRANSFORM_BD09_TO_GCJ02 = (39.90865673957631, 116.39762729119315)
# coordtransform's gcj02towgs84 is the one-step approximation (off by ~5e-7° here).
COORDTRANSFORM_GCJ02_TO_WGS84_APPROX = (39.91359571849836, 116.39775550083061)


def _close(a: tuple[float, float], b: tuple[float, float], tol: float) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_published_pairs(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert _close(wgs84_to_gcj02(*wgs), gcj, 1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_inverts_published_pairs(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert _close(gcj02_to_wgs84(*gcj), wgs, 1e-8)


def test_tiananmen_pairs() -> None:
    assert _close(wgs84_to_gcj02(*TIANANMEN), COORDTRANSFORM_WGS84_TO_GCJ02, 1e-9)
    assert _close(gcj02_to_bd09(*TIANANMEN), COORDTRANSFORM_GCJ02_TO_BD09, 1e-9)
    # Their BD-09 -> GCJ-02 is the closed-form approximation; ours is iterated to the exact
    # inverse, which differs by a few 1e-7°.
    assert _close(bd09_to_gcj02(*TIANANMEN), COORDTRANSFORM_BD09_TO_GCJ02, 1e-6)
    assert _close(gcj02_to_wgs84(*TIANANMEN), COORDTRANSFORM_GCJ02_TO_WGS84_APPROX, 2e-6)


def test_iterative_inverses_are_exact_where_one_step_is_not() -> None:
    wgs = gcj02_to_wgs84(*TIANANMEN)
    assert _close(wgs84_to_gcj02(*wgs), TIANANMEN, 1e-10)
    # The one-step answer, sent forward again, misses by more than our tolerance.
    assert not _close(wgs84_to_gcj02(*COORDTRANSFORM_GCJ02_TO_WGS84_APPROX), TIANANMEN, 1e-7)
    gcj = bd09_to_gcj02(*TIANANMEN)
    assert _close(gcj02_to_bd09(*gcj), TIANANMEN, 1e-10)


def test_shift_sizes_are_plausible() -> None:
    # GCJ-02 moves points by a few hundred metres; BD-09 by roughly a kilometre more.
    shanghai = (31.2304, 121.4737)
    assert 0.2 < km(shanghai, wgs84_to_gcj02(*shanghai)) < 0.8
    assert 0.6 < km(shanghai, wgs84_to_bd09(*shanghai)) < 1.6


def test_round_trips_within_1e_6_degrees() -> None:
    rng = random.Random(20240601)
    # Sample well inside China: near the edge of the in_china region an image can cross it.
    points = [(rng.uniform(22.0, 41.0), rng.uniform(100.0, 121.0)) for _ in range(500)]
    points += [(31.2304, 121.4737), (39.9042, 116.4074), (22.5431, 114.0579), (43.8, 87.6)]
    for lat, lon in points:
        assert _close(gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon)), (lat, lon), 1e-6)
        assert _close(bd09_to_gcj02(*gcj02_to_bd09(lat, lon)), (lat, lon), 1e-6)
        assert _close(bd09_to_wgs84(*wgs84_to_bd09(lat, lon)), (lat, lon), 1e-6)
        for system in CoordSystem:
            assert _close(to_wgs84(*from_wgs84(lat, lon, system), system), (lat, lon), 1e-6)


CHINESE_PLACES = {
    "Beijing": (39.9042, 116.4074),
    "Shanghai, Shengsi islands": (30.7, 122.45),
    "Sanya": (18.25, 109.5),
    "Jinghong": (22.0, 100.8),
    "Lhasa": (29.65, 91.1),
    "Kashgar": (39.47, 75.99),
    "Urumqi": (43.8, 87.6),
    "Altay": (47.85, 88.13),
    "Harbin": (45.75, 126.6),
    "Mohe": (52.97, 122.5),
    "Manzhouli": (49.6, 117.4),
    "Hunchun": (42.87, 130.36),
    "Erenhot": (43.65, 111.97),
    "Dalian": (38.91, 121.6),
    "Dunhuang": (40.14, 94.66),
}

ABROAD = {
    "Seoul": (37.57, 126.98),
    "Pyongyang": (39.02, 125.75),
    "Tokyo": (35.68, 139.69),
    "Singapore": (1.35, 103.82),
    "Hanoi": (21.03, 105.85),
    "Bangkok": (13.75, 100.5),
    "Ulaanbaatar": (47.92, 106.92),
    "Almaty": (43.24, 76.9),
    "Kathmandu": (27.7, 85.32),
    "Vladivostok": (43.12, 131.89),
    "London": (51.5074, -0.1278),
    "Sydney": (-33.87, 151.21),
}


@pytest.mark.parametrize("place", CHINESE_PLACES)
def test_in_china(place: str) -> None:
    assert in_china(*CHINESE_PLACES[place])


@pytest.mark.parametrize("place", ABROAD)
def test_no_gcj_shift_outside_china(place: str) -> None:
    lat, lon = ABROAD[place]
    assert not in_china(lat, lon)
    assert wgs84_to_gcj02(lat, lon) == (lat, lon)
    assert gcj02_to_wgs84(lat, lon) == (lat, lon)
    assert to_wgs84(lat, lon, CoordSystem.GCJ02) == (lat, lon)


def test_wgs84_is_identity() -> None:
    assert to_wgs84(31.0, 121.0, CoordSystem.WGS84) == (31.0, 121.0)
    assert from_wgs84(31.0, 121.0, CoordSystem.WGS84) == (31.0, 121.0)


def test_coord_system_values() -> None:
    assert [s.value for s in CoordSystem] == ["wgs84", "gcj02", "bd09"]
    assert CoordSystem("bd09") is CoordSystem.BD09
