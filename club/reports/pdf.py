"""The activity report as a PDF, laid out for print (WeasyPrint, which shapes right-to-left scripts through
HarfBuzz: Arabic will come): A4, a cover, the contents with page numbers, one section per page onwards with its key
figures, charts (SVG images, drawn by WeasyPrint) and tables whose header repeats on every page.

Rendered in the current locale (the caller wraps it in ``force_locale``). Nothing is fetched: the URL fetcher is the
receipts' one, which reads ``data:`` URIs only (the charts)."""

from __future__ import annotations

from flask import current_app, render_template
from markupsafe import Markup

from club.reports.content import Report, format_value


def css_string(text) -> Markup:
    """``text`` as a CSS string (the page's margin boxes): quoted, its quotes, backslashes and angle brackets
    escaped the CSS way."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>&\n' else c for c in str(text))
    return Markup(f'"{escaped}"')


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    from club.members.views.receipts import CLUB_NAME, _data_only_fetcher

    html = render_template("reports/report.pdf.html", report=report, format_value=format_value, css_string=css_string,
                           club_name=current_app.config.get("CLUB_NAME") or CLUB_NAME)
    return HTML(string=html, base_url=None, url_fetcher=_data_only_fetcher()).write_pdf()
