"""Offline road travel estimates: geodesic distance x road factor, at a city/hour speed.

No routing engine and no network: good enough to rank engineers and to sequence a day's
jobs, and deterministic for tests. A real router can replace it behind the same shape.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from wellspring.geo.distance import Point, km

__all__ = [
    "DEFAULT_CITY",
    "DEFAULT_PROFILES",
    "Leg",
    "SpeedProfile",
    "TravelModel",
    "local_hour",
]

DEFAULT_CITY = "*"

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and
# avoids depending on the tz database being installed.
_CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_hour(when: datetime) -> int:
    """The hour of day (0-23) in Asia/Shanghai of an aware datetime."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("local_hour needs an aware datetime (naive ones are ambiguous)")
    return when.astimezone(_CHINA_TZ).hour


@dataclass(frozen=True)
class SpeedProfile:
    """Average door-to-door driving speed in km/h for each local hour 0-23."""

    hourly_kmh: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.hourly_kmh) != 24:
            raise ValueError(f"a speed profile needs 24 hourly values, got {len(self.hourly_kmh)}")
        for hour, kmh in enumerate(self.hourly_kmh):
            if isinstance(kmh, bool) or not isinstance(kmh, int | float):
                raise ValueError(f"speed at hour {hour} is not a number: {kmh!r}")
            if not math.isfinite(kmh) or not 1.0 <= kmh <= 150.0:
                raise ValueError(f"speed at hour {hour} must be within 1-150 km/h, got {kmh}")


def _profile(night: float, shoulder: float, day: float, rush: float, peak: float) -> SpeedProfile:
    """A day shaped like Chinese urban traffic: the morning peak is 8:00, the evening 18:00."""
    # fmt: off
    return SpeedProfile(
        (
            night, night, night, night, night, night,  # 00-05
            shoulder,  # 06
            rush, peak, rush,  # 07-09 morning rush
            day, day, day, day, day, day, day,  # 10-16
            rush, peak, rush,  # 17-19 evening rush
            shoulder, shoulder,  # 20-21
            night, night,  # 22-23
        )
    )
    # fmt: on


# Average urban driving speeds (km/h). Congestion reports for the largest Chinese cities put
# peak-hour speeds on main roads in the low-to-mid 20s; door-to-door trips also crawl along
# local streets and estate roads, hence the lower values here.
DEFAULT_PROFILES: Mapping[str, SpeedProfile] = MappingProxyType(
    {
        "北京市": _profile(night=35, shoulder=25, day=22, rush=17, peak=15),
        "上海市": _profile(night=35, shoulder=26, day=23, rush=18, peak=16),
        "广州市": _profile(night=35, shoulder=27, day=24, rush=19, peak=17),
        "深圳市": _profile(night=35, shoulder=27, day=25, rush=20, peak=18),
        DEFAULT_CITY: _profile(night=38, shoulder=30, day=28, rush=22, peak=20),
    }
)


@dataclass(frozen=True)
class Leg:
    seconds: int
    metres: int


def _default_profiles() -> Mapping[str, SpeedProfile]:
    return DEFAULT_PROFILES


@dataclass(frozen=True)
class TravelModel:
    # Road distance over straight-line distance; ~1.3-1.4 is typical of dense street grids.
    road_factor: float = 1.35
    # Parking, walking in and the lift: paid once per trip that actually moves.
    overhead_seconds: int = 300
    # Keyed by the city as written in addresses ("上海市"); DEFAULT_CITY is the fallback.
    profiles: Mapping[str, SpeedProfile] = field(default_factory=_default_profiles, hash=False)

    def __post_init__(self) -> None:
        if not math.isfinite(self.road_factor) or not 1.0 <= self.road_factor <= 3.0:
            raise ValueError(f"road_factor must be within 1.0-3.0, got {self.road_factor}")
        if isinstance(self.overhead_seconds, bool) or not isinstance(self.overhead_seconds, int):
            raise ValueError(f"overhead_seconds must be an integer, got {self.overhead_seconds!r}")
        if not 0 <= self.overhead_seconds <= 3600:
            raise ValueError(f"overhead_seconds must be within 0-3600, got {self.overhead_seconds}")
        if DEFAULT_CITY not in self.profiles:
            raise ValueError(f"profiles need a {DEFAULT_CITY!r} entry for other cities")

    def speed_kmh(self, city: str, hour: int) -> float:
        if not 0 <= hour <= 23:
            raise ValueError(f"hour must be within 0-23, got {hour}")
        city = city.strip()
        # Addresses sometimes drop the 市 suffix ("上海" for "上海市").
        profile = (
            self.profiles.get(city) or self.profiles.get(city + "市") or self.profiles[DEFAULT_CITY]
        )
        return float(profile.hourly_kmh[hour])

    def estimate(self, a: Point, b: Point, *, city: str, hour: int) -> Leg:
        speed = self.speed_kmh(city, hour)
        return self._leg(km(a, b), speed)

    def for_distance(self, geodesic_km: float, *, city: str, hour: int) -> Leg:
        """The leg for a geodesic distance already known (saves computing it twice)."""
        return self._leg(geodesic_km, self.speed_kmh(city, hour))

    def matrix(
        self, points: Sequence[Point], *, city: str, hour: int
    ) -> tuple[list[list[int]], list[list[int]]]:
        """(seconds, metres) between every pair of points: symmetric, zero on the diagonal."""
        speed = self.speed_kmh(city, hour)
        n = len(points)
        seconds = [[0] * n for _ in range(n)]
        metres = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                # Geodesics cost ~120 µs each here; a day of 30 stops is 435 of them.
                leg = self._leg(km(points[i], points[j]), speed)
                seconds[i][j] = seconds[j][i] = leg.seconds
                metres[i][j] = metres[j][i] = leg.metres
        return seconds, metres

    def _leg(self, geodesic_km: float, speed_kmh: float) -> Leg:
        road_km = geodesic_km * self.road_factor
        metres = round(road_km * 1000)
        if metres == 0:
            # Same building: no driving, no parking.
            return Leg(seconds=0, metres=0)
        seconds = round(road_km / speed_kmh * 3600) + self.overhead_seconds
        return Leg(seconds=seconds, metres=metres)

    @classmethod
    def from_json(cls, text: str) -> TravelModel:
        """A model from a JSON setting (e.g. WELLSPRING_TRAVEL_PROFILE), over the defaults.

        ``{"road_factor": 1.4, "overhead_seconds": 240,
        "profiles": {"杭州市": [24 km/h values], "*": [...]}}`` - every key optional; listed
        profiles replace or add to the built-in ones. Any problem raises ValueError.
        """
        try:
            raw: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"travel profile is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValueError("travel profile must be a JSON object")
        unknown = set(raw) - {"road_factor", "overhead_seconds", "profiles"}
        if unknown:
            raise ValueError(f"unknown travel profile keys: {', '.join(sorted(unknown))}")

        road_factor = raw.get("road_factor", cls.road_factor)
        if isinstance(road_factor, bool) or not isinstance(road_factor, int | float):
            raise ValueError(f"road_factor must be a number, got {road_factor!r}")
        overhead = raw.get("overhead_seconds", cls.overhead_seconds)

        profiles = dict(DEFAULT_PROFILES)
        custom = raw.get("profiles", {})
        if not isinstance(custom, dict):
            raise ValueError("profiles must be an object of city -> 24 speeds")
        for city, speeds in custom.items():
            if not city.strip():
                raise ValueError("profile city names must not be blank")
            if not isinstance(speeds, list):
                raise ValueError(f"profile for {city!r} must be a list of 24 speeds")
            try:
                profiles[city.strip()] = SpeedProfile(tuple(speeds))
            except ValueError as exc:
                raise ValueError(f"profile for {city!r}: {exc}") from exc

        return cls(
            road_factor=float(road_factor),
            overhead_seconds=overhead,
            profiles=MappingProxyType(profiles),
        )
