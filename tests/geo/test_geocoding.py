"""The geocoders against a real local HTTP server speaking Nominatim's and Baidu's formats."""

from __future__ import annotations

import pytest

from tests.fake_geocoder import FakeServer, Reply
from wellspring.geo.coords import bd09_to_wgs84
from wellspring.geo.geocoding import (
    GeocoderSettings,
    GeocodingUnavailable,
    build_geocoder,
)


def _settings(server: FakeServer, kind: str, **overrides: object) -> GeocoderSettings:
    options: dict[str, object] = {
        "kind": kind,
        "user_agent": "wellspring-tests",
        "domain": server.domain,
        "scheme": "http",
        "timeout": 2.0,
    }
    if kind == "baidu":
        options["api_key"] = "test-ak"
    options.update(overrides)
    return GeocoderSettings(**options)  # type: ignore[arg-type]


# Nominatim's /search?format=json answer: a list of places, coordinates as strings.
PEOPLES_SQUARE = {
    "place_id": 1,
    "lat": "31.2304",
    "lon": "121.4737",
    "display_name": "人民广场, 黄浦区, 上海市, 中国",
}


def test_default_settings_build_no_geocoder() -> None:
    assert GeocoderSettings().kind == "none"
    assert build_geocoder(GeocoderSettings()) is None


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="api_key"):
        GeocoderSettings(kind="baidu")
    with pytest.raises(ValueError, match="kind"):
        GeocoderSettings(kind="google")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        GeocoderSettings(kind="nominatim", timeout=0)


def test_api_key_is_kept_out_of_repr() -> None:
    assert "secret-ak" not in repr(GeocoderSettings(kind="baidu", api_key="secret-ak"))


def test_nominatim_answer(fake_server: FakeServer) -> None:
    fake_server.reply = Reply(body=[PEOPLES_SQUARE])
    geocoder = build_geocoder(_settings(fake_server, "nominatim"))
    assert geocoder is not None

    result = geocoder.geocode("上海市黄浦区人民广场")

    assert result is not None
    assert (result.latitude, result.longitude) == (31.2304, 121.4737)  # WGS-84 already
    assert result.provider == "nominatim"
    assert result.display == "人民广场, 黄浦区, 上海市, 中国"
    path, params = fake_server.requests[0]
    assert path == "/search"
    assert params["q"] == ["上海市黄浦区人民广场"]
    assert params["format"] == ["json"]


def test_nominatim_empty_answer_is_none(fake_server: FakeServer) -> None:
    fake_server.reply = Reply(body=[])
    geocoder = build_geocoder(_settings(fake_server, "nominatim"))
    assert geocoder is not None
    assert geocoder.geocode("不存在的地址") is None


def test_blank_query_asks_nobody(fake_server: FakeServer) -> None:
    geocoder = build_geocoder(_settings(fake_server, "nominatim"))
    assert geocoder is not None
    assert geocoder.geocode("   ") is None
    assert fake_server.requests == []


def test_baidu_answer_is_converted_to_wgs84(fake_server: FakeServer) -> None:
    # Baidu geocoding v3's JSON: status 0 and one result whose location is BD-09
    # (https://lbsyun.baidu.com/index.php?title=webapi/guide/webservice-geocoding).
    bd_lat, bd_lng = 31.236911, 121.484806
    fake_server.reply = Reply(
        body={
            "status": 0,
            "result": {
                "location": {"lng": bd_lng, "lat": bd_lat},
                "precise": 1,
                "confidence": 80,
                "comprehension": 100,
                "level": "门址",
            },
        }
    )
    geocoder = build_geocoder(_settings(fake_server, "baidu"))
    assert geocoder is not None

    result = geocoder.geocode("上海市黄浦区人民大道200号")

    assert result is not None
    expected = bd09_to_wgs84(bd_lat, bd_lng)
    assert result.latitude == pytest.approx(expected[0], abs=1e-9)
    assert result.longitude == pytest.approx(expected[1], abs=1e-9)
    # In Shanghai BD-09 sits ~0.004° north and ~0.011° east of WGS-84 (about 1.1 km).
    assert 0.002 < bd_lat - result.latitude < 0.006
    assert 0.008 < bd_lng - result.longitude < 0.014
    assert result.provider == "baidu"
    assert result.display == "上海市黄浦区人民大道200号"
    path, params = fake_server.requests[0]
    assert path == "/geocoding/v3/"
    assert params["ak"] == ["test-ak"]
    assert params["address"] == ["上海市黄浦区人民大道200号"]
    assert params["output"] == ["json"]


def test_baidu_empty_answer_is_none(fake_server: FakeServer) -> None:
    fake_server.reply = Reply(body={"status": 0, "result": []})
    geocoder = build_geocoder(_settings(fake_server, "baidu"))
    assert geocoder is not None
    assert geocoder.geocode("不存在的地址") is None


def test_baidu_error_status_is_unavailable(fake_server: FakeServer) -> None:
    # status 302: daily quota exceeded (Baidu's 3xx are quota errors).
    fake_server.reply = Reply(body={"status": 302, "message": "天配额超限，限制访问"})
    geocoder = build_geocoder(_settings(fake_server, "baidu"))
    assert geocoder is not None
    with pytest.raises(GeocodingUnavailable, match="baidu"):
        geocoder.geocode("上海市黄浦区人民大道200号")


@pytest.mark.parametrize("kind", ["nominatim", "baidu"])
def test_http_500_is_unavailable(fake_server: FakeServer, kind: str) -> None:
    fake_server.reply = Reply(status=500, body={"error": "boom"})
    geocoder = build_geocoder(_settings(fake_server, kind))
    assert geocoder is not None
    with pytest.raises(GeocodingUnavailable):
        geocoder.geocode("上海市黄浦区人民广场")


def test_slow_server_times_out(fake_server: FakeServer) -> None:
    fake_server.reply = Reply(body=[PEOPLES_SQUARE], delay=1.5)
    geocoder = build_geocoder(_settings(fake_server, "nominatim", timeout=0.3))
    assert geocoder is not None
    # Without the timeout the answer would arrive (after 1.5 s) and nothing would be raised.
    with pytest.raises(GeocodingUnavailable):
        geocoder.geocode("上海市黄浦区人民广场")


def test_malformed_answer_is_unavailable(fake_server: FakeServer) -> None:
    fake_server.reply = Reply(body={"status": 0, "result": {"level": "门址"}})
    geocoder = build_geocoder(_settings(fake_server, "baidu"))
    assert geocoder is not None
    with pytest.raises(GeocodingUnavailable, match="malformed"):
        geocoder.geocode("上海市黄浦区人民广场")


def test_nobody_listening_is_unavailable(fake_server: FakeServer) -> None:
    # A port that was just free: bind, note it, close, then ask it.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    geocoder = build_geocoder(
        _settings(fake_server, "nominatim", domain=f"127.0.0.1:{port}", timeout=1.0)
    )
    assert geocoder is not None
    with pytest.raises(GeocodingUnavailable):
        geocoder.geocode("上海市黄浦区人民广场")
