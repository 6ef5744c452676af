"""Cursors are opaque to clients but must give back exactly the sort values they were made
from, whatever those hold (times, days, non-ASCII names, integers past 64 bits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wellspring.domain.errors import DomainError
from wellspring.domain.models.enums import TicketStatus
from wellspring.domain.pagination import decode_cursor, encode_cursor

_value = st.one_of(
    st.datetimes(timezones=st.just(dt.UTC)),
    st.dates(),
    st.text(max_size=20),
    st.integers(),
    st.sampled_from(list(TicketStatus)),
)


@given(values=st.lists(_value, min_size=1, max_size=4))
def test_a_cursor_gives_back_its_sort_values(values: list[Any]) -> None:
    cursor = encode_cursor(values)
    assert cursor.isascii()
    assert "=" not in cursor
    expected = [v.value if isinstance(v, TicketStatus) else v for v in values]
    assert decode_cursor(cursor, len(values)) == expected


def test_a_cursor_of_another_width_or_not_a_cursor_is_refused() -> None:
    cursor = encode_cursor(["王", 1])
    with pytest.raises(DomainError, match="INVALID_CURSOR"):
        decode_cursor(cursor, 3)
    with pytest.raises(DomainError, match="INVALID_CURSOR"):
        decode_cursor("not a cursor", 2)
