"""Every code a Chinese export's coded columns can hold has its words
(wellspring/i18n/export_values.py): a new ticket type or status must not reach a Chinese
sheet in English."""

from __future__ import annotations

import enum

import pytest

from wellspring.domain.exports.lists import COLUMNS
from wellspring.domain.models.enums import (
    CustomerKind,
    DeviceStatus,
    DiscrepancyStatus,
    FollowUpStatus,
    JobStatus,
    Priority,
    StockBin,
    TicketStatus,
    TicketType,
)
from wellspring.domain.models.partner_enums import SettlementStatus
from wellspring.i18n.export_values import CODED_COLUMNS, VALUES_ZH, coded_places, in_words

CODED = [
    CustomerKind, DeviceStatus, DiscrepancyStatus, FollowUpStatus, JobStatus, Priority,
    StockBin, TicketStatus, TicketType, SettlementStatus,
]  # fmt: skip


@pytest.mark.parametrize("codes", CODED, ids=lambda e: e.__name__)
def test_every_code_of_a_coded_column_has_chinese_words(codes: type[enum.StrEnum]) -> None:
    missing = [c.value for c in codes if c.value not in VALUES_ZH]
    assert missing == []
    assert not any(VALUES_ZH[c.value].isascii() for c in codes)


def test_only_a_lists_own_coded_columns_are_put_in_words() -> None:
    own = COLUMNS[next(iter(COLUMNS))]
    assert {c for columns in COLUMNS.values() for c in columns} >= CODED_COLUMNS
    columns = (*own, "status")  # a custom field HQ keyed "status" follows the list's own
    places = coded_places(columns, len(own))
    row = ["TK1", "FILTER_CHANGE", "ASSIGNED", "URGENT", "张三", "", "", "", "", "", "CREATED"]
    assert in_words(row, places)[1:4] == ["换芯", "已派工", "紧急"]
    assert row[-1] == "CREATED"  # HQ's own field keeps what was stored
