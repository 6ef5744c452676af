"""Offline fallback locations: an approximate point (WGS-84) per district, from a shipped table.

Used when no geocoder is configured or it is down, so an address still lands in roughly the
right place for ranking engineers and ETAs (results are flagged approximate by callers).

The table (data/district_centroids.csv: province,city,district,latitude,longitude) holds, per
district, a point near where its addresses are (the main built-up area, which for large rural
districts is far from the geometric centre), good to a kilometre or two; and per city a row
with an empty district: its central urban area, the fallback for unknown districts.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from importlib import resources

from wellspring.geo.distance import Point

__all__ = ["district_centroid", "known_districts", "load_table"]

_RESOURCE = "data/district_centroids.csv"
_COLUMNS = ["province", "city", "district", "latitude", "longitude"]

# Renamed or merged districts, so addresses typed before the change still resolve.
# (city, former name) -> current name.
_FORMER_DISTRICTS: Mapping[tuple[str, str], str] = {
    ("上海市", "闸北区"): "静安区",  # merged 2015
    ("上海市", "卢湾区"): "黄浦区",  # merged 2011
    ("上海市", "南汇区"): "浦东新区",  # merged 2009
    ("上海市", "崇明县"): "崇明区",  # 2016
    ("北京市", "崇文区"): "东城区",  # merged 2010
    ("北京市", "宣武区"): "西城区",  # merged 2010
    ("北京市", "密云县"): "密云区",  # 2015
    ("北京市", "延庆县"): "延庆区",  # 2015
    ("广州市", "萝岗区"): "黄埔区",  # merged 2014
    ("广州市", "从化市"): "从化区",  # 2014
    ("广州市", "增城市"): "增城区",  # 2014
    ("杭州市", "江干区"): "上城区",  # merged 2021
    ("杭州市", "下城区"): "拱墅区",  # merged 2021
    ("杭州市", "富阳市"): "富阳区",  # 2014
    ("杭州市", "临安市"): "临安区",  # 2017
    ("南京市", "白下区"): "秦淮区",  # merged 2013
    ("南京市", "下关区"): "鼓楼区",  # merged 2013
    ("南京市", "溧水县"): "溧水区",  # 2013
    ("南京市", "高淳县"): "高淳区",  # 2013
    ("成都市", "郫县"): "郫都区",  # 2016
    ("成都市", "双流县"): "双流区",  # 2015
    ("成都市", "新津县"): "新津区",  # 2020
}

# What address forms put in the city slot for a municipality's districts.
_MUNICIPALITY_CITY_PLACEHOLDERS = frozenset({"", "市辖区", "县", "城区"})


@functools.cache
def load_table() -> Mapping[str, Mapping[str, Point]]:
    """city -> district -> point ("" for the city's own row); read once from the package."""
    text = resources.files("wellspring.geo").joinpath(_RESOURCE).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != _COLUMNS:
        raise ValueError(f"{_RESOURCE}: expected columns {_COLUMNS}, got {reader.fieldnames}")
    table: dict[str, dict[str, Point]] = {}
    for row in reader:
        city = row["city"].strip()
        district = row["district"].strip()
        point = (float(row["latitude"]), float(row["longitude"]))
        districts = table.setdefault(city, {})
        if district in districts:
            raise ValueError(f"{_RESOURCE}: duplicate row for {city} {district or '(city)'}")
        districts[district] = point
    missing = sorted(city for city, districts in table.items() if "" not in districts)
    if missing:
        raise ValueError(f"{_RESOURCE}: no city row (empty district) for {', '.join(missing)}")
    return table


def _city_key(province: str, city: str, table: Mapping[str, object]) -> str | None:
    # Municipalities: province and city are both "上海市", but forms often leave the city
    # blank or write "市辖区"; prefecture names are unique nationwide, so the city decides.
    candidates = [city]
    if city in _MUNICIPALITY_CITY_PLACEHOLDERS:
        candidates.append(province)
    for name in candidates:
        for key in (name, name + "市"):  # "上海" for "上海市"
            if key and key in table:
                return key
    return None


def district_centroid(province: str, city: str, district: str) -> Point | None:
    """An approximate WGS-84 point for a district; the city's point for an unknown district;
    None for an unknown city."""
    table = load_table()
    key = _city_key(province.strip(), city.strip(), table)
    if key is None:
        return None
    districts = table[key]
    district = district.strip()
    district = _FORMER_DISTRICTS.get((key, district), district)
    if district:
        for name in (district, district + "区"):  # "闵行" for "闵行区"
            if name in districts:
                return districts[name]
    return districts.get("")


def known_districts(province: str, city: str, district: str) -> list[str] | None:
    """The city's districts when ``district`` is not one of them (former names and a missing
    "区" suffix count as known); None when it is known, or the city is not in the table."""
    table = load_table()
    key = _city_key(province.strip(), city.strip(), table)
    if key is None:
        return None
    districts = table[key]
    name = _FORMER_DISTRICTS.get((key, district.strip()), district.strip())
    if name and any(n in districts for n in (name, name + "区")):
        return None
    return sorted(d for d in districts if d)


def known_district(province: str, city: str, district: str) -> tuple[str, str, Point] | None:
    """(city, district, point) as the table names them, for a district of a known city
    (former names resolve); the city's own row for an empty district; else None."""
    table = load_table()
    key = _city_key(province.strip(), city.strip(), table)
    if key is None:
        return None
    districts = table[key]
    name = district.strip()
    name = _FORMER_DISTRICTS.get((key, name), name)
    if not name:
        return key, "", districts[""]
    for candidate in (name, name + "区"):
        if candidate and candidate in districts:
            return key, candidate, districts[candidate]
    return None


def districts_of(province: str, city: str) -> list[str]:
    """The districts the table knows for a city (empty for an unknown city)."""
    table = load_table()
    key = _city_key(province.strip(), city.strip(), table)
    return sorted(d for d in table[key] if d) if key is not None else []


def known_cities() -> list[str]:
    return sorted(load_table())
