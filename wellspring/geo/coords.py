"""Chinese map coordinate systems: WGS-84, GCJ-02 and BD-09.

Phones report WGS-84; maps published in mainland China (AMap, Tencent) use GCJ-02, an
obfuscated WGS-84 shifted by a few hundred metres; Baidu adds its own offset on top (BD-09).
We store WGS-84 and convert at the edges. Every function takes and returns (lat, lon): many
published implementations use (lon, lat), so mind the order when comparing.

The forward GCJ-02 shift is the publicly documented polynomial on the Krasovsky 1940
ellipsoid; the inverses have no closed form, so we solve them by fixed-point iteration
(the shifts are smooth and far smaller than their own scale, so it converges in a few steps).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable

from wellspring.geo.distance import Point

__all__ = [
    "CoordSystem",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


class CoordSystem(enum.StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


# Krasovsky 1940: the ellipsoid GCJ-02's shift is scaled on.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
# BD-09's perturbation frequency (radians per degree, times 3000).
_BD_X_PI = math.pi * 3000.0 / 180.0

# Iterative inverses stop when a step moves less than this (degrees; ~0.1 µm) or after
# _MAX_ITERATIONS steps; in practice 3-6 steps reach machine precision.
_TOLERANCE = 1e-12
_MAX_ITERATIONS = 30

# Mainland China as a union of boxes (lat_min, lat_max, lon_min, lon_max). The classic single
# box (lat 0.83-55.83, lon 72.0-137.8) also shifts Seoul, Singapore, Hanoi and Ulaanbaatar;
# these boxes leave the neighbours' main cities out while keeping every Chinese city in. Border
# strips are still coarse (a few towns across the border fall inside), which only matters for
# points that are not ours anyway. Hong Kong, Macau and Taiwan fall inside, as in the classic box.
_CHINA_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (21.1, 42.5, 97.5, 123.0),  # core: from Yunnan and Guangdong up to Beijing and Shanghai
    (18.0, 21.1, 108.5, 111.3),  # Hainan and the Leizhou peninsula
    (38.5, 40.0, 117.0, 124.4),  # Liaodong peninsula, west of Korea
    (40.0, 45.0, 119.0, 131.3),  # Liaoning, Jilin, south Heilongjiang (west of Vladivostok)
    (45.0, 48.5, 119.0, 134.8),  # Heilongjiang east to the Ussuri
    (48.5, 50.5, 119.0, 131.0),  # Heilongjiang, Hulunbuir
    (50.5, 53.6, 119.0, 127.5),  # the Greater Khingan up to Mohe
    (41.0, 46.5, 111.5, 119.0),  # Inner Mongolia around Xilinhot and Erenhot
    (46.5, 50.5, 115.5, 119.0),  # Manzhouli and Hulun Lake
    (28.0, 40.0, 78.0, 97.5),  # Tibet, Qinghai, southern Xinjiang
    (36.5, 40.5, 74.8, 78.0),  # Kashgar and Tashkurgan
    (39.5, 42.0, 78.0, 97.5),  # Aksu, Korla, Dunhuang
    (42.0, 45.0, 80.2, 96.0),  # Yili, Urumqi, Turpan, Hami
    (45.0, 49.2, 82.5, 90.5),  # Tacheng, Karamay, Altay
)


def in_china(lat: float, lon: float) -> bool:
    """Whether Chinese maps shift this point (outside, GCJ-02 and BD-09's base equal WGS-84)."""
    # Within the shift (~0.01°) of a box edge the GCJ-02 image can land on the other side, so
    # round trips there are not exact; no city we serve is that close to an edge.
    return any(
        lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
        for lat_min, lat_max, lon_min, lon_max in _CHINA_BOXES
    )


def _gcj_offset(lat: float, lon: float) -> Point:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (lat, lon)."""
    x = lon - 105.0
    y = lat - 35.0
    # Shared periodic noise term in x, then the per-axis polynomials and harmonics (metres).
    noise = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_north += noise
    d_north += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_north += (
        (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2.0 / 3.0
    )
    d_east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_east += noise
    d_east += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_east += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    # Metres to degrees on the Krasovsky ellipsoid: meridional and prime-vertical radii.
    phi = math.radians(lat)
    w2 = 1.0 - _KRASOVSKY_EE * math.sin(phi) ** 2
    w = math.sqrt(w2)
    meridional = _KRASOVSKY_A * (1.0 - _KRASOVSKY_EE) / (w2 * w)
    prime_vertical = _KRASOVSKY_A / w
    return (
        math.degrees(d_north / meridional),
        math.degrees(d_east / (prime_vertical * math.cos(phi))),
    )


def _gcj_shifted(lat: float, lon: float) -> Point:
    d_lat, d_lon = _gcj_offset(lat, lon)
    return (lat + d_lat, lon + d_lon)


def _invert(forward: Callable[[float, float], Point], target: Point, start: Point) -> Point:
    """Solve forward(p) == target by fixed-point iteration from start.

    Converges because forward is the identity plus a small, slowly varying shift.
    """
    lat, lon = start
    for _ in range(_MAX_ITERATIONS):
        f_lat, f_lon = forward(lat, lon)
        step_lat = target[0] - f_lat
        step_lon = target[1] - f_lon
        lat += step_lat
        lon += step_lon
        if abs(step_lat) < _TOLERANCE and abs(step_lon) < _TOLERANCE:
            break
    return (lat, lon)


def wgs84_to_gcj02(lat: float, lon: float) -> Point:
    if not in_china(lat, lon):
        return (lat, lon)
    return _gcj_shifted(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float) -> Point:
    """The WGS-84 point whose GCJ-02 image is (lat, lon), to ~1e-12°.

    The common one-step formula (subtract the shift evaluated at the GCJ-02 point) is off by
    up to ~1e-5° (about a metre); iterating removes that.
    """
    if not in_china(lat, lon):
        return (lat, lon)
    d_lat, d_lon = _gcj_offset(lat, lon)
    # Iterate on the unconditional shift so a step across a box edge cannot flip the model.
    return _invert(_gcj_shifted, (lat, lon), (lat - d_lat, lon - d_lon))


def gcj02_to_bd09(lat: float, lon: float) -> Point:
    # Baidu's offset: a small polar-coordinate wobble plus a fixed (0.006, 0.0065) translation.
    # Unlike GCJ-02 it applies everywhere (Baidu's API shifts points abroad too).
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_X_PI)
    return (z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065)


def _bd09_to_gcj02_approx(lat: float, lon: float) -> Point:
    """The usual closed-form inverse: good to ~1e-6°, so only the iteration's start."""
    x = lon - 0.0065
    y = lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return (z * math.sin(theta), z * math.cos(theta))


def bd09_to_gcj02(lat: float, lon: float) -> Point:
    return _invert(gcj02_to_bd09, (lat, lon), _bd09_to_gcj02_approx(lat, lon))


def wgs84_to_bd09(lat: float, lon: float) -> Point:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> Point:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def to_wgs84(lat: float, lon: float, system: CoordSystem) -> Point:
    """Convert a point given in `system` to WGS-84."""
    match system:
        case CoordSystem.WGS84:
            return (lat, lon)
        case CoordSystem.GCJ02:
            return gcj02_to_wgs84(lat, lon)
        case CoordSystem.BD09:
            return bd09_to_wgs84(lat, lon)


def from_wgs84(lat: float, lon: float, system: CoordSystem) -> Point:
    """Convert a WGS-84 point to `system`."""
    match system:
        case CoordSystem.WGS84:
            return (lat, lon)
        case CoordSystem.GCJ02:
            return wgs84_to_gcj02(lat, lon)
        case CoordSystem.BD09:
            return wgs84_to_bd09(lat, lon)
