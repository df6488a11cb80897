"""XLSX beside CSV on every list export (issue 14, point 4): the same filtered rows, typed cells.

Each export is fetched twice through the live server, as CSV and as XLSX, with a filter applied; the XLSX is opened
with openpyxl. Its rows are the CSV's rows; numbers and money are numeric cells with a number format, dates are
date cells; the header is bold, frozen and filtered, the columns' widths are set; text that looks like a formula
stays text.
"""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from club.core.exports import csv_response, table_response, xlsx_response
from club.core.spreadsheets import XLSX_TYPE, Column
from club.extensions import db
from tests.conftest import live_request, session_cookie
from tests.url_samples import SAMPLES
from tests.walk import ROLES, add_staff, sign_in, user_of

FORMULAS = ("=", "+", "-", "@")


def _mission_id():
    from club.missions.models import Mission

    return db.session.scalar(sa.select(Mission.id).order_by(Mission.id))


def _programme_id():
    from club.programmes.models import Programme

    return db.session.scalar(sa.select(Programme.id).order_by(Programme.id))


# (CSV path, filter, typed columns: 0-based index -> "number" | "date" | "datetime", every other column is text).
# The filter keeps at least one row with a value in each typed column not marked "?" (an assertion that cannot fail
# is a defect).
EXPORTS = {
    "members": ("/members/export.csv", "kind=bpo", {8: "number"}),
    "deals": ("/deals/table.csv", "kind=equity", {0: "number", 4: "number", 7: "number", 8: "number",
                                                 10: "date?", 12: "date", 13: "date?"}),
    "applications": ("/incubator/calls/{call}/applications.csv", "status=screening",
                     {0: "number", 8: "datetime", 9: "number", 10: "number", 11: "number", 12: "number",
                      13: "number", 14: "number", 15: "number", 16: "number"}),
    "scores": ("/incubator/calls/{call}/scores.csv", "", {0: "number", 5: "number", 6: "number", 7: "number",
                                                          8: "number", 9: "number", 10: "number"}),
    "participants": ("/missions/{mission}/participants.csv", "", {6: "number?", 7: "datetime"}),
    "dues": ("/members/dues/export.csv", "state=paid", {4: "number", 5: "number", 6: "date", 7: "date"}),
    "awards": ("/programmes/awards/export.csv", "category=investment", {3: "date"}),
    "beneficiaries": ("/programmes/{programme}/beneficiaries.csv", "status=placed",
                      {1: "number", 7: "date", 9: "date", 10: "date", 11: "date", 14: "date?"}),
}


def _path(template: str) -> str:
    return template.format(call=SAMPLES["call_id"](), mission=_mission_id(), programme=_programme_id())


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def _sheet(body: bytes):
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def _as_csv(cell) -> str:
    """What the CSV says for this XLSX cell."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if cell.number_format == "mm-dd-yy" else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value.startswith(FORMULAS):
        return "'" + value  # the CSV's neutralised formula
    return str(value)


def _same(csv_cell: str, cell) -> bool:
    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        return csv_cell != "" and Decimal(csv_cell) == Decimal(str(cell.value))
    return csv_cell == _as_csv(cell)


@pytest.mark.parametrize("name", list(EXPORTS))
def test_the_xlsx_holds_the_csv_rows_as_typed_cells(app, demo_world, live_server, name):
    template, query, typed = EXPORTS[name]
    cookie = session_cookie(app, user_of(db, "admin"))
    csv_path = _path(template)
    xlsx_path = csv_path[:-len(".csv")] + ".xlsx"
    suffix = f"?{query}" if query else ""
    as_csv = live_request(live_server + csv_path + suffix, cookie=cookie)
    as_xlsx = live_request(live_server + xlsx_path + suffix, cookie=cookie)
    assert (as_csv.status, as_xlsx.status) == (200, 200)
    assert as_xlsx.content_type == XLSX_TYPE
    assert as_xlsx.headers["content-disposition"].startswith("attachment;")
    assert as_xlsx.headers["content-disposition"].endswith('.xlsx"')
    assert "no-store" in as_xlsx.headers["cache-control"]
    rows = _csv_rows(as_csv.body)
    sheet = _sheet(as_xlsx.body)
    cells = [list(row) for row in sheet.iter_rows()]

    # The same rows: the header, then each row cell by cell (numbers compared as numbers).
    assert len(cells) == len(rows) >= 2
    assert [c.value for c in cells[0]] == rows[0]
    for line, (csv_row, xlsx_row) in enumerate(zip(rows[1:], cells[1:], strict=True), start=2):
        assert len(xlsx_row) == len(csv_row)
        mismatches = [(c.coordinate, value, c.value) for value, c in zip(csv_row, xlsx_row, strict=True)
                      if not _same(value, c)]
        assert mismatches == [], f"row {line}"

    # A filtered list: fewer rows than the whole list, in both files alike.
    if query:
        whole = _sheet(live_request(live_server + xlsx_path, cookie=cookie).body)
        assert whole.max_row > sheet.max_row

    # Typed cells: numbers are numbers with a number format, dates are dates; never a date or amount as text.
    for index, kind in typed.items():
        column = [row[index] for row in cells[1:] if row[index].value is not None]
        assert column or kind.endswith("?"), f"no value in column {index + 1} ({rows[0][index]}): proves nothing"
        for cell in column:
            if kind.startswith("number"):
                assert isinstance(cell.value, (int, float)) and cell.data_type == "n", cell.coordinate
                assert cell.number_format != "General", cell.coordinate
            else:
                assert isinstance(cell.value, datetime) and cell.is_date, cell.coordinate
    for row in cells[1:]:
        for index, cell in enumerate(row):
            if index not in typed and cell.value is not None:
                assert cell.data_type == "s", (cell.coordinate, cell.value)

    # The header: bold, frozen, filtered; every column has a width.
    assert all(c.font.bold for c in cells[0])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{cells[0][-1].column_letter}{sheet.max_row}"
    assert all(sheet.column_dimensions[c.column_letter].width for c in cells[0])


def test_text_that_looks_like_a_formula_stays_text(app, demo_world, live_server, factories):
    """In the register's export: a name, a city and a description an attacker typed."""
    from club.members.models import OrgKind

    hostile = '=HYPERLINK("https://evil.example","Cliquez")'
    factories.OrganizationFactory(name=hostile, kind=OrgKind.BPO, city="+1", description="@SUM(1+1)*cmd|' /C calc'!A0",
                                  headcount=7)
    cookie = session_cookie(app, user_of(db, "admin"))
    sheet = _sheet(live_request(live_server + "/members/export.xlsx?kind=bpo", cookie=cookie).body)
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == hostile)
    assert (row[0].data_type, row[3].data_type, row[12].data_type) == ("s", "s", "s")
    assert (row[3].value, row[12].value) == ("+1", "@SUM(1+1)*cmd|' /C calc'!A0")
    assert (row[8].value, row[8].data_type) == (7, "n")
    as_csv = _csv_rows(live_request(live_server + "/members/export.csv?kind=bpo", cookie=cookie).body)
    assert ["'" + hostile, "'+1"] == [next(r for r in as_csv if r[0] == "'" + hostile)[i] for i in (0, 3)]


def test_the_bulk_bar_exports_a_selection_as_xlsx(app, demo_world, live_server):
    """The register's bulk bar (and a segment's) offers both formats; XLSX keeps the selection."""
    from club.members.models import Organization

    client = sign_in(app, db, "admin")
    page = client.get("/members/?kind=bpo").get_data(as_text=True)
    assert 'name="action" value="export_xlsx"' in page and 'name="action" value="export"' in page
    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    from tests.walk import parse_forms

    form = next(f for f in parse_forms(page) if f.action.endswith("/segments/bulk"))
    response = client.post("/segments/bulk", data={"csrf_token": form.csrf_token, "kind": "bpo", "ids": str(saccom),
                                                   "action": "export_xlsx"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/members/export.xlsx?") and f"ids={saccom}" in location and "kind=bpo" in location
    cookie = session_cookie(app, user_of(db, "admin"))
    sheet = _sheet(live_request(live_server + location, cookie=cookie).body)
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Saccom"]


def test_every_csv_link_has_its_xlsx_twin_with_the_same_filters(app, demo_world):
    client = sign_in(app, db, "admin")
    call, mission, programme = SAMPLES["call_id"](), _mission_id(), _programme_id()
    pages = ["/members/?kind=bpo&q=sac", "/deals/table?kind=equity", f"/incubator/calls/{call}/applications?status=screening",
             f"/incubator/calls/{call}", f"/missions/{mission}", "/members/dues?state=paid",
             "/programmes/awards/?category=investment", f"/programmes/{programme}/beneficiaries?status=placed"]
    for page in pages:
        html = client.get(page).get_data(as_text=True).replace("&amp;", "&")
        csv_links = {link.split('"')[0] for link in html.split('href="')[1:] if ".csv" in link.split('"')[0]}
        assert csv_links, page
        for link in csv_links:
            path, _, query = link.partition("?")
            twin = path[:-len(".csv")] + ".xlsx" + (f"?{query}" if query else "")
            assert f'href="{twin}"' in html, (page, link)
        if "?" in page:  # the page's filters travel with its list's export
            assert any(page.split("?")[1].split("&")[0] in link for link in csv_links), (page, csv_links)


@pytest.mark.parametrize("role", list(ROLES))
def test_an_xlsx_export_answers_what_its_csv_answers(app, demo_world, factories, role):
    """404 to whoever may not read the CSV (a partner, a member, an applicant), 200 to whoever may."""
    add_staff(factories)
    db.session.commit()
    client = sign_in(app, db, role)
    for template, _query, _typed in EXPORTS.values():
        path = _path(template)
        csv_status = client.get(path).status_code
        assert client.get(path[:-len(".csv")] + ".xlsx").status_code == csv_status, (role, path)
        assert csv_status in (200, 404)
        assert client.get(path[:-len(".csv")] + ".pdf").status_code == 404  # no other format


def test_table_response_writes_both_formats_from_one_definition(app):
    columns = [Column("Nom"), Column("Montant", "money"), Column("Le", "date"), Column("À", "datetime"),
               Column("N", "int"), Column("Année", "year")]
    rows = [("=1+1", Decimal("1250000.5"), date(2020, 7, 11), datetime(2020, 7, 11, 9, 30), 3, 2020),
            ("Oujda", None, None, None, None, None)]
    with app.test_request_context():
        as_csv = b"".join(table_response("csv", "x", "Feuille", columns, iter(rows)).response)
        response = table_response("xlsx", "x", "Feuille", columns, iter(rows))
        as_xlsx = b"".join(response.response)
        with pytest.raises(Exception) as refused:
            table_response("pdf", "x", "Feuille", columns, iter(rows))
    assert getattr(refused.value, "code", None) == 404
    assert _csv_rows(as_csv) == [["Nom", "Montant", "Le", "À", "N", "Année"],
                                 ["'=1+1", "1250000.50", "2020-07-11", "2020-07-11 09:30", "3", "2020"],
                                 ["Oujda", "", "", "", "", ""]]
    assert response.headers["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx))
    assert book.sheetnames == ["Feuille"]
    first, second = list(book.active.iter_rows(min_row=2))
    assert [c.value for c in first] == ["=1+1", 1250000.5, datetime(2020, 7, 11), datetime(2020, 7, 11, 9, 30), 3, 2020]
    assert first[0].data_type == "s"
    assert [c.number_format for c in first[1:]] == ['#,##0.00 "MAD"', "mm-dd-yy", "yyyy-mm-dd hh:mm", "#,##0", "0"]
    assert [c.value for c in second] == ["Oujda", None, None, None, None, None]


def test_a_large_export_stays_bounded_in_memory(app):
    """5,000 register-like rows of 18 columns: Python's own allocations stay under a few MB (write-only mode
    and a spooled file), whatever the number of rows."""
    columns = [Column(f"c{i}", "int" if i == 8 else "text") for i in range(18)]

    def rows(count):
        for n in range(count):
            yield [f"Organisation {n}", "call_center", None, "Oujda", "oujda_angad", "none", "a|b", "fr|ar", n,
                   "https://example.org", "", "+212600000000", "Une description " * 5, "Nom", "Titre",
                   "x@example.org", "", "active"]

    def peak(count):
        tracemalloc.start()
        try:
            with app.test_request_context():
                response = xlsx_response("x.xlsx", "x", columns, rows(count))
                size = sum(len(chunk) for chunk in response.response)
            return tracemalloc.get_traced_memory()[1], size
        finally:
            tracemalloc.stop()

    small, _ = peak(500)
    large, size = peak(5_000)
    assert size > 200_000
    assert large < small + 2 * 1024 * 1024, (small, large)  # ten times the rows, not ten times the memory
    with app.test_request_context():
        csv_response("x.csv", ["a"], [])  # the CSV path is unchanged
