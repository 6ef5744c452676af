"""Travel-time estimates and H3 cells."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import h3  # type: ignore[import-untyped,unused-ignore]
import pytest
from geopy.distance import geodesic

from wellspring.geo import cells
from wellspring.geo.distance import km
from wellspring.geo.travel import (
    DEFAULT_CITY,
    DEFAULT_PROFILES,
    Leg,
    SpeedProfile,
    TravelModel,
    local_hour,
)

PEOPLES_SQUARE = (31.2304, 121.4737)  # 人民广场
SHANGHAI_TOWER = (31.2335, 121.5055)  # 陆家嘴, across the river
JINGAN_TEMPLE = (31.2235, 121.4450)
XUJIAHUI = (31.1950, 121.4375)


# --- travel ---


def test_default_profiles_are_realistic() -> None:
    assert set(DEFAULT_PROFILES) == {"上海市", "北京市", "深圳市", "广州市", DEFAULT_CITY}
    for city in ("上海市", "北京市", "深圳市", "广州市"):
        speeds = DEFAULT_PROFILES[city].hourly_kmh
        assert len(speeds) == 24
        assert all(15 <= s <= 35 for s in speeds), city


@pytest.mark.parametrize("rush", [7, 8, 9, 17, 18, 19])
def test_rush_hour_is_slower_than_noon(rush: int) -> None:
    model = TravelModel()
    assert model.speed_kmh("上海市", rush) < model.speed_kmh("上海市", 12)
    leg_rush = model.estimate(PEOPLES_SQUARE, SHANGHAI_TOWER, city="上海市", hour=rush)
    leg_noon = model.estimate(PEOPLES_SQUARE, SHANGHAI_TOWER, city="上海市", hour=12)
    assert leg_rush.seconds > leg_noon.seconds
    assert leg_rush.metres == leg_noon.metres


def test_night_is_faster_than_noon() -> None:
    model = TravelModel()
    assert model.speed_kmh("北京市", 3) > model.speed_kmh("北京市", 12)


def test_unknown_city_uses_the_default_profile() -> None:
    model = TravelModel()
    for hour in range(24):
        assert (
            model.speed_kmh("乌鲁木齐市", hour) == DEFAULT_PROFILES[DEFAULT_CITY].hourly_kmh[hour]
        )
        assert model.speed_kmh("", hour) == DEFAULT_PROFILES[DEFAULT_CITY].hourly_kmh[hour]
    # Without the 市 suffix, still Shanghai.
    assert model.speed_kmh("上海", 8) == model.speed_kmh("上海市", 8)


def test_hour_is_validated() -> None:
    with pytest.raises(ValueError, match="hour"):
        TravelModel().speed_kmh("上海市", 24)


def test_peoples_square_to_lujiazui_is_plausible() -> None:
    geodesic_km = km(PEOPLES_SQUARE, SHANGHAI_TOWER)
    assert 2.8 < geodesic_km < 3.5
    leg = TravelModel().estimate(PEOPLES_SQUARE, SHANGHAI_TOWER, city="上海市", hour=12)
    assert leg.metres == round(geodesic_km * 1.35 * 1000)
    # ~4 km of road through the tunnel at midday plus parking: a quarter of an hour or so.
    assert 10 * 60 < leg.seconds < 25 * 60
    leg_rush = TravelModel().estimate(PEOPLES_SQUARE, SHANGHAI_TOWER, city="上海市", hour=18)
    assert leg_rush.seconds < 35 * 60


def test_overhead_and_zero_distance() -> None:
    model = TravelModel(overhead_seconds=300)
    assert model.estimate(PEOPLES_SQUARE, PEOPLES_SQUARE, city="上海市", hour=12) == Leg(0, 0)
    no_overhead = TravelModel(overhead_seconds=0)
    a = model.estimate(PEOPLES_SQUARE, XUJIAHUI, city="上海市", hour=12)
    b = no_overhead.estimate(PEOPLES_SQUARE, XUJIAHUI, city="上海市", hour=12)
    assert a.seconds - b.seconds == 300
    assert a.metres == b.metres


def test_matrix_is_symmetric_with_zero_diagonal() -> None:
    points = [PEOPLES_SQUARE, SHANGHAI_TOWER, JINGAN_TEMPLE, XUJIAHUI]
    model = TravelModel()
    seconds, metres = model.matrix(points, city="上海市", hour=8)
    assert len(seconds) == len(metres) == 4
    for i in range(4):
        assert seconds[i][i] == 0
        assert metres[i][i] == 0
        for j in range(4):
            assert seconds[i][j] == seconds[j][i]
            assert metres[i][j] == metres[j][i]
            if i != j:
                leg = model.estimate(points[i], points[j], city="上海市", hour=8)
                assert (seconds[i][j], metres[i][j]) == (leg.seconds, leg.metres)
    assert model.matrix([], city="上海市", hour=8) == ([], [])


def test_matrix_computes_each_pair_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import wellspring.geo.travel as travel

    calls: list[int] = []

    def counting_km(a: tuple[float, float], b: tuple[float, float]) -> float:
        calls.append(1)
        return km(a, b)

    monkeypatch.setattr(travel, "km", counting_km)
    TravelModel().matrix([PEOPLES_SQUARE, SHANGHAI_TOWER, JINGAN_TEMPLE, XUJIAHUI], city="", hour=0)
    assert len(calls) == 6


def test_model_is_validated() -> None:
    with pytest.raises(ValueError, match="24"):
        SpeedProfile((20.0,) * 23)
    with pytest.raises(ValueError, match="km/h"):
        SpeedProfile((20.0,) * 23 + (0.0,))
    with pytest.raises(ValueError, match="road_factor"):
        TravelModel(road_factor=0.9)
    with pytest.raises(ValueError, match="overhead"):
        TravelModel(overhead_seconds=-1)
    with pytest.raises(ValueError, match="'\\*'"):
        TravelModel(profiles={"上海市": DEFAULT_PROFILES["上海市"]})


def test_from_json_overrides_defaults() -> None:
    hangzhou = [30.0] * 24
    model = TravelModel.from_json(
        json.dumps({"road_factor": 1.5, "overhead_seconds": 120, "profiles": {"杭州市": hangzhou}})
    )
    assert model.road_factor == 1.5
    assert model.overhead_seconds == 120
    assert model.speed_kmh("杭州市", 8) == 30.0
    assert model.speed_kmh("上海市", 8) == TravelModel().speed_kmh("上海市", 8)  # kept
    assert TravelModel.from_json("{}") == TravelModel()


_SPEEDS_24 = ", ".join(["30"] * 24)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "not valid JSON"),
        ("not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"road_factor": "fast"}', "road_factor must be a number"),
        ('{"road_factor": 0.5}', "road_factor must be within"),
        ('{"overhead_seconds": 2.5}', "overhead_seconds must be an integer"),
        ('{"overhead_seconds": -5}', "overhead_seconds must be within"),
        ('{"speed": 30}', "unknown travel profile keys: speed"),
        ('{"profiles": []}', "profiles must be an object"),
        ('{"profiles": {"上海市": [30]}}', "needs 24 hourly values"),
        ('{"profiles": {"上海市": "fast"}}', "must be a list"),
        ('{"profiles": {"上海市": [' + ", ".join(["30"] * 23) + ', "x"]}}', "not a number"),
        ('{"profiles": {" ": [' + _SPEEDS_24 + "]}}", "blank"),
    ],
)
def test_from_json_rejects_bad_settings(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TravelModel.from_json(text)


def test_local_hour_is_shanghai_time() -> None:
    assert local_hour(datetime(2024, 6, 1, 0, 30, tzinfo=UTC)) == 8
    assert local_hour(datetime(2024, 6, 1, 20, 0, tzinfo=UTC)) == 4
    with pytest.raises(ValueError, match="aware"):
        local_hour(datetime(2024, 6, 1, 12, 0))  # naive


# --- cells ---


def test_cell_is_a_resolution_7_string() -> None:
    c = cells.cell(*PEOPLES_SQUARE)
    assert isinstance(c, str)
    assert h3.is_valid_cell(c)
    assert h3.get_resolution(c) == cells.RESOLUTION == 7
    assert cells.cell(*PEOPLES_SQUARE) == c  # deterministic


def test_disk_sizes_and_contents() -> None:
    c = cells.cell(*PEOPLES_SQUARE)
    assert cells.disk(c, 0) == [c]
    ring1 = cells.disk(c, 1)
    assert len(ring1) == 7
    assert c in ring1
    assert ring1 == sorted(ring1)
    assert len(cells.disk(c, 3)) == 1 + 3 * 3 * 4  # 3k(k+1) + 1
    with pytest.raises(ValueError, match="k must be"):
        cells.disk(c, -1)


def test_rings_for_radius() -> None:
    assert cells.rings_for_radius_km(0) == 0
    ks = [cells.rings_for_radius_km(r) for r in (0.5, 1, 2, 5, 10, 20, 50)]
    assert ks == sorted(ks)
    # Not absurdly conservative: 10 km at ~1.4 km edges is under a dozen rings.
    assert cells.rings_for_radius_km(10) <= 12
    with pytest.raises(ValueError, match="radius"):
        cells.rings_for_radius_km(-1)
    with pytest.raises(ValueError, match="radius"):
        cells.rings_for_radius_km(float("nan"))


@pytest.mark.parametrize("radius_km", [0.3, 1.0, 3.0, 10.0, 25.0])
def test_rings_cover_the_radius_across_china(radius_km: float) -> None:
    rng = random.Random(7)
    k = cells.rings_for_radius_km(radius_km)
    for _ in range(300):
        lat, lon = rng.uniform(18.5, 53.0), rng.uniform(74.0, 134.0)
        target = geodesic(kilometers=radius_km).destination((lat, lon), rng.uniform(0, 360))
        found = set(cells.disk(cells.cell(lat, lon), k))
        assert cells.cell(target.latitude, target.longitude) in found
