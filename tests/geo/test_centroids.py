"""The shipped district table and its lookup."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from wellspring.geo.centroids import district_centroid, load_table
from wellspring.geo.coords import in_china
from wellspring.geo.distance import km

EXPECTED_DISTRICTS = {
    "上海市": {
        "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
        "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区",
    },
    "北京市": {
        "东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区",
        "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
    },
    "深圳市": {
        "福田区", "罗湖区", "南山区", "盐田区", "宝安区", "龙岗区", "龙华区", "坪山区",
        "光明区", "大鹏新区",
    },
    "广州市": {
        "越秀区", "荔湾区", "海珠区", "天河区", "白云区", "黄埔区", "番禺区", "花都区",
        "南沙区", "从化区", "增城区",
    },
    "杭州市": {
        "上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区",
        "富阳区", "临安区",
    },
    "南京市": {
        "玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区",
        "六合区", "溧水区", "高淳区",
    },
    "成都市": {
        "锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "青白江区", "新都区",
        "温江区", "双流区", "郫都区", "新津区",
    },
    "武汉市": {
        "江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区", "东西湖区",
        "汉南区", "蔡甸区", "江夏区", "黄陂区", "新洲区",
    },
}  # fmt: skip

PROVINCES = {
    "上海市": "上海市",
    "北京市": "北京市",
    "深圳市": "广东省",
    "广州市": "广东省",
    "杭州市": "浙江省",
    "南京市": "江苏省",
    "成都市": "四川省",
    "武汉市": "湖北省",
}


def _rows() -> list[dict[str, str]]:
    text = (
        resources.files("wellspring.geo")
        .joinpath("data/district_centroids.csv")
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_shape() -> None:
    rows = _rows()
    assert list(rows[0]) == ["province", "city", "district", "latitude", "longitude"]
    for row in rows:
        assert PROVINCES[row["city"]] == row["province"], row
        float(row["latitude"])
        float(row["longitude"])


def test_every_district_is_covered() -> None:
    table = load_table()
    assert set(table) == set(EXPECTED_DISTRICTS)
    for city, districts in EXPECTED_DISTRICTS.items():
        assert "" in table[city], f"{city} has no city row"
        assert districts <= set(table[city]), districts - set(table[city])
    assert len(EXPECTED_DISTRICTS["上海市"]) == 16
    assert len(EXPECTED_DISTRICTS["北京市"]) == 16
    assert len(EXPECTED_DISTRICTS["深圳市"]) == 10
    assert len(EXPECTED_DISTRICTS["广州市"]) == 11


def test_every_row_is_plausible() -> None:
    for city, districts in load_table().items():
        centre = districts[""]
        for district, point in districts.items():
            assert in_china(*point), (city, district)
            assert km(centre, point) < 80, (city, district, km(centre, point))


def test_districts_of_one_city_are_distinct_points() -> None:
    for city, districts in load_table().items():
        points = list(districts.values())
        assert len(set(points)) == len(points), city


def test_lookup() -> None:
    assert district_centroid("上海市", "上海市", "浦东新区") == load_table()["上海市"]["浦东新区"]
    pudong = district_centroid("上海市", "上海市", "浦东新区")
    assert pudong is not None
    assert km(pudong, (31.2335, 121.5055)) < 5  # near Lujiazui
    assert district_centroid("广东省", "深圳市", "大鹏新区") is not None
    assert district_centroid("四川省", "成都市", "武侯区") is not None


def test_unknown_district_falls_back_to_the_city() -> None:
    city = load_table()["杭州市"][""]
    assert district_centroid("浙江省", "杭州市", "淳安县") == city
    assert district_centroid("浙江省", "杭州市", "") == city


def test_unknown_city_is_none() -> None:
    assert district_centroid("江西省", "南昌市", "东湖区") is None
    assert district_centroid("", "", "") is None


@pytest.mark.parametrize(
    ("province", "city", "district", "expected"),
    [
        ("上海市", "市辖区", "闵行区", ("上海市", "闵行区")),  # municipality forms
        ("上海市", "", "闵行区", ("上海市", "闵行区")),
        ("上海", "上海", "闵行", ("上海市", "闵行区")),  # suffixes dropped
        (" 北京市 ", "北京市", " 海淀区 ", ("北京市", "海淀区")),
        ("上海市", "上海市", "闸北区", ("上海市", "静安区")),  # merged into 静安 in 2015
        ("北京市", "北京市", "宣武区", ("北京市", "西城区")),
        ("浙江省", "杭州市", "江干区", ("杭州市", "上城区")),
        ("广东", "深圳市", "福田区", ("深圳市", "福田区")),  # the city decides
    ],
)
def test_lookup_tolerates_address_variants(
    province: str, city: str, district: str, expected: tuple[str, str]
) -> None:
    table = load_table()
    assert district_centroid(province, city, district) == table[expected[0]][expected[1]]


def test_table_is_loaded_once() -> None:
    assert load_table() is load_table()
