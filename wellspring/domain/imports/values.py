"""Reading one cell: phone numbers, dates, numbers, districts. Each failure is a row error."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ...geo import centroids

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
MAX_TEXT = 100
_MUNICIPALITIES = frozenset({"上海市", "北京市", "天津市", "重庆市"})


@dataclass
class RowError:
    """A problem with one row: its line in the file (the header is line 1), the column (the
    field name), a message code and the values the message shows."""

    line: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class RowErrors(Exception):
    """Raised while reading a row: every problem found in it."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].code if errors else "")
        self.errors = errors


class Cells:
    """One row's fields, read with checks; problems pile up instead of stopping at the first."""

    def __init__(self, line: int, values: dict[str, str]) -> None:
        self.line = line
        self.values = values
        self.errors: list[RowError] = []

    def fail(self, column: str, code: str, **params: Any) -> None:
        self.errors.append(RowError(self.line, column, code, params))

    def text(self, name: str, *, required: bool = False, maximum: int = MAX_TEXT) -> str:
        value = self.values.get(name, "")
        if required and not value:
            self.fail(name, "IMPORT_REQUIRED")
        elif len(value) > maximum:
            self.fail(name, "IMPORT_TOO_LONG", maximum=maximum)
            return value[:maximum]
        return value

    def phone(self, name: str, *, required: bool = True) -> str:
        raw = self.text(name, required=required, maximum=32)
        value = normalize_phone(raw)
        if raw and value is None:
            self.fail(name, "IMPORT_INVALID_PHONE", value=raw[:32])
        return value or ""

    def date(self, name: str) -> dt.date | None:
        raw = self.values.get(name, "")
        if not raw:
            return None
        parsed = parse_date(raw)
        if parsed is None:
            self.fail(name, "IMPORT_INVALID_DATE", value=raw[:32])
        return parsed

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 10_000_000) -> int | None:
        raw = self.values.get(name, "")
        if not raw:
            return None
        try:
            number = Decimal(raw.replace(",", ""))
            if not number.is_finite() or number != number.to_integral_value():
                raise InvalidOperation
            value = int(number)
        except (InvalidOperation, ValueError):
            self.fail(name, "IMPORT_INVALID_NUMBER", value=raw[:32])
            return None
        if not minimum <= value <= maximum:
            self.fail(name, "IMPORT_NUMBER_OUT_OF_RANGE", minimum=minimum, maximum=maximum)
            return None
        return value

    def money(self, name: str) -> Decimal | None:
        raw = self.values.get(name, "").replace(",", "").lstrip("¥￥")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or not Decimal(0) <= value < Decimal(10) ** 10:
            self.fail(name, "IMPORT_INVALID_NUMBER", value=raw[:32])
            return None
        cents = value.quantize(Decimal("0.01"))
        if cents != value:  # a fraction of a fen is refused, not rounded ("0.001" was 0.00)
            self.fail(name, "IMPORT_AMOUNT_PRECISION", value=raw[:32])
            return None
        return cents

    def raise_if_failed(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile (11 digits) or a landline with its area code, without spaces, dashes
    or +86; None when it is neither."""
    text = re.sub(r"[\s()（）]", "", raw)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    text = text.lstrip("-")
    if _MOBILE.match(text.replace("-", "")):
        return text.replace("-", "")
    if _LANDLINE.match(text):
        return text
    return None


def parse_date(raw: str) -> dt.date | None:
    text = raw.strip().split(" ")[0].split("T")[0]
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    district: str
    point: tuple[float, float]


def place(cells: Cells) -> Place | None:
    """The row's province/city/district, checked against the district table (geo)."""
    province = cells.text("province", required=True, maximum=50)
    city = cells.text("city", required=True, maximum=50)
    district = cells.text("district", required=True, maximum=50)
    if not (province and city and district):
        return None
    known = centroids.known_district(province, city, district)
    if known is None:
        cities = centroids.known_cities()
        if centroids.known_district(province, city, "") is None:
            cells.fail("city", "IMPORT_UNKNOWN_CITY", value=city, valid="、".join(cities))
        else:
            valid = "、".join(centroids.districts_of(province, city))
            cells.fail("district", "IMPORT_UNKNOWN_DISTRICT", value=district, valid=valid)
        return None
    city_name, district_name, point = known
    # Municipalities are province and city at once: store them alike however they were typed.
    province_name = city_name if city_name in _MUNICIPALITIES else province
    return Place(province_name, city_name, district_name, point)
