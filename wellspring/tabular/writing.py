"""Writing rows out: CSV (UTF-8 with a BOM, so Excel opens Chinese text correctly) as a
stream of chunks, and XLSX with xlsxwriter's constant-memory mode (a row is flushed to disk as
soon as the next one starts)."""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from typing import Any

BOM = "\ufeff"
_CHUNK_ROWS = 500
_READ_BYTES = 64 * 1024


def _safe(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula is written as text (CSV injection);
    a number no cell can hold (NaN, an infinity: xlsxwriter refuses them) is left blank."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@"} and not _number(value):
        return "'" + value
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def csv_chunks(
    headers: Sequence[str], rows: AsyncIterator[list[Any]]
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(headers)
    count = 0
    async for row in rows:
        writer.writerow([_safe(v) for v in row])
        count += 1
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


async def xlsx_file(headers: Sequence[str], rows: AsyncIterator[list[Any]]) -> tuple[str, int]:
    """Write the workbook to a temporary file: (its path, the rows written). The caller
    streams and removes it."""
    import xlsxwriter  # type: ignore[import-untyped]

    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="wellspring-export-")
    os.close(handle)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    count = 0
    try:
        sheet = book.add_worksheet()
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, list(headers), bold)
        async for row in rows:
            count += 1
            sheet.write_row(count, 0, [_cell(v) for v in row])
    finally:
        book.close()
    return path, count


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool | int | float):
        return value
    return str(value)


async def file_chunks(path: str) -> AsyncIterator[bytes]:
    """A file's bytes, then the file is removed."""
    try:
        with open(path, "rb") as handle:  # noqa: ASYNC230 - a local temporary file
            while chunk := handle.read(_READ_BYTES):
                yield chunk
    finally:
        os.unlink(path)
