"""How an uploaded sheet reads (``tabular/reading.py``): XLSX cells as a clerk sees them, CSV
in UTF-8 or GB18030, and files that cannot be read refused with a code, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import xlsx
from tests.sheet_files import cell, count_rows, workbook, zip_bomb
from wellspring.domain.errors import DomainError
from wellspring.domain.imports.columns import MAX_COLUMNS
from wellspring.tabular.reading import BLANK_RUN, MAX_CELL, MAX_UNPACKED_MIB, read_table


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


# A few rows more than the reader may take: the blank run, the header and a little slack.
ROWS_A_READER_NEEDS = BLANK_RUN + 10


@pytest.mark.parametrize(
    "content",
    [
        # one cell at row 1,000,000,000: openpyxl fills in every empty row above it
        workbook(f'<row r="1000000000">{cell("A1000000000", "x")}</row>'),
        # every row and column declared: each filled-in row is 16,384 cells wide
        workbook(f'<row r="1048576">{cell("A1048576", "x")}</row>', dimension="A1:XFD1048576"),
    ],
    ids=["row-gap", "declared-dimension"],
)
def test_a_sheet_of_empty_rows_is_refused_after_a_bounded_read(
    content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = count_rows(monkeypatch, limit=10 * ROWS_A_READER_NEEDS)
    with pytest.raises(DomainError) as refused:
        read_table(content)
    assert refused.value.code == "IMPORT_EMPTY_FILE"
    assert rows.count <= ROWS_A_READER_NEEDS
    assert rows.widest <= MAX_COLUMNS + 1


def test_a_zip_that_unpacks_past_the_limit_is_refused_before_openpyxl_opens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = count_rows(monkeypatch, limit=0)
    bomb = zip_bomb(MAX_UNPACKED_MIB + 1)
    assert len(bomb) < 1024 * 1024  # well within the 20 MiB a file may be
    with pytest.raises(DomainError) as refused:
        read_table(bomb)
    assert (refused.value.code, refused.value.params) == (
        "IMPORT_UNPACKED_TOO_LARGE",
        {"maximum": MAX_UNPACKED_MIB},
    )
    assert rows.threads == set()  # no sheet was read


def test_a_wide_declared_sheet_with_formatted_rows_below_reads_its_real_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = zip("ABC", ("name", "phone", "city"), strict=True)
    header = "".join(cell(f"{c}1", t) for c, t in names) + cell("KN1")  # a formatted cell right
    data = [f'<row r="2">{cell("A2", "张三")}{cell("C2", "广州市")}</row>']
    data.append(f'<row r="4">{cell("A4", "李四")}{cell("B4", "13800000000")}</row>')
    # Excel keeps rows formatted to the end of the used range; some are past a blank run.
    data += [f'<row r="{r}">{cell(f"A{r}")}{cell(f"XFD{r}")}</row>' for r in range(5, 3000)]
    content = workbook(f'<row r="1">{header}</row>{"".join(data)}', dimension="A1:XFD1048576")
    rows = count_rows(monkeypatch, limit=10 * ROWS_A_READER_NEEDS)
    table = read_table(content)
    assert table.headers == ["name", "phone", "city"]
    assert table.rows == [(2, ["张三", "", "广州市"]), (4, ["李四", "13800000000", ""])]
    assert rows.count <= ROWS_A_READER_NEEDS
    assert rows.widest <= MAX_COLUMNS + 1


def test_trailing_empty_columns_do_not_count_and_a_wider_header_is_refused() -> None:
    csv_wide = ("name,phone" + "," * (MAX_COLUMNS * 2) + "\nx,1\n").encode()
    assert read_table(csv_wide).headers == ["name", "phone"]
    for content in (
        ",".join(f"h{i}" for i in range(MAX_COLUMNS + 1)).encode(),
        xlsx([[f"h{i}" for i in range(MAX_COLUMNS + 1)], ["x"]]),
    ):
        with pytest.raises(DomainError) as refused:
            read_table(content)
        assert refused.value.code == "IMPORT_TOO_MANY_COLUMNS"
    assert len(read_table(xlsx([[f"h{i}" for i in range(MAX_COLUMNS)]])).headers) == MAX_COLUMNS


def test_a_sheet_ends_at_a_run_of_blank_rows_and_counts_the_blank_rows_within() -> None:
    gap = "\n" * (BLANK_RUN - 1)
    table = read_table(f"a,b\n1,2\n{gap}3,4\n{gap}\n5,6\n".encode())
    assert [cells for _line, cells in table.rows] == [["1", "2"], ["3", "4"]]
    assert table.rows[1][0] == BLANK_RUN + 2  # its line in the file
