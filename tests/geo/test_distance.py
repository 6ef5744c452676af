"""``distance.km``: Vincenty's formula between near points, geographiclib elsewhere, each
checked against geopy's geodesic (Karney's solution, the reference the module replaced)."""

from __future__ import annotations

from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from wellspring.geo import distance
from wellspring.geo.distance import km, km_at_least

latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
points = st.tuples(latitudes, longitudes)
MILLIMETRE_KM = 1e-6


@settings(max_examples=300, deadline=None)
@given(a=points, b=points)
def test_km_is_geopys_geodesic(a: tuple[float, float], b: tuple[float, float]) -> None:
    expected = geodesic(a, b).km
    assert abs(km(a, b) - expected) <= MILLIMETRE_KM
    assert km_at_least(a, b) <= km(a, b)


@st.composite
def near_pairs(draw: st.DrawFn) -> tuple[tuple[float, float], tuple[float, float]]:
    """Two points within Vincenty's reach (across the antimeridian too), or just past it."""
    a = (draw(st.floats(-87, 87)), draw(longitudes))
    d_lat, d_lon = draw(st.floats(-10.5, 10.5)), draw(st.floats(-10.5, 10.5))
    lat = max(-90.0, min(90.0, a[0] + d_lat))
    return a, (lat, (a[1] + d_lon + 180) % 360 - 180)


@settings(max_examples=300, deadline=None)
@given(pair=near_pairs())
def test_near_points_within_a_millimetre_of_karneys_geodesic(
    pair: tuple[tuple[float, float], tuple[float, float]],
) -> None:
    a, b = pair
    assert abs(km(a, b) - geodesic(a, b).km) <= MILLIMETRE_KM
    assert km_at_least(a, b) <= km(a, b)
    assert abs(km(a, b) - km(b, a)) <= MILLIMETRE_KM


def test_vincentys_formula_answers_where_it_is_used() -> None:
    # The same point, along the equator (cos²α = 0), across the antimeridian, near a pole.
    assert distance._vincenty_m(31.2, 31.2, 0.0) == 0.0
    for lat1, lat2, d_lon in [(0, 0, 10), (10, 10, 0.02), (85, 85, 10), (-85, -80, 15)]:
        metres = distance._vincenty_m(lat1, lat2, d_lon)
        assert metres is not None
        assert abs(metres / 1000 - geodesic((lat1, 0), (lat2, d_lon)).km) <= MILLIMETRE_KM


def test_a_city_distance() -> None:
    # People's Square to Shanghai Tower (Lujiazui): about 3 km.
    assert abs(km((31.2304, 121.4737), (31.2335, 121.5055)) - 3.04) < 0.02
