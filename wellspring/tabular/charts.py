"""Report workbooks: one sheet per table with a native Excel chart (xlsxwriter), Chinese
sheet names, headers and axis titles; and a table as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from wellspring.domain.reports.tables import Table

from .writing import BOM, _safe

_CHART_ROWS = 40  # a chart of more categories than this shows the first 40


def workbook(tables: Sequence[Table], title: str) -> bytes:
    """The tables as an .xlsx file, in memory (a report is a few hundred rows at most)."""
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "in_memory": True})
    book.set_properties({"title": title})
    bold = book.add_format({"bold": True})
    for table in tables:
        sheet = book.add_worksheet(table.title[:31])
        sheet.write_row(0, 0, table.columns, bold)
        for index, row in enumerate(table.rows, start=1):
            sheet.write_row(index, 0, ["" if v is None else _safe(v) for v in row])
        sheet.set_column(0, len(table.columns) - 1, 14)
        last = min(len(table.rows), _CHART_ROWS)
        chart = book.add_chart({"type": table.chart.kind})
        name = table.title[:31].replace("'", "")
        for column in table.chart.series:
            chart.add_series(
                {
                    "name": [name, 0, column],
                    "categories": [
                        name,
                        1,
                        table.chart.category,
                        max(last, 1),
                        table.chart.category,
                    ],
                    "values": [name, 1, column, max(last, 1), column],
                }
            )
        chart.set_title({"name": table.title})
        chart.set_y_axis({"name": table.chart.y_title})
        chart.set_x_axis({"name": table.columns[table.chart.category]})
        sheet.insert_chart(1, len(table.columns) + 1, chart)
    book.close()
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return buffer.getvalue().encode("utf-8")
