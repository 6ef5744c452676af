"""The words a Chinese export writes for the codes in its coded columns (type, status,
priority, kind, bin): a dispatcher's sheet says 换芯 and 已派工, not FILTER_CHANGE and ASSIGNED.

English exports keep the codes, which are also the values the export's own filters take
(``status=CREATED,APPROVED``). The words are those an import reads back where it reads these
columns (个人 / 单位, 良品 / 不良品).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wellspring.i18n.terms import STATUSES

CODED_COLUMNS = frozenset({"type", "status", "priority", "kind", "bin"})

VALUES_ZH: dict[str, str] = {
    # ticket types (the business's own words, docs/domain)
    "INSTALL": "装机",
    "UNINSTALL": "退机",
    "RELOCATE": "移机",
    "CARD_CANCEL": "退卡",
    "RECHARGE": "冲水",
    "REPAIR": "报修",
    "FILTER_CHANGE": "换芯",
    "WATER_TEST": "水质检测",
    "COMPLAINT": "投诉",
    "INQUIRY": "咨询",
    "PRAISE": "表扬",
    # priorities
    "LOW": "低",
    "NORMAL": "普通",
    "HIGH": "高",
    "URGENT": "紧急",
    # customers and stock
    "PERSON": "个人",
    "ORGANIZATION": "单位",
    "GOOD": "良品",
    "DEFECTIVE": "不良品",
    # statuses no state machine message names (discrepancies, settlements)
    "OPEN": "待处理",
    "RESOLVED": "已处理",
    "DRAFT": "草稿",
    "CONFIRMED": "已确认",
    "PAID": "已付款",
} | {code: words[0] for code, words in STATUSES.items() if code and code != "None"}


def coded_places(columns: Sequence[str], own: int) -> list[int]:
    """The places of the coded columns among a list's own first ``own`` columns (custom
    fields after them are headed by HQ's keys, which may be any word)."""
    return [i for i, column in enumerate(columns[:own]) if column in CODED_COLUMNS]


def in_words(row: list[Any], places: Sequence[int]) -> list[Any]:
    """The row with its coded cells in Chinese (a code without words stays as it is)."""
    for i in places:
        value = row[i]
        if isinstance(value, str):
            row[i] = VALUES_ZH.get(value, value)
    return row
