"""Every list export, as CSV and as XLSX, from one definition of its columns.

CSV: one dialect, what French Excel opens cleanly and what a spreadsheet cannot execute. ``;`` between cells, CRLF between rows, UTF-8 with a byte-order mark, every cell passed through ``csv_safe``
(a cell starting with ``=``, ``+``, ``-``, ``@`` is never a formula). The rows are written whole *inside* the
request, while its database session and cursors live (a generator streamed after the view returned outlived
them: 500 on every non-empty list), into a spooled file: memory stays bounded (a few MB, then a temporary
file), and the file is sent in chunks.

XLSX: one sheet of typed cells (``club.core.spreadsheets``: numbers, money and dates are values with a number
format, text is never a formula, the header frozen and filtered), written in openpyxl's write-only mode to the same
kind of spooled file, so a register of 100,000 rows stays bounded in memory too.

A view describes its export once, as ``Column``s and rows of raw values (``int``, ``Decimal``, ``date``, ``str``),
and answers ``table_response(fmt, stem, title, columns, rows)``: its ``.csv`` and ``.xlsx`` routes differ by
``fmt`` only, so the two files hold the same rows.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Response, abort

from club.core.spreadsheets import XLSX_TYPE, Column, add_sheet, new_workbook
from club.core.text import csv_safe

DELIMITER = ";"
SPOOL_IN_MEMORY = 4 * 1024 * 1024
CHUNK = 64 * 1024


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A download of ``header`` then ``rows`` (consumed here, before returning)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b")
    try:
        out = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
        out.write("\ufeff")
        writer.writerow([csv_safe(cell) for cell in header])
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in row])
        out.detach()
    except BaseException:
        spool.close()
        raise
    return _download(spool, "text/csv", filename)


def xlsx_response(filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    """A download of one sheet ``title``: ``columns`` then ``rows`` of raw values (consumed here)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b")
    try:
        book = new_workbook()
        add_sheet(book, title, columns, rows)
        book.save(spool)
    except BaseException:
        spool.close()
        raise
    return _download(spool, XLSX_TYPE, filename)


def csv_cell(kind: str, value):
    """A raw value as the CSV writes it: money with its two decimals, dates in ISO, times to the minute."""
    if value is None:
        return ""
    if kind in ("money", "decimal") and isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


FORMATS = ("csv", "xlsx")


def table_response(fmt: str, stem: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    """The rows as ``<stem>.csv`` or ``<stem>.xlsx`` (sheet ``title``); any other format: 404."""
    if fmt == "csv":
        kinds = [column.kind for column in columns]
        return csv_response(f"{stem}.csv", [column.heading for column in columns],
                            ([csv_cell(kind, value) for kind, value in zip(kinds, row, strict=True)] for row in rows))
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", title, columns, rows)
    abort(404)


def _download(spool, mimetype: str, filename: str) -> Response:
    """The spooled file sent in chunks, as an attachment never cached."""
    spool.seek(0)

    def chunks():
        try:
            while chunk := spool.read(CHUNK):
                yield chunk
        finally:
            spool.close()

    response = Response(chunks(), mimetype=mimetype)
    response.call_on_close(spool.close)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
