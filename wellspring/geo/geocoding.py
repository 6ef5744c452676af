"""Address -> WGS-84 point through a configurable online geocoder (geopy), off by default.

Off (kind "none") means no network at all: callers fall back to the offline district
centroids (centroids.py). Providers answer in their own datum; results here are WGS-84.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from geopy.exc import GeopyError
from geopy.geocoders import BaiduV3, Nominatim

from wellspring.geo.coords import bd09_to_wgs84

__all__ = [
    "GeocodeResult",
    "Geocoder",
    "GeocoderKind",
    "GeocoderSettings",
    "GeocodingUnavailable",
    "build_geocoder",
]

GeocoderKind = Literal["none", "nominatim", "baidu"]


class GeocodingUnavailable(Exception):
    """The geocoder could not answer (timeout, connection, HTTP or service error).

    Distinct from "no such address" (None), so callers can retry later instead of
    concluding the address is bad.
    """


@dataclass(frozen=True)
class GeocoderSettings:
    kind: GeocoderKind = "none"
    # Nominatim's usage policy requires an identifying User-Agent.
    user_agent: str = "wellspring"
    api_key: str | None = field(default=None, repr=False)  # Baidu's AK; kept out of logs
    # None: the provider's public host. Set (with scheme "http") to reach a fake or self-hosted one.
    domain: str | None = None
    scheme: Literal["http", "https"] = "https"
    timeout: float = 5.0

    def __post_init__(self) -> None:
        if self.kind not in get_args(GeocoderKind):
            raise ValueError(f"unknown geocoder kind {self.kind!r}")
        if self.scheme not in ("http", "https"):
            raise ValueError(f"scheme must be 'http' or 'https', got {self.scheme!r}")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")
        if self.kind == "baidu" and not self.api_key:
            raise ValueError("the baidu geocoder needs an api_key (AK)")
        if self.kind != "none" and not self.user_agent.strip():
            raise ValueError("a geocoder needs a user_agent")


@dataclass(frozen=True)
class GeocodeResult:
    latitude: float  # WGS-84
    longitude: float  # WGS-84
    provider: str
    display: str


_BAIDU_DOMAIN = "api.map.baidu.com"


class Geocoder:
    """A synchronous geocoder; build it with build_geocoder."""

    def __init__(self, provider: GeocoderKind, backend: Any) -> None:
        self.provider = provider
        self._backend = backend

    def geocode(self, query: str) -> GeocodeResult | None:
        """The best match for query, or None when the provider knows no such place.

        Raises GeocodingUnavailable when the provider could not be asked or did not answer.
        """
        query = query.strip()
        if not query:
            return None
        try:
            location = self._backend.geocode(query, exactly_one=True)
            if location is None:
                return None
            lat, lon = float(location.latitude), float(location.longitude)
        except GeopyError as exc:
            raise GeocodingUnavailable(f"{self.provider} geocoder: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            # geopy parses answers without guarding against missing fields.
            raise GeocodingUnavailable(f"{self.provider} geocoder: malformed answer") from exc
        if self.provider == "baidu":
            # Baidu answers in BD-09 unless asked otherwise (ret_coordtype defaults to bd09ll),
            # and its geocoding answer carries no formatted address, only a match level.
            lat, lon = bd09_to_wgs84(lat, lon)
            display = query
        else:
            display = str(location.address or query)
        return GeocodeResult(latitude=lat, longitude=lon, provider=self.provider, display=display)


def build_geocoder(settings: GeocoderSettings) -> Geocoder | None:
    """The configured geocoder, or None when geocoding is off (the default)."""
    try:
        if settings.kind == "nominatim":
            nominatim_kwargs: dict[str, Any] = {}
            if settings.domain:
                nominatim_kwargs["domain"] = settings.domain
            return Geocoder(
                "nominatim",
                Nominatim(
                    user_agent=settings.user_agent,
                    scheme=settings.scheme,
                    timeout=settings.timeout,
                    **nominatim_kwargs,
                ),
            )
        if settings.kind == "baidu":
            baidu = BaiduV3(
                api_key=settings.api_key,
                user_agent=settings.user_agent,
                scheme=settings.scheme,
                timeout=settings.timeout,
            )
            # geopy's Baidu classes take no domain and build their URL from a fixed host;
            # re-point it (same path, /geocoding/v3/) for a proxy or a test server.
            domain = (settings.domain or _BAIDU_DOMAIN).strip("/")
            baidu.api = f"{settings.scheme}://{domain}{baidu.api_path}"
            return Geocoder("baidu", baidu)
    except GeopyError as exc:  # e.g. ConfigurationError for a rejected user agent
        raise ValueError(f"cannot build the {settings.kind} geocoder: {exc}") from exc
    return None
