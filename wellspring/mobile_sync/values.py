"""What a phone may put in a record's columns, checked before any domain call.

A value of the wrong type, out of range or malformed (a list where a string belongs, a
numeric string, NaN, 1e19, text no database can store, a report field of the wrong type)
makes that record a rejection (``INVALID_VALUE``, with the column), never the push's failure.
The column specs are in tables.py; the CompleteJob report's fields are here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from wellspring.domain import bounds
from wellspring.domain.errors import DomainError

from .tables import Column, Table

# Epoch milliseconds from 1970 to the end of 2199, the GraphQL DateTime's range: a time near
# year 9999 was stored, and every list showing it failed (Asia/Shanghai overflowed the year).
TIME_RANGE = (0, 7_258_118_399_999)
MAX_REPORT_TEXT = 2000
MAX_REPORT_LIST = 64

# The CompleteJob report (JobCompleteInput.report) by snake_case key: its JSON type and range.
_REPORT_TEXT = (
    "notes",
    "confirmation_number",
    "fault_symptom",
    "fault_code",
    "repair_level",
    "customer_comment",
    "appearance",
    "water_test_result",
    "device_condition",
)
_REPORT_NUMBERS = {
    "travel_distance_km": (0.0, float(bounds.MAX_TRAVEL_KM), False),
    "remaining_water_value": (0, 2**31 - 1, True),  # what is left: never below nothing
}
_READINGS = ("tds", "ph", "residual_chlorine", "turbidity", "temperature")
# JobCompleteInput.report's newer names for a key (the newer wins, as in GraphQL).
_RENAMED = {"repair_level_code": "repair_level"}


def invalid(field: str) -> DomainError:
    return DomainError("INVALID_VALUE", field=field)


def storable(text: str) -> bool:
    """Text both databases keep as sent: no NUL, no lone surrogate (JSON allows both)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def number(value: Any, field: str, low: float, high: float, *, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(field)
    if isinstance(value, float) and not math.isfinite(value):
        raise invalid(field)
    if not low <= value <= high:
        raise invalid(field)
    if integer:
        if value != int(value):
            raise invalid(field)
        return int(value)
    return float(value)


def text(value: Any, field: str, max_length: int) -> str:
    if not isinstance(value, str) or len(value) > max_length or not storable(value):
        raise invalid(field)
    return value


def time(value: Any, field: str) -> dt.datetime:
    ms = number(value, field, *TIME_RANGE, integer=False)
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def value(column: Column, raw: Any) -> Any:
    """One column's value as the domain takes it (times as datetimes); None when null."""
    if raw is None:
        if not column.optional:
            raise invalid(column.name)
        return None
    match column.kind:
        case "string":
            checked = text(raw, column.name, column.max_length)
            if column.choices and checked not in column.choices:
                raise invalid(column.name)
            return checked
        case "number":
            return number(raw, column.name, column.low, column.high, integer=column.integer)
        case "boolean":
            if not isinstance(raw, bool):
                raise invalid(column.name)
            return raw
        case _:
            return time(raw, column.name)


def created(table: Table, values: dict[str, Any], schema_version: int) -> dict[str, Any]:
    """A created record's columns, all checked (a missing column counts as null)."""
    return {c.name: value(c, values.get(c.name)) for c in table.columns_at(schema_version)}


def updated(table: Table, values: dict[str, Any], changed: Any) -> frozenset[str]:
    """Check an updated record's values; returns the columns its ``_changed`` names.

    The phone sends the whole record: a column it may edit is checked in full, the others
    only for their type (they are compared with the server's and refused if changed).
    """
    if changed is not None and not isinstance(changed, str):
        raise invalid("_changed")
    for column in table.columns:
        raw = values.get(column.name)
        if raw is None:
            continue  # null: compared with the server's like any other value
        if column.name in table.editable:
            value(column, raw)
        elif column.kind == "string":
            text(raw, column.name, 1_000_000)
        else:
            value(Column(column.name, column.kind, optional=True), raw)
    return frozenset(c for c in (changed or "").split(",") if c)


def report(raw: str | None) -> dict[str, Any]:
    """The CompleteJob report a job event carries, with snake_case keys, nulls left out.

    A bad value names its key (``report_json.travel_distance_km``): a key the report does not
    have names only the column, since it may hold anything."""
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid("report_json") from None
    if not isinstance(parsed, dict):
        raise invalid("report_json")
    out: dict[str, Any] = {}
    for key, item in parsed.items():
        name = _snake(key)
        at = f"report_json.{name}"
        if item is None:
            continue
        if name in _REPORT_TEXT or name in _RENAMED:
            out[name] = text(item, at, MAX_REPORT_TEXT)
        elif name in _REPORT_NUMBERS:
            low, high, integer = _REPORT_NUMBERS[name]
            out[name] = number(item, at, low, high, integer=integer)
        elif name == "water_test":
            out[name] = _readings(item)
        elif name == "filters_changed":
            if not isinstance(item, list) or len(item) > MAX_REPORT_LIST:
                raise invalid(at)
            out[name] = [text(i, at, 64) for i in item]
        elif name in ("custom_fields", "device_custom_fields"):
            out[name] = _field_values(item, at)
        else:
            raise invalid("report_json")
    for newer, older in _RENAMED.items():  # the newer name wins when both are given
        if newer in out:
            out[older] = out.pop(newer)
    return out


def _field_values(item: Any, at: str) -> dict[str, str | None]:
    """On-site custom-field values (schema 6): an object of key -> text, number, boolean or
    null, read as text; the domain checks them against the definitions."""
    if not isinstance(item, dict) or len(item) > MAX_REPORT_LIST:
        raise invalid(at)
    found: dict[str, str | None] = {}
    for key, raw in item.items():
        if len(key) > 40:
            raise invalid(at)
        if raw is None:
            found[key] = None
        elif isinstance(raw, bool):
            found[key] = "true" if raw else "false"
        elif isinstance(raw, int | float):
            number(raw, at, -1e15, 1e15, integer=False)  # finite, in range
            found[key] = str(raw)
        else:
            found[key] = text(raw, at, MAX_REPORT_TEXT)
    return found


def _readings(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise invalid("report_json.water_test")
    readings: dict[str, Any] = {}
    for key, reading in item.items():
        name = _snake(key)
        if name not in _READINGS:
            raise invalid("report_json.water_test")
        if reading is not None:
            at = f"report_json.water_test.{name}"
            readings[name] = number(reading, at, -1e6, 1e6, integer=False)
    return readings


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


__all__ = ["created", "report", "storable", "updated", "value"]
