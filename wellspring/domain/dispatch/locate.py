"""Where things are: a job's site, an engineer's best-known position, phone reports."""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass
from typing import Protocol

from ...geo import cells, centroids
from ...geo.coords import CoordSystem, to_wgs84
from ...geo.distance import Point
from ..config import TIME_ZONE
from ..errors import DomainError
from ..models import Address, Branch, Technician


class CoordinateSource(enum.StrEnum):
    """Where an address's coordinates came from (stored lower-case in ``coordinate_source``)."""

    CLIENT = "client"  # the caller's map pick, converted to WGS-84
    NOMINATIM = "nominatim"  # geocoded by OpenStreetMap's Nominatim
    BAIDU = "baidu"  # geocoded by Baidu Maps
    CENTROID = "centroid"  # the district's centre: approximate

    @classmethod
    def of(cls, stored: str) -> CoordinateSource | None:
        """The source of a stored address ('' and unknown values: no coordinates)."""
        try:
            return cls(stored)
        except ValueError:
            return None


class PositionSource(enum.StrEnum):
    PHONE = "PHONE"  # the phone's last report, fresh enough
    LAST_SITE = "LAST_SITE"  # the site of the last job reached today
    HOME = "HOME"  # the engineer's home base
    BRANCH = "BRANCH"  # nothing better: the branch office


@dataclass(frozen=True)
class Located:
    point: Point
    source: PositionSource
    at: dt.datetime | None  # when that position was true, when known


@dataclass(frozen=True)
class Site:
    point: Point
    approximate: bool


class Whereabouts(Protocol):
    """What placing an engineer reads: a Technician, or a row of those columns."""

    @property
    def position_latitude(self) -> float | None: ...
    @property
    def position_longitude(self) -> float | None: ...
    @property
    def position_at(self) -> dt.datetime | None: ...
    @property
    def site_latitude(self) -> float | None: ...
    @property
    def site_longitude(self) -> float | None: ...
    @property
    def site_at(self) -> dt.datetime | None: ...
    @property
    def home_latitude(self) -> float | None: ...
    @property
    def home_longitude(self) -> float | None: ...


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TIME_ZONE).date()


def phone_fix_is_fresh(tech: Whereabouts, now: dt.datetime, max_age: dt.timedelta) -> bool:
    """Whether the phone's last fix is recent enough (``max_age``) to place the engineer."""
    return tech.position_at is not None and now - tech.position_at <= max_age


def technician_position(
    tech: Whereabouts, now: dt.datetime, max_age: dt.timedelta, branch: Branch | None = None
) -> Located | None:
    """The engineer's best-known position: a fresh phone fix, today's last site, or home."""
    if (
        tech.position_latitude is not None
        and tech.position_longitude is not None
        and tech.position_at is not None
        and phone_fix_is_fresh(tech, now, max_age)
    ):
        point = (tech.position_latitude, tech.position_longitude)
        return Located(point, PositionSource.PHONE, tech.position_at)
    if (
        tech.site_latitude is not None
        and tech.site_longitude is not None
        and tech.site_at is not None
        and local_day(tech.site_at) == local_day(now)
    ):
        return Located(
            (tech.site_latitude, tech.site_longitude), PositionSource.LAST_SITE, tech.site_at
        )
    if tech.home_latitude is not None and tech.home_longitude is not None:
        return Located((tech.home_latitude, tech.home_longitude), PositionSource.HOME, None)
    if branch is not None and branch.latitude is not None and branch.longitude is not None:
        return Located((branch.latitude, branch.longitude), PositionSource.BRANCH, None)
    return None


def home_point(tech: Technician, branch: Branch | None) -> Point | None:
    if tech.home_latitude is not None and tech.home_longitude is not None:
        return (tech.home_latitude, tech.home_longitude)
    if branch is not None and branch.latitude is not None and branch.longitude is not None:
        return (branch.latitude, branch.longitude)
    return None


def address_site(address: Address | None) -> Site | None:
    """A job's site: the address's coordinates, else its district's centroid (approximate)."""
    if address is None:
        return None
    if address.latitude is not None and address.longitude is not None:
        return Site((address.latitude, address.longitude), address.is_approximate)
    centroid = centroids.district_centroid(address.province, address.city, address.district)
    return Site(centroid, True) if centroid is not None else None


def check_point(latitude: float | None, longitude: float | None) -> None:
    """Both finite and in range; a refusal names the coordinate that is not."""
    if latitude is None or not math.isfinite(latitude) or not -90 <= latitude <= 90:
        raise DomainError("INVALID_COORDINATES", field="latitude")
    if longitude is None or not math.isfinite(longitude) or not -180 <= longitude <= 180:
        raise DomainError("INVALID_COORDINATES", field="longitude")


def coordinates_for_new_address(
    values: dict[str, object], system: CoordSystem = CoordSystem.WGS84
) -> dict[str, object]:
    """Fill an address's coordinates: the client's (converted to WGS-84) or a centroid.

    No network here: a configured geocoder refines addresses later, on request
    (``geocoding.geocode_address``).
    """
    lat, lon = values.get("latitude"), values.get("longitude")
    if isinstance(lat, float | int) and isinstance(lon, float | int):
        wlat, wlon = to_wgs84(float(lat), float(lon), system)
        return {
            **values,
            "latitude": wlat,
            "longitude": wlon,
            "is_approximate": False,
            "coordinate_source": CoordinateSource.CLIENT.value,
        }
    centroid = centroids.district_centroid(
        str(values.get("province", "")),
        str(values.get("city", "")),
        str(values.get("district", "")),
    )
    if centroid is None:
        return {**values, "latitude": None, "longitude": None, "coordinate_source": ""}
    return {
        **values,
        "latitude": centroid[0],
        "longitude": centroid[1],
        "is_approximate": True,
        "coordinate_source": CoordinateSource.CENTROID.value,
    }


def set_home(tech: Technician, latitude: float | None, longitude: float | None) -> None:
    tech.home_latitude, tech.home_longitude = latitude, longitude
    tech.home_cell = (
        cells.cell(latitude, longitude) if latitude is not None and longitude is not None else None
    )


def mark_site(tech: Technician, site: Site | None, at: dt.datetime) -> None:
    """The engineer reached a job: its site is where they are until the phone says otherwise."""
    if site is None:
        return
    tech.site_latitude, tech.site_longitude = site.point
    tech.site_at = at
    tech.site_cell = cells.cell(*site.point)
