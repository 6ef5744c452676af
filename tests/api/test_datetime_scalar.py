"""The DateTime scalar's output at the edge of the calendar."""

from __future__ import annotations

import datetime as dt

from wellspring.schema.core.scalars import DateTime


def test_an_instant_hours_before_year_10000_is_written_not_a_crash() -> None:
    # Asia/Shanghai is eight hours ahead: such a row (stored before the sync's bounds) made
    # every list that showed it fail with INTERNAL_ERROR.
    late = dt.datetime(9999, 12, 31, 20, 0, tzinfo=dt.UTC)
    assert DateTime.serialize(late) == "9999-12-31T20:00:00+00:00"
    usual = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    assert DateTime.serialize(usual) == "2026-12-06T20:00:00+08:00"
