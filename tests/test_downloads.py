"""Every download a page offers works through a real HTTP server (issue 9, A.2).

For each role, the pages it can reach (every GET route of the URL map with the demo world's ids) are
fetched through the live server with that role's session cookie, then every link they show (``<a href>``
to one of our routes). Whatever answers something other than a page is a download: it must answer 200
and parse (CSV with a constant column count, iCalendar, PDF, XLSX). The test client would hide what
happens once the response has left the view (a generator streaming from a closed session); a real
server does not.
"""

from __future__ import annotations

import csv
import io
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from club.extensions import db
from tests.conftest import live_request, session_cookie
from tests.walk import ROLES, add_staff, allowed, build_url, endpoint_of, routes, user_of

# Found instances that their domain fixes (issue 9): the lead empties this set once every branch is
# merged. A listed endpoint whose download works fails the test, so the set cannot go stale.
KNOWN_BROKEN: set[str] = set()

# Content types that are pages, not downloads.
PAGES = {"text/html", "application/xhtml+xml"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
            self.links.append(href)


def links_of(html: str, page_url: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [urljoin(page_url, link).split("#")[0] for link in parser.links]


def check_csv(body: bytes) -> str | None:
    if not body.startswith("\ufeff".encode()):
        return "CSV without the UTF-8 byte-order mark (French Excel would misread its accents)"
    content = body.decode("utf-8-sig")
    header = content.split("\n", 1)[0]
    if max(";,\t", key=header.count) != ";" or not header.endswith("\r"):
        return "CSV not in the club's one dialect (';' between cells, CRLF: club.core.exports)"
    rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    if len(rows) < 2:
        return "CSV without a data row (the demo world has some for every export)"
    if not rows:
        return "empty CSV (not even a header)"
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        return f"CSV rows of {sorted(widths)} columns"
    return None


def check_ics(body: bytes) -> str | None:
    import icalendar

    calendar = icalendar.Calendar.from_ical(body)
    if calendar.name != "VCALENDAR" or not calendar.walk("VEVENT"):
        return "an iCalendar file without an event"
    return None


def check_pdf(body: bytes) -> str | None:
    if not body.startswith(b"%PDF-"):
        return "not a PDF (no %PDF- header)"
    tail = body[-2048:]
    if b"%%EOF" not in tail or not (b"trailer" in tail or b"startxref" in tail):
        return "a PDF without its trailer (trailer or startxref, then %%EOF)"
    if b"/Catalog" in body and b"endobj" in body:
        return None
    import pypdf  # its objects in compressed object streams (WeasyPrint's PDFs): read them

    reader = pypdf.PdfReader(io.BytesIO(body))
    if reader.trailer["/Root"].get("/Type") != "/Catalog":
        return "a PDF without its objects (no /Catalog)"
    return None


def check_xlsx(body: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return "not an XLSX (not a zip file)"
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        return "an XLSX without worksheets"
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    if sheet.freeze_panes is None:
        return f"an XLSX whose first sheet ({sheet.title!r}) has no frozen header"
    header_row = sheet[sheet.freeze_panes].row - 1  # frozen above the first data row
    if sheet.max_row <= header_row or all(c.value is None for c in sheet[sheet.max_row]):
        return f"an XLSX whose first sheet ({sheet.title!r}) has no data row (the demo world has some)"
    return None


CHECKS = {
    "text/csv": check_csv,
    "text/calendar": check_ics,
    "application/pdf": check_pdf,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": check_xlsx,
}
SUFFIXES = {".csv": "text/csv", ".ics": "text/calendar", ".pdf": "application/pdf",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def check_download(url: str, response) -> str | None:
    if response.status != 200:
        return f"answers {response.status}"
    kind = response.content_type
    suffix = next((s for s in SUFFIXES if urlsplit(url).path.endswith(s)), None)
    if suffix and SUFFIXES[suffix] != kind:
        return f"a {suffix} link served as {kind!r}"
    check = CHECKS.get(kind)
    if check is None:
        return None  # another kind of file (an uploaded document): 200 and a body is all we can ask
    try:
        return check(response.body)
    except Exception as exc:  # noqa: BLE001 - any parse error is the finding
        return f"does not parse: {exc!r}"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_download_a_page_offers_answers_and_parses(app, demo_world, factories, live_server, role):
    add_staff(factories)
    db.session.commit()
    cookie = session_cookie(app, user_of(db, role) if role else None)
    seeds = [build_url(app, rule) for rule, access in routes()
             if "GET" in rule.methods and (allowed(access, role) if role else access == "public")]
    seen: set[str] = set(seeds)
    fetched = {path: live_request(live_server + path, cookie=cookie) for path in seeds}
    for page, response in list(fetched.items()):
        if response.content_type not in PAGES or response.status != 200:
            continue
        for link in links_of(response.text, live_server + page):
            parts = urlsplit(link)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if (f"{parts.scheme}://{parts.netloc}" != live_server or path in seen
                    or endpoint_of(app, parts.path) in (None, "static")):
                continue
            seen.add(path)
            fetched[path] = live_request(link, cookie=cookie)
    failures, downloads = [], set()
    for path, response in sorted(fetched.items()):
        endpoint = endpoint_of(app, urlsplit(path).path)
        is_download = response.content_type not in PAGES or urlsplit(path).path.endswith(tuple(SUFFIXES))
        if is_download and path not in seeds or is_download and response.status != 404:
            downloads.add(endpoint)
            problem = check_download(path, response)
        else:
            problem = f"answers {response.status}" if response.status >= 500 else None
        if endpoint in KNOWN_BROKEN:
            if not problem:
                failures.append(f"{path} works: remove {endpoint} from KNOWN_BROKEN")
        elif problem:
            failures.append(f"{path} ({endpoint}) {problem}")
    assert failures == []
    if role in ("admin", "secretariat"):
        assert {"members.export", "missions.calendar", "deals.export", "deals.download"} <= downloads, downloads
        assert {"members.export_xlsx", "deals.export_xlsx", "incubator.applications_xlsx", "incubator.scores_xlsx",
                "missions.participants_xlsx", "members.dues_export_xlsx", "programmes.awards_xlsx",
                "programmes.beneficiaries_xlsx"} <= downloads, downloads
    # Every list export a page offers as CSV is offered as XLSX too (issue 14): the twin rule, same path.
    missing = xlsx_twins_missing(app, downloads)
    assert missing == [], missing
    if role in ("admin", "secretariat", "member"):  # Saccom's dues receipt (a paid year) and its shared convention
        assert {"members.dues_receipt", "members.document_download"} <= downloads, downloads
        receipts = [path for path in fetched if endpoint_of(app, urlsplit(path).path) == "members.dues_receipt"]
        assert receipts and all(check_receipt(fetched[path].body) is None for path in receipts), \
            [(path, check_receipt(fetched[path].body)) for path in receipts]


def xlsx_twins_missing(app, downloads: set[str]) -> list[str]:
    """The CSV list exports among ``downloads`` whose ``.xlsx`` twin (same rule, other suffix) is not among them.
    Import templates are CSV by nature (what the import reads), not list exports."""
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    found = {rules[endpoint] for endpoint in downloads if endpoint in rules}
    return sorted(rule for rule in found if rule.endswith(".csv") and "/import/" not in rule
                  and rule[:-len(".csv")] + ".xlsx" not in found)


def check_receipt(body: bytes) -> str | None:
    """A dues receipt: one page whose text says its number ("2025-0001") and an amount in MAD."""
    import re

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(body))
    content = "".join(page.extract_text() for page in reader.pages)
    if len(reader.pages) != 1:
        return f"{len(reader.pages)} pages"
    if not re.search(r"\d{4}-\d{4}", content) or "MAD" not in content:
        return f"no receipt number or amount in its text: {content[:200]!r}"
    return None
