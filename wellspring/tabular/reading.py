"""Reading a CSV or XLSX file into a header row and text rows (with their line numbers).

CSV is decoded as UTF-8 (a BOM is dropped) or, failing that, GB18030: legacy Chinese systems
export GBK/GB18030. XLSX is read with openpyxl in read-only mode (rows stream from the zip);
cells become text the way a clerk sees them (dates as 2026-12-03, 1.0 as 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from wellspring.domain.errors import DomainError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_CELL = 2000
_XLSX_MAGIC = b"PK\x03\x04"
csv.field_size_limit(MAX_CELL * 8)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line in the file, the header being line 1; cells)


def read_table(content: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> Table:
    """The file's first sheet or its CSV rows; ``IMPORT_*`` errors for what cannot be read."""
    if len(content) > max_bytes:
        raise DomainError("IMPORT_FILE_TOO_LARGE", field="file", maximum=max_bytes)
    rows = _xlsx_rows(content) if content.startswith(_XLSX_MAGIC) else _csv_rows(content)
    table: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    try:
        for line, cells in rows:
            if headers is None:
                if any(c.strip() for c in cells):
                    headers = cells
                continue
            if len(table) >= MAX_ROWS:
                raise DomainError("IMPORT_TOO_MANY_ROWS", field="file", maximum=MAX_ROWS)
            table.append((line, cells))
    except (csv.Error, ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    if headers is None:
        raise DomainError("IMPORT_EMPTY_FILE", field="file")
    return Table(headers, table)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    for cells in reader:
        yield reader.line_num, [c[:MAX_CELL] for c in cells]


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_text(v) for v in values]
    except DomainError:
        raise
    except Exception as exc:  # a damaged sheet fails deep inside openpyxl, in many ways
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    finally:
        book.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL]


def parse_column_map(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    return {k.strip(): v.strip() for k, v in pairs if k.strip()}
