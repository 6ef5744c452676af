"""Cursors are opaque to clients but must give back exactly the sort values they were made
from, whatever those hold (times, days, non-ASCII names, integers of the column's range);
and a cursor a client wrote itself gives values of the sort columns' types or
``INVALID_CURSOR``, never anything the SQL chokes on."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wellspring.domain import models as m
from wellspring.domain.cursors import decode_cursor, encode_cursor
from wellspring.domain.errors import DomainError
from wellspring.domain.models.enums import StockBin
from wellspring.domain.tickets import DUE, PRIORITY_RANK

_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20
)
# A sort column of each type lists sort by, and the values its rows hold.
_COLUMNS: list[tuple[Any, st.SearchStrategy[Any]]] = [
    (m.Ticket.created_at, st.datetimes(timezones=st.just(dt.UTC))),
    (DUE, st.datetimes(timezones=st.just(dt.UTC))),
    (m.PriceStandard.effective_from, st.dates()),
    (m.Agent.code, _text),
    (m.ImportRowError.line, st.integers(-(2**31), 2**31 - 1)),
    (PRIORITY_RANK, st.integers(0, 4)),
    (m.Ticket.version, st.integers(-(2**63), 2**63 - 1)),
    (m.StockBalance.bin, st.sampled_from(list(StockBin))),
]


@st.composite
def _sorted_by(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    picked = draw(st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=4))
    return [c for c, _ in picked], [draw(values) for _, values in picked]


@given(case=_sorted_by())
def test_a_cursor_gives_back_its_sort_values(case: tuple[list[Any], list[Any]]) -> None:
    columns, values = case
    cursor = encode_cursor(values)
    assert cursor.isascii()
    assert "=" not in cursor
    assert decode_cursor(cursor, columns) == values


def _written(raw: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def test_a_cursor_of_another_width_or_not_a_cursor_is_refused() -> None:
    cursor = encode_cursor(["王", 1])
    columns = [m.Agent.code, m.ImportRowError.line, m.Agent.id]
    with pytest.raises(DomainError, match="INVALID_CURSOR"):
        decode_cursor(cursor, columns)
    with pytest.raises(DomainError, match="INVALID_CURSOR"):
        decode_cursor("not a cursor", columns[:2])


_TIME = m.Ticket.created_at
_FORGED: list[tuple[Any, Any]] = [
    (_TIME, None),
    (_TIME, "x"),
    (_TIME, 1),
    (_TIME, {"dt": "2026-12-03T09:00:00"}),  # naive: the column holds instants
    (_TIME, {"dt": "0001-01-01T00:00:00+05:00"}),  # before year 1 in UTC
    (_TIME, {"dt": 5}),
    (_TIME, {"d": "2026-12-03"}),
    (_TIME, {"dt": "2026-12-03T09:00:00+00:00", "d": "2026-12-03"}),
    (DUE, [1]),
    (m.PriceStandard.effective_from, {"dt": "2026-12-03T09:00:00+00:00"}),
    (m.PriceStandard.effective_from, "2026-12-03"),
    (m.Agent.code, None),
    (m.Agent.code, 1),
    (m.Agent.code, True),
    (m.Agent.code, "a\x00b"),
    (m.Agent.code, "\ud800"),
    (m.ImportRowError.line, 2**31),
    (m.ImportRowError.line, True),
    (m.ImportRowError.line, 1.0),
    (m.ImportRowError.line, float("inf")),
    (m.Ticket.version, 2**63),
    (m.StockBalance.bin, "NOPE"),
    (m.StockBalance.bin, 1),
]


@pytest.mark.parametrize(("column", "value"), _FORGED)
def test_a_value_its_column_cannot_hold_is_an_invalid_cursor(column: Any, value: Any) -> None:
    cursor = _written([value, "an-id"])
    with pytest.raises(DomainError, match="INVALID_CURSOR"):
        decode_cursor(cursor, [column, m.Ticket.id])


def test_an_infinite_number_written_as_1e400_is_an_invalid_cursor() -> None:
    cursor = base64.urlsafe_b64encode(b'[1e400,"x"]').decode()
    with pytest.raises(DomainError, match="INVALID_CURSOR"):
        decode_cursor(cursor, [m.ImportRowError.line, m.Ticket.id])


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@given(raw=_json | st.lists(_json, min_size=1, max_size=4), case=_sorted_by())
def test_any_json_is_values_of_the_columns_or_an_invalid_cursor(
    raw: Any, case: tuple[list[Any], list[Any]]
) -> None:
    columns, _ = case
    code = "a value per column"
    try:
        values = decode_cursor(_written(raw), columns)
    except DomainError as refused:
        code = refused.code
    else:
        assert len(values) == len(columns)
        assert all(isinstance(v, str | int | dt.date) and type(v) is not bool for v in values)
    assert code in ("a value per column", "INVALID_CURSOR")
