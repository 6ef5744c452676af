"""Distances on the WGS-84 ellipsoid (Karney's algorithm, through geographiclib)."""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic

Point = tuple[float, float]  # (latitude, longitude), WGS-84


_WGS84 = Geodesic.WGS84


def km(a: Point, b: Point) -> float:
    """The geodesic distance between two points, in kilometres. geopy's ``geodesic`` runs
    the same solution, but also works out azimuths and wraps the points: twice the time."""
    return float(_WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"]) / 1000


def rough_km(a: Point, b: Point) -> float:
    """A fast equirectangular estimate (within about 0.5 % over a city): to pre-rank many
    candidates before the exact geodesic is computed for the few that are kept."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(mean_lat)
    dy = math.radians(b[0] - a[0])
    return 6371.0088 * math.hypot(dx, dy)


# WGS-84: a(1 - e²), the smallest radius of curvature anywhere on the ellipsoid (the meridian's,
# at the equator). Both of the ellipsoid's radii of curvature are at least this, so every path
# on it is at least as long as the same path (same latitudes and longitudes) on a sphere of
# this radius: the great circle there is a lower bound of the geodesic.
_SMALLEST_RADIUS_KM = 6378.137 * (1 - 0.00669437999014)


def km_at_least(a: Point, b: Point) -> float:
    """A cheap lower bound of ``km(a, b)`` (haversine on the smallest sphere, less a millimetre
    and 1e-9 for rounding): to skip the geodesic of a point that could not matter that close."""
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    sphere_km = 2 * _SMALLEST_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    return max(0.0, sphere_km * (1 - 1e-9) - 1e-6)
