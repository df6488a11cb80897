"""The CSV import of a programme's beneficiaries: the member import's reading (``club.members.importer.read_table``:
UTF-8 with or without BOM, Windows encoding, ``;`` or ``,``, French or English headers), every row checked by the
same rules as the enrolment form (``beneficiaries.clean_person``), duplicates reported (the same folded name and
birth year, or age band, already in the programme or twice in the file), and a commit of all rows or none.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from club.core.refusals import Refused
from club.core.text import FORMULA_PREFIXES, has_line_break
from club.members import importer as members_importer
from club.programmes.models import AGE_BAND_LABELS, GENDER_LABELS, AgeBand, Gender, Programme
from club.programmes.queries import beneficiaries as queries
from club.programmes.services.beneficiaries import PersonData, clean_person

MAX_ROWS = 20_000
MAX_BYTES = members_importer.MAX_BYTES
PAGE_SIZE = 50

COLUMNS = ("name", "birth_year", "age_band", "gender", "commune", "phone", "email", "consent_on", "enrolled_on")
# Headers as a French coordinator may type them (folded, spaces as underscores).
ALIASES = {
    "nom": "name", "nom_complet": "name", "nom_et_prenom": "name", "prenom_et_nom": "name", "full_name": "name",
    "annee_de_naissance": "birth_year", "annee_naissance": "birth_year", "naissance": "birth_year",
    "birth": "birth_year", "year_of_birth": "birth_year",
    "tranche_d_age": "age_band", "tranche_age": "age_band", "age": "age_band",
    "genre": "gender", "sexe": "gender", "sex": "gender",
    "telephone": "phone", "tel": "phone", "gsm": "phone",
    "courriel": "email", "e_mail": "email", "mail": "email",
    "consentement": "consent_on", "date_de_consentement": "consent_on", "date_consentement": "consent_on",
    "consentement_le": "consent_on", "consent": "consent_on", "consent_date": "consent_on",
    "consent_given_on": "consent_on",
    "inscription": "enrolled_on", "date_d_inscription": "enrolled_on", "date_inscription": "enrolled_on",
    "inscrit_le": "enrolled_on", "enrolled": "enrolled_on", "enrolment_date": "enrolled_on",
    "enrollment_date": "enrolled_on",
}
# Each service field's column (the rules name fields, the preview names columns).
FIELD_COLUMNS = {"consent": "consent_on"}

TEMPLATE_ROWS = [
    ["Salma Bouazza", "2003", "", "F", "Jerada", "06 61 23 45 67", "salma.bouazza@exemple.ma", "2026-09-01",
     "2026-09-01"],
    ["Yassine El Amrani", "", "18_24", "H", "Aïn Bni Mathar", "", "", "01/09/2026", "01/09/2026"],
]

GENDER_WORDS = {"f": Gender.FEMALE.value, "femme": Gender.FEMALE.value, "female": Gender.FEMALE.value,
                "w": Gender.FEMALE.value, "h": Gender.MALE.value, "m": Gender.MALE.value, "homme": Gender.MALE.value,
                "male": Gender.MALE.value, "man": Gender.MALE.value}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass
class RowError:
    row: int
    column: str
    message: str
    position: int = -1


@dataclass
class Row:
    number: int
    name: str
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Check:
    problem: str | None = None
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors and bool(self.rows)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.rows) // PAGE_SIZE))

    def page(self, number: int) -> list[Row]:
        number = min(max(number, 1), self.page_count)
        return self.rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def parse_date(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise Refused(_l("not a date (write 2026-09-01 or 01/09/2026)"))


def _gender_lookup() -> dict:
    lookup = members_importer._labels(GENDER_LABELS)
    lookup.update(GENDER_WORDS)
    return lookup


def _band_lookup() -> dict:
    lookup = members_importer._labels(AGE_BAND_LABELS)
    lookup.update({members_importer._key(b.value.replace("_", "-")): b.value for b in AgeBand})
    return lookup


def check(data: bytes, programme: Programme, *, today: date | None = None) -> Check:
    """Read and check every row (nothing is written)."""
    result = Check()
    try:
        columns, rows, header = members_importer.read_table(data, columns_known=COLUMNS, aliases=ALIASES,
                                                            ignored=(), max_rows=MAX_ROWS)
    except members_importer.FileProblem as exc:
        result.problem = str(exc)
        return result
    headers = {c: (h.strip() or c) for c, h in zip(columns, header, strict=True) if c}
    positions = {c: i for i, c in enumerate(columns) if c}
    result.total = len(rows)
    genders, bands = _gender_lookup(), _band_lookup()
    existing = queries.existing_keys(programme.id)
    seen: dict[tuple, int] = {}

    def error(row: Row, column: str, message) -> None:
        row.errors.append(RowError(row.number, headers.get(column, column), str(message), positions.get(column, -1)))

    for number, cells in rows:
        raw = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns) if col}
        row = Row(number=number, name=raw.get("name", "")[:120])
        result.rows.append(row)
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            error(row, "—", _l("more cells than columns"))
            continue
        typed: dict = {}
        for column, value in raw.items():
            if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
                value = value[1:]  # the exports' guard against spreadsheet formulas ("'+212...")
            if not value:
                continue
            if has_line_break(value):
                error(row, column, _l("line breaks are not allowed"))
                continue
            try:
                if column == "birth_year":
                    if not re.fullmatch(r"\d{4}", value):
                        raise Refused(_l("not a year (write 2004)"))
                    typed[column] = int(value)
                elif column == "age_band":
                    typed[column] = AgeBand(members_importer._one(value, bands))
                elif column == "gender":
                    typed[column] = Gender(members_importer._one(value, genders))
                elif column in ("consent_on", "enrolled_on"):
                    typed[column] = parse_date(value)
                else:
                    typed[column] = value
            except Refused as exc:
                error(row, column, exc.message)
        if row.errors:
            continue
        person = PersonData(
            name=typed.get("name", ""), gender=typed.get("gender"), enrolled_on=typed.get("enrolled_on"),
            consent="consent_on" in typed, consent_on=typed.get("consent_on"), birth_year=typed.get("birth_year"),
            age_band=typed.get("age_band"), commune=typed.get("commune"), phone=typed.get("phone"),
            email=typed.get("email"))
        values, problems = clean_person(programme, person, today=today)
        for name, message in problems.items():
            column = FIELD_COLUMNS.get(name, name)
            if name == "consent":
                message = _l("missing: a beneficiary without consent cannot be imported (law 09-08)")
            error(row, column, message)
        if row.errors:
            continue
        key = (values["name_key"], values["birth_year"], values["age_band"])
        if key in existing:
            error(row, "name", _l("already enrolled in this programme (same name and age)"))
        elif key in seen:
            error(row, "name", _l("the same person as row %(n)s", n=seen[key]))
        else:
            seen[key] = number
            row.values = values
    result.errors = sorted((e for r in result.rows for e in r.errors), key=lambda e: (e.row, e.position))
    return result


def done_message(count: int) -> str:
    from flask_babel import ngettext

    return gettext("Import done: %(counts)s.", counts=ngettext("%(num)s person enrolled", "%(num)s people enrolled",
                                                                count))
