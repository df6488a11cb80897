"""CSV import of organisations with their contact: read (Excel in French too), check every row, match, compare.

``check(data, confirmed)`` reads the bytes of a file and returns an ``ImportCheck``: file-level problems, every row
error in line order (``row 57, column email: not an address``) and every row with what importing it would do
(``ImportRow.status``), which ``services.apply_import`` then applies. An import never overwrites by guess: a row
updates an organisation on an exact ICE, or on a folded-name match ("SACCOM SARL" for "Saccom") only once the
person ticked that row in the preview, which names the record and shows each field old -> new; it never removes
or replaces a contact.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from club.core.refusals import Refused
from club.core.text import FORMULA_PREFIXES, fold, has_line_break
from club.extensions import db
from club.members import phones, services
from club.members.models import (
    LANGUAGE_LABELS,
    ORG_KIND_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    TRADE_LABELS,
    Contact,
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
# Columns the register's export adds that an import reads past (the membership changes on the organisation's page):
# an exported file imports back as it is.
IGNORED_COLUMNS = ("membership_status",)
LIMITS = {"name": 200, "city": 100, "description": 5000, "contact_name": 120, "contact_title": 120}

TEMPLATE_ROWS = [
    ["Exemple Centre d'Appels SARL", "call_center", "001234567000089", "Oujda", "oujda_angad", "oujda_shore",
     "customer_relations|telemarketing", "fr|en|es", "120", "https://www.exemple.ma", "contact@exemple.ma",
     "0536 50 12 34", "Centre de contact francophone et hispanophone.", "Samira Alaoui", "Directrice",
     "s.alaoui@exemple.ma", "06 61 23 45 67"],
]


PAGE_SIZE = 50

# What the preview calls each column it compares (the organisation's own labels).
FIELD_LABELS = {
    "name": _l("Name"), "kind": _l("Kind"), "ice": _l("ICE"), "city": _l("City"), "province": _l("Province"),
    "site": _l("Site or park"), "trades": _l("Trades"), "languages": _l("Languages served"),
    "headcount": _l("Headcount"), "website": _l("Website"), "email": _l("Email"), "phone": _l("Phone"),
    "description": _l("Description"),
}
CONTACT_LABELS = {"name": _l("Name"), "title": _l("Job title"), "email": _l("Email"), "phone": _l("Phone")}


class FileProblem(Refused):  # noqa: N818
    """The whole file is refused (the import's parse answers it as ``ImportCheck.problem``, at the file field)."""


class Status(enum.StrEnum):
    NEW = "new"              # no organisation matches: one is created
    UPDATE = "update"        # exact ICE match, or a name match the person confirmed: the changes shown are applied
    UNCHANGED = "unchanged"  # matches an organisation and changes nothing
    CONFIRM = "confirm"      # looks like an organisation (same folded name): applied only once ticked
    ERROR = "error"


class ContactAction(enum.StrEnum):
    PRIMARY = "primary"  # the organisation has no primary contact (or is new): this person becomes it
    ADDED = "added"      # added beside the existing contacts; the existing primary stays primary
    UPDATED = "updated"  # the same person (same folded name) is there: their title, email or phone change
    SAME = "same"        # the same person, nothing changes


@dataclass
class RowError:
    row: int
    column: str            # the column's header as written in the file, or "—"
    message: str
    position: int = -1     # the column's place in the file, to list a row's errors in reading order
    confirm: bool = False  # a match waiting for the person's tick (not a mistake in the file)


@dataclass
class ImportRow:
    """One row of the file and what importing it would do, as the preview shows it and the commit applies it."""

    number: int
    name: str
    fields: dict = field(default_factory=dict)
    trades: list | None = None
    languages: list | None = None
    contact: dict | None = None
    errors: list[RowError] = field(default_factory=list)
    match_id: int | None = None
    match_name: str | None = None
    match_version: int | None = None
    match_by: str | None = None  # "ice" or "name"
    match_archived: bool = False
    confirmed: bool = False
    name_kept: bool = False      # the file spells the matched name differently (case, accents, legal suffix)
    changes: dict = field(default_factory=dict)  # field -> (old, new), in column order
    contact_action: ContactAction | None = None
    contact_id: int | None = None
    contact_changes: dict = field(default_factory=dict)
    primary_name: str | None = None

    @property
    def token(self) -> str:
        """What the row's tick box sends: the row, the record it names and that record's version."""
        return f"{self.number}:{self.match_id}:{self.match_version}"

    @property
    def changes_something(self) -> bool:
        return bool(self.changes) or self.contact_action in (ContactAction.PRIMARY, ContactAction.ADDED,
                                                             ContactAction.UPDATED)

    @property
    def status(self) -> Status:
        if self.errors and not all(e.confirm for e in self.errors):
            return Status.ERROR
        if self.match_id is None:
            return Status.NEW
        if not self.changes_something:
            return Status.UNCHANGED
        if self.match_by == "ice" or self.confirmed:
            return Status.UPDATE
        return Status.CONFIRM

    @property
    def applies(self) -> bool:
        return self.status in (Status.NEW, Status.UPDATE)

    @property
    def adds_contact(self) -> bool:
        return self.applies and self.contact_action in (ContactAction.PRIMARY, ContactAction.ADDED)


@dataclass
class ImportCheck:
    problem: str | None = None
    errors: list[RowError] = field(default_factory=list)
    items: list[ImportRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    total: int = 0

    @property
    def ok(self) -> bool:
        """Nothing stands in the way of the commit (no error, no match left unconfirmed)."""
        return self.problem is None and not self.errors and not self.pending_count

    @property
    def has_mistakes(self) -> bool:
        """Errors in the file itself: the file must be corrected (ticks cannot help)."""
        return self.problem is not None or any(not e.confirm for e in self.errors)

    @property
    def rows(self) -> list[ImportRow]:
        """The rows the commit applies."""
        return [r for r in self.items if r.applies]

    def _count(self, status: Status) -> int:
        return sum(1 for r in self.items if r.status == status)

    @property
    def new_count(self) -> int:
        return self._count(Status.NEW)

    @property
    def update_count(self) -> int:
        return self._count(Status.UPDATE)

    @property
    def unchanged_count(self) -> int:
        return self._count(Status.UNCHANGED)

    @property
    def pending_count(self) -> int:
        return self._count(Status.CONFIRM)

    @property
    def contacts_added_count(self) -> int:
        return sum(1 for r in self.items if r.adds_contact)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.items) // PAGE_SIZE))

    def page(self, number: int) -> list[ImportRow]:
        number = min(max(number, 1), self.page_count)
        return self.items[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]

    def page_of(self, row_number: int) -> int:
        for index, item in enumerate(self.items):
            if item.number == row_number:
                return index // PAGE_SIZE + 1
        return 1


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


def header_key(text: str, aliases=None) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
    aliases = ALIASES if aliases is None else aliases
    return aliases.get(key, key)


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
        raise Refused(_l("unknown value “%(value)s”", value=value[:40]))
    return found


def _many(value: str, lookup: dict) -> list[str]:
    return sorted({_one(part.strip(), lookup) for part in re.split(r"[|,]", value) if part.strip()})


def read_table(data: bytes, *, columns_known=COLUMNS, aliases=None, ignored=IGNORED_COLUMNS,
               max_rows: int = MAX_ROWS) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """(column keys, numbered rows, the header as written); another import passes its own columns, header aliases
    and row limit (the programmes' beneficiaries)."""
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
    columns = [header_key(h, aliases) for h in header]
    columns = ["" if key in ignored else key for key in columns]
    unknown = [h for h, key in zip(header, columns, strict=True) if key and key not in columns_known]
    if unknown:
        raise FileProblem(_l("Unknown columns: %(columns)s. The columns are: %(expected)s.",
                             columns=", ".join(u[:40] for u in unknown[:10]), expected=", ".join(columns_known)))
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
            if len(rows) > max_rows:
                raise FileProblem(_l("The file has more than %(n)s rows: split it.", n=max_rows))
    except csv.Error as exc:
        raise FileProblem(_l("The file is not a readable CSV file (near row %(n)s).", n=number)) from exc
    if not rows:
        raise FileProblem(_l("The file has no rows under its header."))
    return columns, rows, header


def check(data: bytes, confirmed=frozenset(), *, final: bool = False) -> ImportCheck:
    """Read, check and match every row; compare the matched ones with the database.

    ``confirmed``: the tokens of the rows the person ticked (``ImportRow.token``); a tick counts only for the record
    and version it named. ``final``: the commit is asked for, so a match left unticked is a row error.
    """
    result = ImportCheck()
    try:
        columns, rows, header = read_table(data)
    except FileProblem as exc:
        result.problem = str(exc)
        return result
    result.columns = [c for c in columns if c]
    result.headers = {c: (h.strip() or c) for c, h in zip(columns, header, strict=True) if c}
    positions = {c: i for i, c in enumerate(columns) if c}
    result.total = len(rows)
    lookups = {"kind": _labels(ORG_KIND_LABELS), "province": _labels(PROVINCE_LABELS), "site": _labels(SITE_LABELS),
               "trades": _labels(TRADE_LABELS), "languages": _labels(LANGUAGE_LABELS)}

    def error(item: ImportRow, column: str, message, *, confirm=False):
        item.errors.append(RowError(item.number, result.headers.get(column, column), str(message),
                                    positions.get(column, -1), confirm))

    for number, cells in rows:
        raw = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns) if col}
        item = ImportRow(number=number, name=raw.get("name", ""))
        result.items.append(item)
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            error(item, "—", _l("more cells than columns"))
            continue
        _parse_row(item, raw, lookups, error)
    _match(result.items, error)
    _compare([r for r in result.items if r.match_id and not r.errors])
    for item in result.items:
        if item.match_id is None and item.contact and not item.errors:
            item.contact_action = ContactAction.PRIMARY
    for item in result.items:
        if item.match_by == "name":
            item.confirmed = item.token in confirmed
        if final and item.status == Status.CONFIRM:
            error(item, "name", _l("looks like %(name)s (#%(id)s): confirm or rename", name=item.match_name,
                                   id=item.match_id), confirm=True)
    result.errors = sorted((e for r in result.items for e in r.errors), key=lambda e: (e.row, e.position))
    return result


def _parse_row(item: ImportRow, raw: dict, lookups: dict, error) -> None:
    fields: dict = {}
    lists: dict = {}
    contact: dict = {}

    def fail(column, message):
        error(item, column, message)

    for column, value in raw.items():
        if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
            value = value[1:]  # the export's guard against spreadsheet formulas ("'+212...")
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
                    raise Refused(_l("not a number of people"))
                fields[column] = int(digits)
            elif column == "ice":
                fields[column] = services.clean_ice(value)
            elif column in ("phone", "contact_phone"):
                target = contact if column.startswith("contact_") else fields
                target[CONTACT_COLUMNS.get(column, column)] = phones.clean_phone(value)
            elif column in ("email", "contact_email"):
                try:
                    cleaned = services.clean_email(value)
                except Refused as exc:
                    raise Refused(_l("not an address")) from exc
                target = contact if column.startswith("contact_") else fields
                target[CONTACT_COLUMNS.get(column, column)] = cleaned
            elif column == "website":
                fields[column] = services.clean_website(value)
            elif column in CONTACT_COLUMNS:
                contact[CONTACT_COLUMNS[column]] = value
            else:
                fields[column] = value
        except Refused as exc:
            fail(column, exc)
    if not raw.get("name"):
        fail("name", _l("missing"))
    if contact and not contact.get("name"):
        fail("contact_name", _l("missing (the other contact columns are filled)"))
    item.fields = fields
    item.trades = lists.get("trades")
    item.languages = lists.get("languages")
    item.contact = contact or None


def _lookup(column, values: list):
    """(id, ice, name_key, name, version, archived_at) of the organisations whose ``column`` is one of ``values``.

    On PostgreSQL the values are joined as one array parameter (``unnest``): a hash or index join, where a long
    ``IN``/``ANY`` list would be compared, collation and all, with every row of a table without fresh statistics.
    """
    columns = (Organization.id, Organization.ice, Organization.name_key, Organization.name, Organization.version,
               Organization.archived_at)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        wanted = sa.func.unnest(sa.bindparam(None, list(values), type_=ARRAY(column.type))) \
            .table_valued("value").render_derived()
        return db.session.execute(sa.select(*columns).join(wanted, column == wanted.c.value))
    return db.session.execute(sa.select(*columns).where(column.in_(values)))


def _match(items: list[ImportRow], error) -> None:
    """Find the organisation each row names: by exact ICE (an update), else by folded name (an update only once the
    person confirms it in the preview); refuse rows that clash with each other or with the register."""
    ices = {r.fields["ice"] for r in items if r.fields.get("ice")}
    keys = {Organization.key_for(r.fields["name"]) for r in items if r.fields.get("name")}
    by_ice: dict[str, sa.Row] = {}
    by_key: dict[str, list[sa.Row]] = {}
    ice_list, key_list = sorted(ices), sorted(keys)
    for start in range(0, len(ice_list), 500):
        for found in _lookup(Organization.ice, ice_list[start:start + 500]):
            by_ice[found.ice] = found
    for start in range(0, len(key_list), 500):
        for found in _lookup(Organization.name_key, key_list[start:start + 500]):
            by_key.setdefault(found.name_key, []).append(found)
    seen_ice: dict[str, int] = {}
    seen_key: dict[str, int] = {}
    seen_match: dict[int, int] = {}
    for item in items:
        fields = item.fields
        if not fields.get("name"):
            continue
        key = Organization.key_for(fields["name"])
        ice = fields.get("ice")
        if ice and ice in seen_ice:
            error(item, "ice", _l("same ICE as row %(n)s", n=seen_ice[ice]))
            continue
        if key in seen_key:
            error(item, "name", _l("same organisation as row %(n)s", n=seen_key[key]))
            continue
        if ice:
            seen_ice[ice] = item.number
        seen_key[key] = item.number
        match = None
        named = sorted(by_key.get(key, []), key=lambda found: found.id)
        if ice and ice in by_ice:
            match, item.match_by = by_ice[ice], "ice"
            others = [found for found in named if found.id != match.id]
            if others:
                error(item, "name", _l("%(name)s (#%(id)s) already has this name, with another ICE",
                                       name=others[0].name, id=others[0].id))
                continue
        elif len(named) > 1:
            error(item, "name", _l("looks like several organisations (%(names)s): rename the row, or merge them first",
                                   names=", ".join(f"{found.name} (#{found.id})" for found in named[:5])))
            continue
        elif named:
            match, item.match_by = named[0], "name"
            if ice and match.ice and match.ice != ice:
                error(item, "ice", _l("looks like %(name)s (#%(id)s), registered with another ICE: correct the ICE "
                                      "or rename the row", name=match.name, id=match.id))
                continue
        if item.errors:
            continue
        if match is not None and match.id in seen_match:
            error(item, "name", _l("same organisation as row %(n)s", n=seen_match[match.id]))
            continue
        if match is None:
            fields.setdefault("kind", OrgKind.OTHER.value)
        else:
            seen_match[match.id] = item.number
            item.match_id, item.match_name, item.match_version = match.id, match.name, match.version
            item.match_archived = match.archived_at is not None
            if key == match.name_key:
                # The same name spelt another way ("SACCOM SARL" for "Saccom"): the register keeps its spelling.
                item.name_kept = fields["name"] != match.name
                del fields["name"]
        for column, enum_cls in (("kind", OrgKind), ("province", Province), ("site", Site)):
            if column in fields:
                fields[column] = enum_cls(fields[column])
        if item.trades is not None:
            item.trades = [Trade(t) for t in item.trades]
        if item.languages is not None:
            item.languages = [Language(v) for v in item.languages]


def _compare(matched: list[ImportRow]) -> None:
    """What each matched row would change, field by field (old, new), and what it does with its contact.

    Read in batches of plain rows: a re-import of 10,000 unchanged rows loads no ORM object.
    """
    from club.members.queries import trades_and_languages

    profile_columns = [getattr(Organization, f) for f in services.PROFILE_FIELDS]
    for start in range(0, len(matched), 500):
        batch = matched[start:start + 500]
        ids = [r.match_id for r in batch]
        current = {row.id: row for row in db.session.execute(
            sa.select(Organization.id, *profile_columns).where(Organization.id.in_(ids)))}
        with_contact = [r.match_id for r in batch if r.contact]
        contacts: dict[int, list] = {}
        if with_contact:
            for row in db.session.execute(
                    sa.select(Contact.organization_id, Contact.id, Contact.name, Contact.name_key, Contact.title,
                              Contact.email, Contact.phone, Contact.is_primary)
                    .where(Contact.organization_id.in_(with_contact)).order_by(Contact.id)):
                contacts.setdefault(row.organization_id, []).append(row)
        lists = trades_and_languages(ids)
        for item in batch:
            cur = current[item.match_id]
            changes = {}
            for column in services.PROFILE_FIELDS:
                if column in item.fields and getattr(cur, column) != item.fields[column]:
                    changes[column] = (getattr(cur, column), item.fields[column])
            trades, languages = lists[item.match_id]
            if item.trades is not None and sorted(t.value for t in item.trades) != sorted(trades):
                changes["trades"] = ([Trade(t) for t in sorted(trades)], sorted(item.trades, key=lambda t: t.value))
            if item.languages is not None and sorted(v.value for v in item.languages) != sorted(languages):
                changes["languages"] = ([Language(v) for v in sorted(languages)],
                                        sorted(item.languages, key=lambda v: v.value))
            item.changes = {c: changes[c] for c in FIELD_LABELS if c in changes}
            if item.contact:
                _plan_contact(item, contacts.get(item.match_id, []))


def _plan_contact(item: ImportRow, existing: list) -> None:
    """An import never removes or replaces a contact: the same person (same folded name) is updated, anyone else is
    added beside the others, and the existing primary contact stays primary."""
    wanted = fold(item.contact["name"])
    same = next((c for c in existing if c.name_key == wanted), None)
    if same is not None:
        item.contact_id = same.id
        item.contact_changes = {k: (getattr(same, k), v) for k, v in item.contact.items()
                                if k != "name" and getattr(same, k) != v}
        item.contact_action = ContactAction.UPDATED if item.contact_changes else ContactAction.SAME
        return
    primary = next((c for c in existing if c.is_primary), None)
    if primary is None:
        item.contact_action = ContactAction.PRIMARY
    else:
        item.contact_action, item.primary_name = ContactAction.ADDED, primary.name


TOKEN = re.compile(r"\d{1,7}:\d{1,12}:\d{1,12}")


def tokens(values) -> frozenset[str]:
    """The well-formed ticks of a submitted preview (anything else is ignored)."""
    return frozenset(v for v in values if isinstance(v, str) and TOKEN.fullmatch(v))


def page_number(value) -> int | None:
    """The preview page asked for by a page button, or ``None`` (no page button was pressed)."""
    if not isinstance(value, str) or not value.isdigit() or len(value) > 6:
        return None
    return max(int(value), 1)


def done_message(result) -> str:
    """What the flash says after the commit: every count through its plural form."""
    parts = [
        ngettext("%(num)s organisation added", "%(num)s organisations added", result.created),
        ngettext("%(num)s updated", "%(num)s updated", result.updated),
        ngettext("%(num)s unchanged", "%(num)s unchanged", result.unchanged),
        ngettext("%(num)s contact added", "%(num)s contacts added", result.contacts_added),
    ]
    return gettext("Import done: %(counts)s.", counts=", ".join(parts))
