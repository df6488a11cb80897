"""The activity report's files: the PDF (pypdf reads its text: the sections' headings in French and in English, page
numbers, several pages) and the XLSX (openpyxl opens it: the summary and one sheet per table, numbers, money and
dates as typed cells); a partner's files name no person and no deal that was not shared with the partner."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale


def pdf_text(data: bytes) -> tuple[int, list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def build(app, language, period, audience=None):
    from club.reports.content import build_report
    from club.reports.pdf import render_pdf
    from club.reports.xlsx import render_xlsx

    report = build_report(period, audience=audience, today=date(2026, 1, 15))
    return report, render_pdf(report), render_xlsx(report)


@pytest.fixture()
def locale(app, request):
    """Run the test in a request in the language of its ``language`` parameter (French if none)."""
    language = getattr(request, "param", None) or request.node.callspec.params.get("language", "fr") \
        if hasattr(request.node, "callspec") else "fr"
    with app.test_request_context(), force_locale(language):
        yield language


@pytest.mark.parametrize(("language", "headings", "page"), [
    ("fr", ["Membres", "Cotisations", "Emplois", "Dossiers", "Incubateur", "Missions", "Programmes"], "Page"),
    ("en", ["Members", "Dues", "Jobs", "Deals", "Incubator", "Missions", "Programmes", "Recognitions"], "Page"),
])
def test_the_pdf_has_a_cover_contents_the_sections_and_page_numbers(app, demo_world, locale, language, headings,
                                                                    page):
    from club.reports.content import Period

    report, pdf, _xlsx = build(app, language, Period.year(2020))
    assert pdf.startswith(b"%PDF")
    count, pages = pdf_text(pdf)
    assert count >= len(report.sections) + 2  # a cover, the contents, a page at least per section
    assert report.title in pages[0] and report.period.label in pages[0] and "2020" in pages[0]
    for number, section in enumerate(report.sections, start=1):
        assert f"{number}. {section.title}" in pages[1]  # the contents
        assert any(p.lstrip().startswith(f"{section.title}") or f"{number}. {section.title}" in p
                   for p in pages[2:])
    for heading in headings:
        assert any(f". {heading}" in p for p in pages[2:]), heading
    # Page numbers in the footer ("Page 3 / 13"), none on the cover.
    assert f"{page} 3 / {count}" in pages[2] and f"{page} {count} / {count}" in pages[-1]
    assert f"/ {count}" not in pages[0]
    # The contents give each section's page.
    first = {s.title: next(i + 1 for i, p in enumerate(pages[2:], start=2) if f"{n}. {s.title}" in p)
             for n, s in enumerate(report.sections, start=1)}
    for title, number in first.items():
        assert re.search(re.escape(title) + r"[ .]*" + str(number) + r"\b", pages[1]), (title, number)
    # Figures written the reader's way.
    money = "10 000 000,00 MAD" if language == "fr" else "10,000,000.00 MAD"
    assert any(money in p.replace("\u202f", " ").replace("\xa0", " ") for p in pages)


@pytest.mark.parametrize("language", ["en"])
def test_the_xlsx_has_a_summary_and_a_sheet_per_table_with_typed_cells(app, demo_world, locale, language):
    from club.reports.content import Period

    report, _pdf, xlsx = build(app, "en", Period.year(2020))
    book = workbook(xlsx)
    expected = ["Summary"] + [t.title for s in report.sections for t in s.tables]
    assert book.sheetnames == expected
    assert {"Deals signed", "Jobs by organisation", "New members", "Missions held", "Awards"} <= set(book.sheetnames)

    summary = book["Summary"]
    assert summary["A1"].value == "Activity report" and summary["B2"].value == "Year 2020"
    assert summary["B3"].value == datetime(2020, 1, 1) and summary["B3"].is_date
    rows = {r[1]: r[2] for r in summary.iter_rows(min_row=9, values_only=True)}
    assert rows["The club's jobs target"] == 3000 and rows["Amount signed in the period"] == 10_000_000

    deals = book["Deals signed"]
    assert deals.freeze_panes == "A3" and deals.auto_filter.ref.startswith("A2:")
    header = [c.value for c in deals[2]]
    assert header[:2] == ["Deal", "Target"] and header[-1] == "Signed on"
    pact = next(row for row in deals.iter_rows(min_row=3) if row[0].value == "Pacte d'associés FIRO × Notoriety")
    assert pact[5].value == 10_000_000 and pact[5].data_type == "n" and "MAD" in pact[5].number_format
    assert pact[6].value == pytest.approx(0.2) and "%" in pact[6].number_format
    assert pact[7].value == datetime(2020, 7, 10) and pact[7].is_date

    jobs = book["Jobs by organisation"]
    assert jobs.freeze_panes == "A4"  # its title and its note above the header
    values = [row for row in jobs.iter_rows(min_row=4, values_only=True)]
    assert values and all(isinstance(r[1], int) for r in values)
    assert [c.value for c in book["Members by status"][2]][1:3] == ["At the start", "At the end"]


def _people(db):
    """Every person's name and email in the register: contacts, accounts, beneficiaries, people honoured."""
    from club.auth.models import User
    from club.members.models import Contact
    from club.programmes.models import Award, Beneficiary

    names = set(db.session.scalars(sa.select(Contact.name))) | set(db.session.scalars(sa.select(Beneficiary.name)))
    names |= set(db.session.scalars(sa.select(Award.person_name)))
    emails = set(db.session.scalars(sa.select(Contact.email).where(Contact.email.is_not(None))))
    emails |= set(db.session.scalars(sa.select(User.email)))
    return {n for n in names if n}, {e for e in emails if e}


def test_firo_report_holds_the_deals_shared_with_firo_and_no_person(app, demo_world, locale):
    from club.deals.models import Deal, DealShare, Stage
    from club.members.models import Organization
    from club.reports.content import Period

    firo = demo_world.session.scalar(sa.select(Organization).where(Organization.name == "FIRO"))
    period = Period.between(date(2019, 1, 1), date(2030, 12, 31))
    _report, pdf, xlsx = build(app, "fr", period, audience=firo)
    _count, pages = pdf_text(pdf)
    text = " ".join(pages)
    book = workbook(xlsx)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
             if c is not None]
    everything = text + "\n" + "\n".join(cells)

    shared = set(demo_world.session.scalars(sa.select(Deal.title).join(DealShare).where(
        DealShare.organization_id == firo.id)))
    others = set(demo_world.session.scalars(sa.select(Deal.title))) - shared
    assert others
    for title in others:
        assert title not in everything, title
    signed = set(demo_world.session.scalars(sa.select(Deal.title).join(DealShare).where(
        DealShare.organization_id == firo.id, Deal.stage.in_((Stage.SIGNED, Stage.CLOSED)))))
    assert signed and signed <= set(cells)
    assert "FIRO" in pages[0]

    names, emails = _people(demo_world)
    assert names and emails
    for name in names:
        assert name not in everything, name
    for email in emails:
        assert email not in everything, email


def test_the_club_report_names_the_deals_and_the_people_it_should(app, demo_world, locale):
    """The same checks would fail on the club's own report: they are not vacuous."""
    from club.reports.content import Period

    _report, _pdf, xlsx = build(app, "fr", Period.between(date(2019, 1, 1), date(2030, 12, 31)))
    cells = {str(c) for sheet in workbook(xlsx).worksheets for row in sheet.iter_rows(values_only=True) for c in row}
    assert "Mémorandum d'entente — Groupe international A" in cells
    assert any("(" in c and ")" in c for c in cells)  # an award to a contact, named with their organisation
