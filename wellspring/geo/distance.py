"""Distances on the WGS-84 ellipsoid (geopy's geodesic, Karney's algorithm)."""

from __future__ import annotations

from geopy.distance import geodesic

Point = tuple[float, float]  # (latitude, longitude), WGS-84


def km(a: Point, b: Point) -> float:
    """The geodesic distance between two points, in kilometres."""
    return float(geodesic(a, b).km)
