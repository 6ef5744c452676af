"""XLSX files written by hand (a sheet's XML as a hostile or an odd program would write it),
and a count of the rows openpyxl hands to our reader, to show how much work a file made."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
        '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="appli'
        'cation/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxm'
        'lformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/workshe'
        'ets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheet'
        'ml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlform'
        'ats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openx'
        'mlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xm'
        'l"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="http://schemas.openxml'
        'formats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:i'
        'd="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlform'
        'ats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openx'
        'mlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.x'
        'ml"/></Relationships>'
    ),
}
SHEET = "xl/worksheets/sheet1.xml"


def cell(ref: str, text: str | None = None) -> str:
    """A cell with inline text, or (``None``) an empty formatted one."""
    if text is None:
        return f'<c r="{ref}" s="0"/>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(rows: str, *, dimension: str | None = None) -> bytes:
    """One sheet whose ``<sheetData>`` holds ``rows`` (``<row>`` elements)."""
    size = "" if dimension is None else f'<dimension ref="{dimension}"/>'
    sheet = f'<?xml version="1.0"?><worksheet {_NS}>{size}<sheetData>{rows}</sheetData></worksheet>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr(SHEET, sheet)
    return out.getvalue()


def zip_bomb(mib: int) -> bytes:
    """A workbook whose sheet is ``mib`` MiB of whitespace: a few hundred KB as a file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'.encode())
            pad = b" " * (1 << 20)
            for _ in range(mib):
                sheet.write(pad)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


@dataclass
class RowsRead:
    """The rows openpyxl's read-only sheets handed over, the widest, and the threads."""

    limit: int
    count: int = 0
    widest: int = 0
    threads: set[int] = field(default_factory=set)


def count_rows(monkeypatch: pytest.MonkeyPatch, limit: int) -> RowsRead:
    """Counts the rows openpyxl's read-only sheets hand over. Past ``limit`` the reader is
    stuck, and this stops it (openpyxl raising: the reader answers IMPORT_UNREADABLE_FILE
    rather than hang the run)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    seen = RowsRead(limit)
    original = vars(ReadOnlyWorksheet)["_cells_by_row"]  # private: the stubs do not list it

    def counted(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        seen.threads.add(threading.get_ident())
        for row in original(self, *args, **kwargs):
            seen.count += 1
            seen.widest = max(seen.widest, len(row))
            if seen.count > limit:
                raise RuntimeError(f"openpyxl handed over more than {limit} rows")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counted)
    return seen
