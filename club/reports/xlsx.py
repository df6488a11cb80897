"""The activity report as an XLSX workbook (``club.core.spreadsheets``): a summary sheet (the report, its period, its
audience and every section's key figures as typed cells), then one sheet per table of each section, named after the
table, each with its header bold, frozen and filtered, its money, numbers and dates as typed cells. A long table
(one row per organisation) is streamed from the database into openpyxl's write-only sheet: memory stays bounded."""

from __future__ import annotations

from flask_babel import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from club.core.spreadsheets import FORMATS, add_sheet, new_workbook, sheet_title, workbook_bytes
from club.core.spreadsheets import _value as cell_value
from club.reports.content import Report


def _summary(book, report: Report) -> None:
    sheet = book.create_sheet(sheet_title(_("Summary")))
    for letter, width in zip("ABC", (28, 58, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    bold, title_font = Font(bold=True), Font(bold=True, size=14)

    def text(value, font=None):
        cell = WriteOnlyCell(sheet, value=cell_value("text", value))
        if cell.value is not None:
            cell.data_type = "s"
        if font:
            cell.font = font
        return cell

    def typed(value, kind):
        cell = WriteOnlyCell(sheet, value=cell_value(kind, value))
        if kind == "text":
            if cell.value is not None:
                cell.data_type = "s"
        else:
            cell.number_format = FORMATS[kind]
        return cell

    sheet.append([text(report.title, title_font)])
    sheet.append([text(_("Period covered"), bold), text(report.period.label)])
    sheet.append([text(_("First day"), bold), typed(report.period.starts_on, "date")])
    sheet.append([text(_("Last day"), bold), typed(report.period.ends_on, "date")])
    sheet.append([text(_("Prepared for"), bold), text(report.audience or _("The club (the full report)"))])
    sheet.append([text(_("Generated on"), bold), typed(report.generated_on, "date")])
    sheet.append([])
    sheet.append([text(_("Section"), bold), text(_("Key figure"), bold), text(_("Value"), bold)])
    for section in report.sections:
        for figure in section.figures:
            sheet.append([text(section.title), text(figure.label), typed(figure.value, figure.kind)])
    sheet.freeze_panes = "A9"
    sheet.auto_filter.ref = f"A8:{get_column_letter(3)}{8 + max(1, sum(len(s.figures) for s in report.sections))}"


def render_xlsx(report: Report) -> bytes:
    book = new_workbook()
    _summary(book, report)
    for section in report.sections:
        for table in section.tables:
            intro = [f"{section.title} – {table.title} · {report.period.label}"]
            if table.note:
                intro.append(table.note)
            add_sheet(book, table.title, table.columns, table.all_rows(), intro=intro)
    return workbook_bytes(book)
