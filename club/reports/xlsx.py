"""The activity report as an XLSX workbook: one sheet per section (``club.core.spreadsheets``)."""

from __future__ import annotations

from flask_babel import gettext as _

from club.core.spreadsheets import Column, add_sheet, new_workbook, workbook_bytes
from club.reports.content import Report


def render_xlsx(report: Report) -> bytes:
    book = new_workbook()
    add_sheet(book, _("Summary"), [Column(_("Report")), Column(_("Period"))], [(report.title, report.period.label)])
    for section in report.sections:
        for table in section.tables:
            add_sheet(book, f"{section.title} – {table.title}", table.columns, table.rows)
    return workbook_bytes(book)
