"""How an uploaded sheet reads (``tabular/reading.py``): XLSX cells as a clerk sees them, CSV
in UTF-8 or GB18030, and files that cannot be read refused with a code, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import xlsx
from wellspring.domain.errors import DomainError
from wellspring.tabular.reading import MAX_CELL, read_table


def test_xlsx_cells_read_as_a_clerk_sees_them() -> None:
    table = read_table(
        xlsx(
            [
                [None, None],  # a blank first row: the header is the first row with text
                ["安装日期", "数量", "备注", "时间"],
                [dt.date(2026, 12, 3), 1.0, None, dt.datetime(2026, 12, 3, 9, 30)],
                [dt.datetime(2026, 12, 4), 2.5, "x" * (MAX_CELL + 10), 7],
            ]
        )
    )
    assert table.headers == ["安装日期", "数量", "备注", "时间"]
    assert table.rows == [
        (3, ["2026-12-03", "1", "", "2026-12-03T09:30:00"]),
        (4, ["2026-12-04", "2.5", "x" * MAX_CELL, "7"]),
    ]


def test_csv_reads_in_utf8_or_gb18030_with_its_delimiter() -> None:
    text = "手机;姓名\n13800000000;张三\n"
    for content in (text.encode("utf-8-sig"), text.encode("gb18030")):
        table = read_table(content)
        assert table.headers == ["手机", "姓名"]
        assert table.rows == [(2, ["13800000000", "张三"])]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "IMPORT_EMPTY_FILE"),
        (b"\n\n,,\n", "IMPORT_EMPTY_FILE"),
        (b"a,b\n1,\x002\n", "IMPORT_UNREADABLE_FILE"),
        (b"PK\x03\x04 not a workbook", "IMPORT_UNREADABLE_FILE"),
        (b"\xff\xfe\xfd\xfc" * 4, "IMPORT_UNREADABLE_FILE"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_code(content: bytes, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        read_table(content)
    assert refused.value.code == code


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(DomainError) as refused:
        read_table(b"a,b\n" * 10, max_bytes=8)
    assert refused.value.code == "IMPORT_FILE_TOO_LARGE"
