"""The activity report as a PDF, laid out for print (WeasyPrint)."""

from __future__ import annotations

from flask import render_template
from weasyprint import HTML

from club.reports.content import Report


def render_pdf(report: Report) -> bytes:
    html = render_template("reports/report.pdf.html", report=report)
    return HTML(string=html).write_pdf()
