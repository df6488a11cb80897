"""XLSX files (openpyxl): one way to write a sheet of typed cells, for every list export and the activity reports.

A sheet is a header and rows under it, each column of one kind (``Column``): numbers, money and dates are cell
values with a number format (a funder sums them, sorts them, filters them), never strings. The header row is bold,
frozen and filtered, the columns' widths are set. Text is always written as text: a cell starting with ``=``, ``+``,
``-`` or ``@`` is never a formula (openpyxl would otherwise store ``=…`` as one).

Sheets are written in openpyxl's write-only mode: memory stays bounded whatever the number of rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats. Dates use Excel's built-in short date (format 14), which every spreadsheet shows in its reader's
# own regional convention (31/12/2020 in France, 12/31/2020 in the US).
FORMATS = {
    "int": "#,##0",
    "id": "0",  # a number that is a name (a record's id, a rank): no thousands separator
    "year": "0",  # 2020, not 2 020
    "decimal": "#,##0.00",
    "money": '#,##0.00 "MAD"',
    "percent": "0.0%",
    "date": "mm-dd-yy",
    "datetime": "yyyy-mm-dd hh:mm",
    "text": "@",
}
WIDTHS = {"int": 12, "id": 8, "year": 8, "decimal": 14, "money": 18, "percent": 10, "date": 12, "datetime": 17, "text": 24}
KINDS = tuple(FORMATS)
# Characters an XML 1.0 document may not hold (openpyxl refuses them): dropped from text cells.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A sheet's name: at most 31 characters, none of []:*?/\
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = "text"
    width: int | None = None

    def __post_init__(self):
        if self.kind not in FORMATS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid sheet name for ``name``, distinct from ``taken``."""
    base = _SHEET_NAME.sub(" ", str(name)).strip()[:31] or "Sheet"
    title, n, taken = base, 2, {t.lower() for t in taken}
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    return title


def _value(kind: str, value):
    if value is None or value == "":
        return None
    if kind in ("int", "id", "year"):
        return int(value)
    if kind in ("decimal", "money", "percent"):
        return float(value) if isinstance(value, Decimal) else value
    if kind == "date":
        return value.date() if isinstance(value, datetime) else value
    if kind == "datetime":
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value
    text = _ILLEGAL.sub("", value if isinstance(value, str) else str(value))
    return text[:32767]


def add_sheet(book: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
              *, intro: Sequence[str] = ()) -> None:
    """A sheet of ``rows`` under a header of ``columns`` (``intro`` lines, if any, above the header)."""
    sheet = book.create_sheet(sheet_title(title, book.sheetnames))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width or max(
            WIDTHS[column.kind], min(len(str(column.heading)) + 2, 40))
    header_row = len(intro) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    for line in intro:
        cell = WriteOnlyCell(sheet, value=_value("text", line))
        cell.data_type = "s"
        sheet.append([cell])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=_value("text", column.heading))
        cell.data_type, cell.font = "s", bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=False):
            cell = WriteOnlyCell(sheet, value=_value(column.kind, value))
            if column.kind == "text":
                if cell.value is not None:
                    cell.data_type = "s"  # never a formula
            else:
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
        count += 1
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet as an XLSX file."""
    book = new_workbook()
    add_sheet(book, title, columns, rows)
    return workbook_bytes(book)
