"""CSV import of organisations with their primary contact: read (Excel in French too), check every row, match.

``check(data)`` reads the bytes of a file and returns an ``ImportCheck``: file-level problems, every row error
(``row 57, email: not an address``) and, when there are none, the rows ready for ``services.apply_import``.
Re-importing a file updates: a row matches an existing organisation by ICE, then by folded name.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from club.core.text import fold, has_line_break
from club.extensions import db
from club.members import services
from club.members.models import (
    LANGUAGE_LABELS,
    ORG_KIND_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    TRADE_LABELS,
    Language,
    Organization,
    OrgKind,
    Province,
    Site,
    Trade,
)

MAX_ROWS = 20_000
MAX_BYTES = 8 * 1024 * 1024

COLUMNS = ("name", "kind", "ice", "city", "province", "site", "trades", "languages", "headcount", "website", "email",
           "phone", "description", "contact_name", "contact_title", "contact_email", "contact_phone")
CONTACT_COLUMNS = {"contact_name": "name", "contact_title": "title", "contact_email": "email",
                   "contact_phone": "phone"}
# Headers as a French secretariat may type them (folded, spaces as underscores).
ALIASES = {
    "nom": "name", "raison_sociale": "name", "type": "kind", "categorie": "kind", "ville": "city",
    "parc": "site", "metiers": "trades", "langues": "languages", "effectif": "headcount", "site_web": "website",
    "site_internet": "website", "telephone": "phone", "tel": "phone", "courriel": "email", "e_mail": "email",
    "mail": "email", "contact": "contact_name", "contact_nom": "contact_name", "contact_fonction": "contact_title",
    "contact_courriel": "contact_email", "contact_e_mail": "contact_email", "contact_telephone": "contact_phone",
}
LIMITS = {"name": 200, "city": 100, "description": 5000, "contact_name": 120, "contact_title": 120}

TEMPLATE_ROWS = [
    ["Exemple Centre d'Appels SARL", "call_center", "001234567000089", "Oujda", "oujda_angad", "oujda_shore",
     "customer_relations|telemarketing", "fr|en|es", "120", "https://www.exemple.ma", "contact@exemple.ma",
     "0536 12 34 56", "Centre de contact francophone et hispanophone.", "Samira Alaoui", "Directrice",
     "s.alaoui@exemple.ma", "06 61 23 45 67"],
]


class FileProblem(ValueError):
    """The whole file is refused; the message is for the user."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportCheck:
    problem: str | None = None
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if not r["match_id"])

    @property
    def update_count(self) -> int:
        return sum(1 for r in self.rows if r["match_id"])


def template_csv() -> bytes:
    """The template offered for download: UTF-8 with BOM and ``;`` (what Excel in French opens directly)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileProblem(_l("The file is not a readable text (CSV) file.")) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")  # Excel "CSV (séparateur : point-virgule)" on Windows
        except UnicodeDecodeError as exc:
            raise FileProblem(_l("The file is not a readable text (CSV) file.")) from exc


def header_key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
    return ALIASES.get(key, key)


def _key(text: str) -> str:
    """Folded, punctuation as spaces: "Centre d'appels" and "Centre d’appels" are one value."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()


def _labels(mapping) -> dict[str, str]:
    """Folded value and labels (English and French) -> enum value."""
    lookup = {}
    for member, label in mapping.items():
        lookup[_key(member.value)] = member.value
        for locale in ("en", "fr"):
            with force_locale(locale):
                lookup[_key(str(label))] = member.value
    return lookup


def _one(value: str, lookup: dict) -> str:
    found = lookup.get(_key(value))
    if found is None:
        raise services.InvalidValue(_l("unknown value “%(value)s”", value=value[:40]))
    return found


def _many(value: str, lookup: dict) -> list[str]:
    return sorted({_one(part.strip(), lookup) for part in re.split(r"[|,]", value) if part.strip()})


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not data or not data.strip():
        raise FileProblem(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileProblem(_l("The file is too big (at most %(mb)s MB).", mb=MAX_BYTES // (1024 * 1024)))
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(_l("The file is not a readable text (CSV) file."))
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise FileProblem(_l("The file is empty.")) from exc
    except csv.Error as exc:
        raise FileProblem(_l("The file is not a readable CSV file.")) from exc
    columns = [header_key(h) for h in header]
    unknown = [h for h, key in zip(header, columns, strict=True) if key not in COLUMNS and h.strip()]
    if unknown:
        raise FileProblem(_l("Unknown columns: %(columns)s. The columns are: %(expected)s.",
                             columns=", ".join(u[:40] for u in unknown[:10]), expected=", ".join(COLUMNS)))
    if "name" not in columns:
        raise FileProblem(_l("The file has no “name” column."))
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise FileProblem(_l("Columns given twice: %(columns)s.", columns=", ".join(repeated)))
    rows = []
    number = 1  # the header is row 1, as in a spreadsheet
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise FileProblem(_l("The file has more than %(n)s rows: split it.", n=MAX_ROWS))
    except csv.Error as exc:
        raise FileProblem(_l("The file is not a readable CSV file (near row %(n)s).", n=number)) from exc
    if not rows:
        raise FileProblem(_l("The file has no rows under its header."))
    return columns, rows


def check(data: bytes) -> ImportCheck:
    result = ImportCheck()
    try:
        columns, rows = read_table(data)
    except FileProblem as exc:
        result.problem = str(exc)
        return result
    result.columns = [c for c in columns if c]
    result.total = len(rows)
    lookups = {"kind": _labels(ORG_KIND_LABELS), "province": _labels(PROVINCE_LABELS), "site": _labels(SITE_LABELS),
               "trades": _labels(TRADE_LABELS), "languages": _labels(LANGUAGE_LABELS)}
    parsed = []
    for number, cells in rows:
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            result.errors.append(RowError(number, "—", str(_l("more cells than columns"))))
            continue
        raw = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns) if col}
        parsed.append((number, _parse_row(number, raw, lookups, result.errors)))
    _match(parsed, result)
    return result


def _parse_row(number: int, raw: dict, lookups: dict, errors: list[RowError]) -> dict:
    fields: dict = {}
    lists: dict = {}
    contact: dict = {}

    def fail(column, message):
        errors.append(RowError(number, column, str(message)))

    for column, value in raw.items():
        if not value:
            continue
        if column in LIMITS and len(value) > LIMITS[column]:
            fail(column, _l("too long (at most %(n)s characters)", n=LIMITS[column]))
            continue
        if has_line_break(value) and column != "description":
            fail(column, _l("line breaks are not allowed"))
            continue
        try:
            if column in ("kind", "province", "site"):
                fields[column] = _one(value, lookups[column])
            elif column in ("trades", "languages"):
                lists[column] = _many(value, lookups[column])
            elif column == "headcount":
                digits = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
                if not digits.isdigit() or int(digits) > 1_000_000:
                    raise services.InvalidValue(_l("not a number of people"))
                fields[column] = int(digits)
            elif column == "ice":
                fields[column] = services.clean_ice(value)
            elif column in ("phone", "contact_phone"):
                target = contact if column.startswith("contact_") else fields
                target[CONTACT_COLUMNS.get(column, column)] = services.clean_phone(value)
            elif column in ("email", "contact_email"):
                try:
                    cleaned = services.clean_email(value)
                except services.InvalidValue as exc:
                    raise services.InvalidValue(_l("not an address")) from exc
                target = contact if column.startswith("contact_") else fields
                target[CONTACT_COLUMNS.get(column, column)] = cleaned
            elif column == "website":
                fields[column] = services.clean_website(value)
            elif column in CONTACT_COLUMNS:
                contact[CONTACT_COLUMNS[column]] = value
            else:
                fields[column] = value
        except services.InvalidValue as exc:
            fail(column, exc)
    if not raw.get("name"):
        fail("name", _l("missing"))
    if contact and not contact.get("name"):
        fail("contact_name", _l("missing (the other contact columns are filled)"))
    return {"fields": fields, "trades": lists.get("trades"), "languages": lists.get("languages"),
            "contact": contact or None, "number": number}


def _lookup(column, values: list):
    """(id, ice, name_key) of the organisations whose ``column`` is one of ``values``.

    On PostgreSQL the values are joined as one array parameter (``unnest``): a hash or index join, where a long
    ``IN``/``ANY`` list would be compared, collation and all, with every row of a table without fresh statistics.
    """
    columns = (Organization.id, Organization.ice, Organization.name_key)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        wanted = sa.func.unnest(sa.bindparam(None, list(values), type_=ARRAY(column.type))) \
            .table_valued("value").render_derived()
        return db.session.execute(sa.select(*columns).join(wanted, column == wanted.c.value))
    return db.session.execute(sa.select(*columns).where(column.in_(values)))


def _match(parsed: list[tuple[int, dict]], result: ImportCheck) -> None:
    """Find the organisation each row updates (ICE first, then folded name); refuse rows that clash."""
    ices = {r["fields"]["ice"] for _, r in parsed if r["fields"].get("ice")}
    keys = {Organization.key_for(r["fields"]["name"]) for _, r in parsed if r["fields"].get("name")}
    by_ice: dict[str, tuple[int, str]] = {}
    by_key: dict[str, tuple[int, str | None]] = {}
    ice_list, key_list = sorted(ices), sorted(keys)
    for start in range(0, len(ice_list), 500):
        for org_id, ice, key in _lookup(Organization.ice, ice_list[start:start + 500]):
            by_ice[ice] = (org_id, key)
    for start in range(0, len(key_list), 500):
        for org_id, ice, key in _lookup(Organization.name_key, key_list[start:start + 500]):
            by_key[key] = (org_id, ice)
    seen_ice: dict[str, int] = {}
    seen_key: dict[str, int] = {}
    for number, row in parsed:
        fields = row["fields"]
        if not fields.get("name"):
            continue
        key = Organization.key_for(fields["name"])
        ice = fields.get("ice")
        if ice and ice in seen_ice:
            result.errors.append(RowError(number, "ice", str(_l("same ICE as row %(n)s", n=seen_ice[ice]))))
            continue
        if key in seen_key:
            result.errors.append(RowError(number, "name", str(_l("same organisation as row %(n)s",
                                                                  n=seen_key[key]))))
            continue
        if ice:
            seen_ice[ice] = number
        seen_key[key] = number
        match_id = None
        if ice and ice in by_ice:
            match_id = by_ice[ice][0]
            if key in by_key and by_key[key][0] != match_id:
                result.errors.append(RowError(number, "name", str(
                    _l("another organisation already has this name (its ICE differs)"))))
                continue
        elif key in by_key:
            match_id = by_key[key][0]
            if ice and by_key[key][1] and by_key[key][1] != ice:
                result.errors.append(RowError(number, "ice", str(
                    _l("“%(name)s” is already registered with another ICE", name=fields["name"][:60]))))
                continue
        if match_id is None:
            fields.setdefault("kind", OrgKind.OTHER.value)
        for column in ("kind", "province", "site"):
            if column in fields:
                enum_cls = {"kind": OrgKind, "province": Province, "site": Site}[column]
                fields[column] = enum_cls(fields[column])
        if row["trades"] is not None:
            row["trades"] = [Trade(t) for t in row["trades"]]
        if row["languages"] is not None:
            row["languages"] = [Language(v) for v in row["languages"]]
        row["match_id"] = match_id
        result.rows.append(row)
