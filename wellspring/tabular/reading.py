"""Reading a CSV or XLSX file into a header row and text rows (with their line numbers).

CSV is decoded as UTF-8 (a BOM is dropped) or, failing that, GB18030: legacy Chinese systems
export GBK/GB18030. XLSX is read with openpyxl in read-only mode (rows stream from the zip);
cells become text the way a clerk sees them (dates as 2026-12-03, 1.0 as 1).

A sheet declares its size and openpyxl fills in every row and column it skips, so a few KB
can stand for a billion empty rows, or a zip for gigabytes of XML: the zip's declared sizes are
checked before openpyxl opens it, no row is read wider than ``MAX_COLUMNS`` + 1 columns (those
under the header no wider than it), and a sheet (CSV alike) ends at its first run of
``BLANK_RUN`` blank rows. Blank rows are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from wellspring.domain.errors import DomainError
from wellspring.domain.imports.columns import MAX_COLUMNS

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
# Excel keeps formatted but empty rows below the data; this many in a row end the sheet.
BLANK_RUN = 1000
# What an XLSX may unpack to (its entries' declared sizes; zipfile never inflates past them).
MAX_UNPACKED_MIB = 256
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
    blanks = 0
    under = 0  # rows under the header, blank ones included
    try:
        for line, cells in rows:
            if headers is not None:
                under += 1
            if not any(c.strip() for c in cells):
                blanks += 1
                if blanks >= BLANK_RUN:
                    break
                continue
            blanks = 0
            if headers is None:
                headers = _trimmed(cells)
                if len(headers) > MAX_COLUMNS:
                    raise DomainError("IMPORT_TOO_MANY_COLUMNS", field="file", maximum=MAX_COLUMNS)
            elif under > MAX_ROWS:
                raise DomainError("IMPORT_TOO_MANY_ROWS", field="file", maximum=MAX_ROWS)
            else:
                table.append((line, cells))
    except (csv.Error, ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    finally:
        rows.close()  # an XLSX closes its workbook
    if headers is None:
        raise DomainError("IMPORT_EMPTY_FILE", field="file")
    return Table(headers, table)


def _trimmed(cells: list[str]) -> list[str]:
    """The cells without the blank ones at the end (a sheet's declared width is padding)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


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


def _csv_rows(content: bytes) -> Generator[tuple[int, list[str]]]:
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


def _xlsx_rows(content: bytes) -> Generator[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked(content)
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
        # The header is within the first BLANK_RUN rows (read_table stops at that many blank
        # ones), read MAX_COLUMNS + 1 wide so that a header there is refused, not dropped:
        # never as wide as the sheet may declare. The rows under it are read no wider than
        # it (cells right of it are under no column), and a row beyond MAX_ROWS (refused)
        # comes within BLANK_RUN more or the sheet has ended: no row past that is needed.
        top = sheet.iter_rows(max_col=MAX_COLUMNS + 1, max_row=BLANK_RUN, values_only=True)
        for line, values in enumerate(top, start=1):
            cells = _cells(values)
            yield line, cells
            if any(c.strip() for c in cells):
                top.close()
                last = line + MAX_ROWS + BLANK_RUN
                width = len(_trimmed(cells))
                rows = sheet.iter_rows(line + 1, last, max_col=width, values_only=True)
                for under, values in enumerate(rows, start=line + 1):
                    yield under, _cells(values)
                return
    except DomainError:
        raise
    except Exception as exc:  # a damaged sheet fails deep inside openpyxl, in many ways
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    finally:
        book.close()


def _cells(values: tuple[Any, ...]) -> list[str]:
    if values.count(None) == len(values):
        return []  # a blank row (most are), without a look at each of its cells
    return [_text(v) for v in values]


def _check_unpacked(content: bytes) -> None:
    """Refuse a zip that unpacks to more than ``MAX_UNPACKED_MIB`` before anything inflates."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise DomainError("IMPORT_UNREADABLE_FILE", field="file") from exc
    if unpacked > MAX_UNPACKED_MIB * 1024 * 1024:
        raise DomainError("IMPORT_UNPACKED_TOO_LARGE", field="file", maximum=MAX_UNPACKED_MIB)


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
