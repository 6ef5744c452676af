"""H3 cells as plain strings, so a nearest-engineer search is an indexed `IN (...)` on any SQL
database (SQLite and PostgreSQL alike) instead of a spatial extension.

A point's cell at RESOLUTION is stored next to its coordinates; a radius search asks for the
cells of `disk(cell(centre), rings_for_radius_km(radius))` and then measures exact distances.
"""

from __future__ import annotations

import functools
import math

# h3 4.x ships no type information; the unused-ignore lets a pyproject override coexist.
import h3  # type: ignore[import-untyped,unused-ignore]

__all__ = ["RESOLUTION", "cell", "disk", "rings_for_radius_km"]

# Resolution 7: ~1.4 km edges (~5 km² cells); a city-scale search radius is then tens of rings.
RESOLUTION = 7

# Cells at one resolution are not all alike: across China at resolution 7 edges run from about
# 0.71x to 1.1x the global average. Sizing rings on 0.65x the average keeps the covering
# conservative everywhere in the country (and near enough elsewhere).
_SMALLEST_EDGE_FACTOR = 0.65


def cell(lat: float, lon: float) -> str:
    """The H3 cell (hex string) at RESOLUTION containing a WGS-84 point."""
    return str(h3.latlng_to_cell(lat, lon, RESOLUTION))


def disk(origin: str, k: int) -> list[str]:
    """Every cell within k grid steps of origin (origin included), sorted for stable queries."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    return list(_disk(origin, k))


# grid_disk costs milliseconds at k = 32 (3,169 cells); searches around the same places repeat.
@functools.lru_cache(maxsize=1024)
def _disk(origin: str, k: int) -> tuple[str, ...]:
    return tuple(sorted(str(c) for c in h3.grid_disk(origin, k)))


def rings_for_radius_km(radius_km: float) -> int:
    """How many rings around a point's cell are sure to hold every point within radius_km.

    With edge e, a point lies within e of its cell's centre, so two points r apart sit in
    cells whose centres are at most r + 2e apart; neighbouring hexagon centres are sqrt(3)e
    apart and, along the zigzag worst case, k steps cover at least 1.5ke. Hence
    k = ceil((r + 2e) / 1.5e), with e shrunk to the smallest cells we expect.
    """
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError(f"radius must be a finite number >= 0 km, got {radius_km}")
    if radius_km == 0:
        return 0
    edge = float(h3.average_hexagon_edge_length(RESOLUTION, unit="km")) * _SMALLEST_EDGE_FACTOR
    return math.ceil((radius_km + 2 * edge) / (1.5 * edge))
