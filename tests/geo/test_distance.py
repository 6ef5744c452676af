"""``distance.km`` asks geographiclib for the distance alone: the same figure as geopy's
geodesic (the reference it replaced), anywhere on the ellipsoid."""

from __future__ import annotations

from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from wellspring.geo.distance import km, km_at_least

latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


@settings(max_examples=300, deadline=None)
@given(a=points, b=points)
def test_km_is_geopys_geodesic(a: tuple[float, float], b: tuple[float, float]) -> None:
    expected = geodesic(a, b).km
    assert abs(km(a, b) - expected) <= 1e-9 * max(1.0, expected)
    assert km_at_least(a, b) <= km(a, b)


def test_a_city_distance() -> None:
    # People's Square to Shanghai Tower (Lujiazui): about 3 km.
    assert abs(km((31.2304, 121.4737), (31.2335, 121.5055)) - 3.04) < 0.02
