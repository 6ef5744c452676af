"""Distances on the WGS-84 ellipsoid (geopy's geodesic, Karney's algorithm)."""

from __future__ import annotations

import math

from geopy.distance import geodesic

Point = tuple[float, float]  # (latitude, longitude), WGS-84


def km(a: Point, b: Point) -> float:
    """The geodesic distance between two points, in kilometres."""
    return float(geodesic(a, b).km)


def rough_km(a: Point, b: Point) -> float:
    """A fast equirectangular estimate (within about 0.5 % over a city): to pre-rank many
    candidates before the exact geodesic is computed for the few that are kept."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(mean_lat)
    dy = math.radians(b[0] - a[0])
    return 6371.0088 * math.hypot(dx, dy)
