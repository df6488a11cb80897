"""Read queries of the members module: the register (filters, search, keyset pages), the global search, totals,
the organisation page, the import's stored file.

Every list is filtered by the models' one visibility rule (``Organization.visible_to``, ``Contact.visible_to``,
through ``permissions.visible``), the rule the pages load their organisation with.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from club.core.freshness import fresh
from club.core.search import Hit
from club.core.text import fold, like_escape
from club.extensions import db
from club.members import phones
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    Language,
    Membership,
    MembershipChange,
    MembershipStatus,
    MembershipTier,
    Organization,
    OrganizationLanguage,
    OrganizationTrade,
    OrgKind,
    PaymentMethod,
    Province,
    Site,
    Trade,
    organization_tags,
)
from club.permissions import Role, visible

PER_PAGE = 50
MAX_TERMS = 5

# sort name -> (columns, descending); the id breaks ties so the order is stable and matches an index:
# ix_organizations_active_name (archived_at, name_key, id), ix_organizations_archived_id (archived_at, id).
SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "name": (("name_key", "id"), False),
    "-name": (("name_key", "id"), True),
    "newest": (("id",), True),
    "oldest": (("id",), False),
}


@dataclass
class RegisterFilters:
    q: str = ""
    kind: str = ""
    status: str = ""
    province: str = ""
    site: str = ""
    trade: str = ""
    language: str = ""
    archived: str = ""
    sort: str = "name"
    tag: str = ""  # tag ids, comma-separated ("3,8"): organisations carrying every one (the secretariat's filter)

    @classmethod
    def from_args(cls, args, *, may_see_archived: bool) -> RegisterFilters:
        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            q="".join(ch for ch in (args.get("q") or "") if ch.isprintable()).strip()[:100],
            kind=pick("kind", {k.value for k in OrgKind}),
            status=pick("status", {s.value for s in MembershipStatus} | {"none"}),
            province=pick("province", {p.value for p in Province}),
            site=pick("site", {s.value for s in Site}),
            trade=pick("trade", {t.value for t in Trade}),
            language=pick("language", {lang.value for lang in Language}),
            archived=pick("archived", {"1"}) if may_see_archived else "",
            sort=pick("sort", set(SORTS)) or "name",
            tag=tag_ids_arg(args) if may_see_archived else "",
        )

    @property
    def tag_ids(self) -> list[int]:
        return [int(t) for t in self.tag.split(",") if t]

    def args(self) -> dict[str, str]:
        """The non-default filters, as query arguments (links, export)."""
        values = {k: v for k, v in self.__dict__.items() if v}
        if values.get("sort") == "name":
            values.pop("sort")
        return values


MAX_TAGS = 5


def tag_ids_arg(args) -> str:
    """The ``tag`` argument(s) (``tag=3&tag=8`` or ``tag=3,8``) as sorted distinct ids, comma-separated; anything
    but a plain id is dropped."""
    values = args.getlist("tag") if hasattr(args, "getlist") else [args.get("tag") or ""]
    ids = set()
    for value in values:
        for part in str(value or "").split(","):
            part = part.strip()
            if part.isascii() and part.isdigit() and len(part) <= 9:
                ids.add(int(part))
    return ",".join(str(i) for i in sorted(ids)[:MAX_TAGS])


MAX_IDS = 1000


def ids_arg(args) -> list[int] | None:
    """A selection of organisations (``ids=3&ids=8`` or ``ids=3,8``): plain ids only, at most ``MAX_IDS``; None
    when no ``ids`` argument was sent (the whole filtered list)."""
    if "ids" not in args:
        return None
    values = args.getlist("ids") if hasattr(args, "getlist") else [args.get("ids")]
    ids = {int(p) for v in values for p in str(v or "").split(",")
           if p.strip().isascii() and p.strip().isdigit() and len(p.strip()) <= 9}
    return sorted(ids)[:MAX_IDS]


def search_terms(q: str) -> list[str]:
    """The terms the search text must all contain, normalised as ``search_text_for`` writes it: a whole phone
    number however typed ("05 36 68 30 00", "+212 5 36 68 30 00") as E.164, a part of a number or an ICE typed with
    spaces or dashes as its digits, anything else as folded words."""
    whole = phones.search_term(q)
    if whole:
        return [whole]
    digits = phones.digits_term(q)
    if digits:
        return [digits]
    return [t for t in fold(q).replace("%", " % ").split(" ") if t][:MAX_TERMS]


FTS_MIN = 3  # the trigram index answers terms of three characters or more
FTS = sa.table("organizations_search", sa.column("rowid"))
# A search's count stops past this many organisations: the page then says "more than 1,000 organisations". Past
# it a term is common: its page is read by walking the register's name index (each row probed with LIKE, stopping
# at the page's 51st hit) rather than from the text index (every hit read, then sorted).
COUNT_CAP = 1000


def fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'  # a quoted phrase: matched literally, as a substring


def fts_match(terms: list[str]) -> str | None:
    """The FTS5 query of the SQLite trigram mirror for the terms it answers (all of them, AND), or None (too short,
    or PostgreSQL, whose trigram GIN index answers the LIKE itself: see the members migration)."""
    phrases = [fts_phrase(t) for t in terms if len(t) >= FTS_MIN]
    if not phrases or db.session.get_bind().dialect.name != "sqlite":
        return None
    return " AND ".join(phrases)


def term_conditions(term: str, *, fts: bool = True) -> list:
    """``search_text LIKE '%term%'`` (escaped); on SQLite with ``fts``, first narrowed by the FTS5 trigram mirror
    (a rare term's plan); without, the LIKE is probed on each row read (a common term's plan: the name index walked).
    """
    conditions = [Organization.search_text.like(f"%{like_escape(term)}%", escape="\\")]
    match = fts_match([term]) if fts else None
    if match:
        conditions.insert(0, Organization.id.in_(
            sa.select(FTS.c.rowid).where(sa.text("organizations_search MATCH :phrase").bindparams(phrase=match))))
    return conditions


def in_register(user, *, archived: bool = False, model=Organization, indexed: bool = True) -> list:
    """The organisations of the register ``user`` reads: those they see (the one rule), and for the secretariat,
    who sees every one, either the current or the archived ones (a partner or member sees no archived
    organisation but their own, listed with the others)."""
    conditions = [visible(model, user)]
    if user.role == Role.SECRETARIAT:
        conditions.append(model.archived_at.is_not(None) if archived else model.archived_at.is_(None))
    elif indexed and not own_organisation_archived(user):
        # The rule comes down to "not archived" (one lookup to know): said so, a page of the register is read in
        # the order of its index, not sorted whole.
        conditions.append(model.archived_at.is_(None))
    return conditions


def own_organisation_archived(user) -> bool:
    if user.organization_id is None:
        return False
    return bool(db.session.scalar(sa.select(Organization.archived_at.is_not(None))
                                  .where(Organization.id == user.organization_id)))


def number_conditions(number: str, user) -> list:
    """A number (a phone, an ICE, or part of one) searched by someone who does not see every contact's phone
    (``Organization.sees_phones``): it finds what organisation pages show them, the organisation's own phone and
    ICE, and anything of their own organisation; never an organisation through a contact's phone."""
    digits = number.lstrip("+")
    shown = [Organization.ice.like(f"%{like_escape(digits)}%", escape="\\"),
             Organization.phone.like(f"%{like_escape(number)}%", escape="\\")]
    if number.startswith("0"):  # national digits: the Moroccan numbers stored in E.164
        shown.append(Organization.phone.like(f"{phones.E164_PREFIX}{like_escape(number[1:])}%", escape="\\"))
    if user.organization_id is not None:
        shown.append(sa.and_(Organization.id == user.organization_id, *term_conditions(number)))
    return [sa.or_(*shown)]


def number_search(terms: list[str], user) -> bool:
    """A number searched by someone who does not see every contact's phone (``number_conditions``)."""
    return len(terms) == 1 and phones.is_number_term(terms[0]) and user.role != Role.SECRETARIAT


def register_where(filters: RegisterFilters, user, *, indexed: bool = True, fts: bool = True) -> list:
    """The conditions of the filtered register ``user`` reads; ``fts=False``: the search terms without the SQLite
    text index (the common term's plan, ``register_page``)."""
    conditions = in_register(user, archived=bool(filters.archived), indexed=indexed)
    terms = search_terms(filters.q)
    if number_search(terms, user):
        conditions.extend(number_conditions(terms[0], user))
    else:
        for term in terms:
            conditions.extend(term_conditions(term, fts=fts))
    if filters.kind:
        conditions.append(Organization.kind == OrgKind(filters.kind))
    if filters.province:
        conditions.append(Organization.province == Province(filters.province))
    if filters.site:
        conditions.append(Organization.site == Site(filters.site))
    # With a kind/province/site filter, an index narrows the rows first: the other filters are probed per row
    # (EXISTS). Alone, a status/trade/language filter is read from its own index (IN).
    narrowed = bool(filters.kind or filters.province or filters.site)

    def belongs(model, column: str, value):
        other = _OTHER[model]
        if narrowed:
            return sa.exists().where(other.organization_id == Organization.id, getattr(other, column) == value)
        return Organization.id.in_(sa.select(other.organization_id).where(getattr(other, column) == value))

    if filters.trade:
        conditions.append(belongs(OrganizationTrade, "trade", Trade(filters.trade)))
    if filters.language:
        conditions.append(belongs(OrganizationLanguage, "language", Language(filters.language)))
    if filters.status == "none":
        other = _OTHER[Membership]
        conditions.append(~sa.exists().where(other.organization_id == Organization.id))
    elif filters.status:
        conditions.append(belongs(Membership, "status", MembershipStatus(filters.status)))
    for tag_id in filters.tag_ids:  # read from ix_organization_tags_tag_id (tag_id, organization_id)
        conditions.append(Organization.id.in_(
            sa.select(organization_tags.c.organization_id).where(organization_tags.c.tag_id == tag_id)))
    return conditions


PRIMARY = sa.orm.aliased(Contact, name="primary_contact")
# Aliases for the filters' subqueries (built once: the register's rows outer-join Membership, so the
# subqueries must never correlate with it).
_OTHER = {model: sa.orm.aliased(model, name=f"filter_{model.__tablename__}")
          for model in (Membership, OrganizationTrade, OrganizationLanguage)}


def register_rows(conditions) -> sa.Select:
    """Organisation, membership status and primary contact name for each row of the register."""
    primary = PRIMARY
    return (
        sa.select(Organization, Membership.status, primary.name, primary.email, primary.title, primary.phone)
        .outerjoin(Membership, Membership.organization_id == Organization.id)
        .outerjoin(primary, sa.and_(primary.organization_id == Organization.id, primary.is_primary.is_(True)))
        .where(*conditions)
    )


# ---------------------------------------------------------------------------------------------------------------
# Keyset pagination: a page never reads the rows before it (page 500 costs what page 1 costs).


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


CURSOR_TYPES = {"name_key": str, "id": int}


def decode_cursor(text: str | None, names: tuple[str, ...]) -> list | None:
    """The sort values of a row, from a cursor a client sent back; ``None`` when forged or malformed."""
    if not text or len(text) > 600:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(names):
        return None
    for value, name in zip(values, names, strict=True):
        if isinstance(value, bool) or not isinstance(value, CURSOR_TYPES[name]):
            return None
        if isinstance(value, int) and not -2**62 < value < 2**62:
            return None
    return values


@dataclass
class KeysetPage:
    items: list[Any]
    total: int
    per_page: int
    first_cursor: str | None = None
    last_cursor: str | None = None
    has_prev: bool = False
    has_next: bool = False
    extra: dict = field(default_factory=dict)
    capped: bool = False  # ``total`` is past ``cap``: the page says "more than {cap}"
    cap: int = COUNT_CAP


def keyset_page(stmt: sa.Select, conditions, sort: str, *, after: str | None = None, before: str | None = None,
                last: bool = False, per_page: int = PER_PAGE, total: int | None = None) -> KeysetPage:
    """One page of ``stmt`` in the ``sort`` order from a cursor; ``total``: the count when already known (else
    counted under ``conditions``)."""
    names, descending = SORTS[sort]
    columns = [getattr(Organization, n) for n in names]
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(*conditions))
    after_values = decode_cursor(after, names)
    before_values = decode_cursor(before, names) if after_values is None else None
    backwards = before_values is not None or (last and after_values is None)
    # Reading backwards flips the direction, then the rows are put back in display order.
    read_desc = descending != backwards
    order = [c.desc() if read_desc else c.asc() for c in columns]
    cursor = after_values if after_values is not None else before_values
    if cursor is not None:
        key = sa.tuple_(*columns) if len(columns) > 1 else columns[0]
        value = sa.tuple_(*[sa.literal(v) for v in cursor]) if len(columns) > 1 else cursor[0]
        stmt = stmt.where(key < value if read_desc else key > value)
    rows = list(db.session.execute(stmt.order_by(*order).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = KeysetPage(items=rows, total=total, per_page=per_page)
    if backwards:
        page.has_prev, page.has_next = more, before_values is not None
    else:
        page.has_next, page.has_prev = more, after_values is not None
    if rows:
        page.first_cursor = encode_cursor([getattr(rows[0][0], n) for n in names])
        page.last_cursor = encode_cursor([getattr(rows[-1][0], n) for n in names])
    return page


def register_page(filters: RegisterFilters, user, *, after=None, before=None, last=False,
                  per_page: int = PER_PAGE) -> KeysetPage:
    """A page of the filtered register and its count (capped for a search): a common term (past the cap) with no
    other filter is read by walking the sort's index, a rare one from the text index."""
    total, capped = register_total(filters, user)
    walk = walks(filters, user, capped)
    conditions = register_where(filters, user, fts=not walk)
    page = keyset_page(register_rows(conditions), conditions, filters.sort, after=after, before=before, last=last,
                       per_page=per_page, total=total)
    page.capped, page.cap = capped, COUNT_CAP
    page.extra["plan"] = "walk" if walk else "index"
    return page


def walks(filters: RegisterFilters, user, capped: bool) -> bool:
    """Whether a search's page is read by walking the sort's index: a common term (its count capped), no other
    filter, and a rule an index is walked in (a reader whose own archived organisation is listed has an OR: the text
    index then)."""
    return capped and not narrowing(filters) and (user.role == Role.SECRETARIAT or user.organization_id is None
                                                  or not own_organisation_archived(user))


def narrowing(filters: RegisterFilters) -> bool:
    """A filter other than the search and the archive: its own index may narrow the rows first."""
    return bool(filters.kind or filters.status or filters.province or filters.site or filters.trade
                or filters.language or filters.tag)


def register_total(filters: RegisterFilters, user) -> tuple[int, bool]:
    """The number of organisations of the filtered register, and whether it is capped: a search counts at most
    ``COUNT_CAP`` + 1 (read from the text index on SQLite, stopping there); the whole current register is the
    table's count less the archived ones (SQLite counts a whole table without reading it); anything else exactly.
    The secretariat sees every organisation: its counts are the same for every secretariat user, kept until the data
    changes (``club.core.freshness``); a partner's or a member's are counted each time."""
    if user.role == Role.SECRETARIAT:
        key = repr(sorted((name, value) for name, value in filters.args().items() if name != "sort"))
        return fresh(("members.register_total", key, COUNT_CAP), lambda: _register_total(filters, user))
    return _register_total(filters, user)


def _register_total(filters: RegisterFilters, user) -> tuple[int, bool]:
    if not filters.q:
        if not filters.archived and not narrowing(filters) and user.role in (Role.SECRETARIAT, Role.PARTNER,
                                                                             Role.MEMBER):
            return unfiltered_total(user), False
        return db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                                 .where(*register_where(filters, user))), False
    terms = search_terms(filters.q)
    match = None if number_search(terms, user) else fts_match(terms)
    inner = sa.select(Organization.id)
    if match:  # driven by the text index: the join reads hits until the cap (an IN would read them all)
        inner = inner.select_from(FTS).join(Organization, Organization.id == FTS.c.rowid) \
            .where(sa.text("organizations_search MATCH :match").bindparams(match=match))
    inner = inner.where(*register_where(filters, user, fts=False)).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(inner))
    return total, total > COUNT_CAP


def unfiltered_total(user) -> int:
    """The current register's count as ``user`` reads it (``in_register``): every organisation less the archived
    ones (few, indexed), plus their own organisation when archived (partners and members see it listed)."""
    everything = sa.select(sa.func.count()).select_from(Organization).scalar_subquery()
    archived = sa.select(sa.func.count()).select_from(Organization) \
        .where(Organization.archived_at.is_not(None)).scalar_subquery()
    total = everything - archived
    if user.role != Role.SECRETARIAT and user.organization_id is not None:
        total = total + sa.select(sa.func.count()).select_from(Organization).where(
            Organization.id == user.organization_id, Organization.archived_at.is_not(None)).scalar_subquery()
    return db.session.scalar(sa.select(total))


# ---------------------------------------------------------------------------------------------------------------
# The global search's members group


def search(term: str, user, limit: int) -> tuple[int, list[Hit]]:
    """The organisations the register finds for ``term`` (name, description, ICE, emails, phones, contacts), then
    the contacts whose folded name holds it (each linking to its organisation's page): only what ``user`` sees,
    in two queries (a capped count of the organisations, then one page with its total), whatever the number of hits.

    Past ``COUNT_CAP`` organisations the count says "more than" (``MoreThan``) and the page is the first ones by
    name (the name index walked). Below it, the contacts are looked for among the organisations found: a contact's
    folded name is in its organisation's search text (``search_text_for``), so no contact is missed and none is
    read outside them."""
    from flask import url_for

    from club.core.search import MoreThan
    from club.members.labels import as_context

    terms = search_terms(term)
    if not terms:
        return 0, []
    filters = RegisterFilters(q=term)
    found, capped = register_total(filters, user)
    if not found:
        return 0, []
    columns = (Organization.name_key.label("sort"), Organization.id.label("id"), Organization.name.label("title"),
               Organization.id.label("org_id"), sa.cast(Organization.kind, sa.String).label("detail"),
               Organization.city.label("more"))
    if capped:
        total = MoreThan(COUNT_CAP)
        rows = db.session.execute(
            sa.select(sa.literal(0).label("rank"), *columns)
            .where(*register_where(filters, user, fts=not walks(filters, user, capped)))
            .order_by(Organization.name_key, Organization.id).limit(limit)).all()
    else:
        number = phones.search_term(term) or phones.digits_term(term)
        where = register_where(filters, user, indexed=False)
        names = [Contact.name_key.like(f"%{like_escape(w)}%", escape="\\") for w in terms] if not number \
            else [sa.false()]
        organisations = sa.select(sa.literal(0).label("rank"), *columns).where(*where)
        contact_org = sa.orm.aliased(Organization, name="contact_org")
        contacts = (
            sa.select(sa.literal(1).label("rank"), Contact.name_key.label("sort"), Contact.id.label("id"),
                      Contact.name.label("title"), Contact.organization_id.label("org_id"),
                      Contact.title.label("detail"), contact_org.name.label("more"))
            .join(contact_org, contact_org.id == Contact.organization_id)
            .where(Contact.organization_id.in_(sa.select(Organization.id).where(*where)),
                   visible(Contact, user), *in_register(user, model=contact_org, indexed=False), *names))
        hits = sa.union_all(organisations, contacts).subquery()
        rows = db.session.execute(sa.select(hits, sa.func.count().over().label("total"))
                                  .order_by(hits.c.rank, hits.c.sort, hits.c.id).limit(limit)).all()
        total = rows[0].total if rows else 0  # (rows: the organisations counted above are among them)
    kinds = as_context()["kind_labels"]
    found = []
    for row in rows:
        url = url_for("members.detail", org_id=row.org_id)
        if row.rank == 0:
            detail = " · ".join(part for part in (kinds.get(row.detail, ""), row.more) if part)
            found.append(Hit(row.title, url, detail or None))
        else:
            found.append(Hit(row.title, url + "#contacts",
                             " · ".join(part for part in (row.detail, row.more) if part)))
    return total, found


def export_rows(filters: RegisterFilters, user, ids: list[int] | None = None):
    """Every row of the filtered register (only ``ids`` among them when given: a selection), in display order,
    streamed in batches."""
    names, descending = SORTS[filters.sort]
    order = [getattr(Organization, n).desc() if descending else getattr(Organization, n).asc() for n in names]
    conditions = register_where(filters, user)
    if ids is not None:
        conditions.append(Organization.id.in_(ids))
    stmt = register_rows(conditions).order_by(*order).execution_options(yield_per=1000)
    return db.session.execute(stmt)


def trades_and_languages(ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    found: dict[int, tuple[list[str], list[str]]] = {i: ([], []) for i in ids}
    if not ids:
        return found
    for org_id, trade in db.session.execute(
            sa.select(OrganizationTrade.organization_id, OrganizationTrade.trade)
            .where(OrganizationTrade.organization_id.in_(ids)).order_by(OrganizationTrade.trade)):
        found[org_id][0].append(trade.value)
    for org_id, language in db.session.execute(
            sa.select(OrganizationLanguage.organization_id, OrganizationLanguage.language)
            .where(OrganizationLanguage.organization_id.in_(ids)).order_by(OrganizationLanguage.language)):
        found[org_id][1].append(language.value)
    return found


# ---------------------------------------------------------------------------------------------------------------
# Jobs


def club_job_totals() -> tuple[int, int]:
    """Jobs announced and jobs created to date, for the whole club (non-archived organisations).

    Everything minus the archived organisations' part: the first sum reads the small commitments table alone,
    the second only the few archived organisations (index on archived_at), so no join over every commitment. The
    same for every reader: once per change of the data (``club.core.freshness``).
    """
    return fresh("members.club_job_totals", _club_job_totals)


def _club_job_totals() -> tuple[int, int]:
    archived = (sa.select(JobCommitment.jobs_announced, JobCommitment.jobs_created)
                .where(JobCommitment.organization_id.in_(
                    sa.select(Organization.id).where(Organization.archived_at.is_not(None))))
                .subquery())
    everything = sa.select(sa.func.coalesce(sa.func.sum(JobCommitment.jobs_announced), 0),
                           sa.func.coalesce(sa.func.sum(JobCommitment.jobs_created), 0)).subquery()
    row = db.session.execute(
        sa.select(everything.c[0] - sa.select(sa.func.coalesce(sa.func.sum(archived.c.jobs_announced), 0))
                  .scalar_subquery(),
                  everything.c[1] - sa.select(sa.func.coalesce(sa.func.sum(archived.c.jobs_created), 0))
                  .scalar_subquery())
    ).one()
    return int(row[0]), int(row[1])


def created_to_date(commitment: JobCommitment) -> int:
    return commitment.jobs_created


# ---------------------------------------------------------------------------------------------------------------
# The organisation page


def load_organization(org_id: int, user=None) -> Organization | None:
    """The organisation with everything its page shows, in a fixed number of queries; None unless ``user`` (when
    given) sees it (``Organization.visible_to``)."""
    where = [visible(Organization, user)] if user is not None else []
    return db.session.scalar(
        sa.select(Organization).where(Organization.id == org_id, *where)
        .options(
            selectinload(Organization.contacts),
            selectinload(Organization.trades),
            selectinload(Organization.languages),
            selectinload(Organization.membership).selectinload(Membership.changes).joinedload(MembershipChange.by),
            selectinload(Organization.membership).selectinload(Membership.tier),
            selectinload(Organization.dues),
            selectinload(Organization.job_commitments).selectinload(JobCommitment.reports),
        )
        .execution_options(populate_existing=True)
    )


def visible_contacts(org_id: int, user) -> list[Contact]:
    """The contacts of the organisation ``user`` sees on its page (``Contact.visible_to``), by name."""
    return list(db.session.scalars(
        sa.select(Contact).where(Contact.organization_id == org_id, visible(Contact, user))
        .order_by(Contact.name_key, Contact.id)))


# ---------------------------------------------------------------------------------------------------------------
# The CSV import


def stored_import(key: str | None, user):
    """The CSV file ``user`` uploaded for an import, by its key (anyone else's, or another kind: None)."""
    from club.core.storage import StoredFile

    if not key:
        return None
    return db.session.scalar(sa.select(StoredFile).where(StoredFile.key == key, StoredFile.kind == "csv",
                                                         StoredFile.uploaded_by_id == user.id))


# ---------------------------------------------------------------------------------------------------------------
# Home panels


def secretariat_stats(year: int | None = None) -> dict:
    """The club-wide figures of the secretariat's home (the same for every secretariat user): computed once per
    change of the data (``club.core.freshness``)."""
    year = year or date.today().year
    return fresh(("members.secretariat_stats", year), lambda: _secretariat_stats(year))


def _secretariat_stats(year: int) -> dict:
    archived_ids = sa.select(Organization.id).where(Organization.archived_at.is_not(None))  # few, indexed
    members = db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership)
        .where(Membership.status == MembershipStatus.ACTIVE, Membership.organization_id.not_in(archived_ids)))
    unpaid_count, unpaid_amount = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Dues.amount), 0))
        .where(Dues.year == year, Dues.paid_on.is_(None), Dues.organization_id.not_in(archived_ids))
    ).one()
    announced, created = club_job_totals()
    return {"members_count": members, "unpaid_count": unpaid_count, "unpaid_amount": unpaid_amount,
            "dues_year": year, "jobs_announced": announced, "jobs_created": created}


def member_stats(user) -> dict | None:
    """The member contact's organisation, its membership status and jobs, for their home page."""
    if not user.organization_id:
        return None
    org = db.session.scalar(
        sa.select(Organization).where(Organization.id == user.organization_id)
        .options(selectinload(Organization.membership),
                 selectinload(Organization.job_commitments).selectinload(JobCommitment.reports)))
    if org is None:
        return None
    announced = sum(c.jobs_announced for c in org.job_commitments)
    created = sum(created_to_date(c) for c in org.job_commitments)
    return {"org": org, "status": org.membership.status if org.membership else None,
            "announced": announced, "created": created}


def organisation_named(name: str) -> Organization | None:
    """The organisation of that exact name (the demo world finds the article's organisations by name)."""
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


# --- an organisation typed by its name (other domains' forms: a programme's lead, an award's recipient, an
# employer) --------------------------------------------------------------------------------------------------------

def organisations_named(name: str, user=None, *, limit: int = 2, active_only: bool = False) -> list[Organization]:
    """The organisations whose name is ``name``: exactly, else once folded (case, accents, punctuation and legal
    suffixes ignored: ``Organization.name_key``, indexed), those ``user`` may see when given, archived ones last
    (or left out with ``active_only``). More than one result means the typed name is ambiguous."""
    name = " ".join((name or "").split())
    if not name:
        return []
    where = [visible(Organization, user)] if user is not None else []
    if active_only:
        where.append(Organization.archived_at.is_(None))
    exact = db.session.scalar(sa.select(Organization).where(Organization.name == name, *where))
    if exact is not None:
        return [exact]
    return list(db.session.scalars(
        sa.select(Organization).where(Organization.name_key == Organization.key_for(name), *where)
        .order_by(Organization.archived_at.is_not(None), Organization.id).limit(limit)))


def organisation_suggestions(term: str, user=None, *, limit: int = 10) -> list[str]:
    """Names of organisations of the register (not archived) whose folded name contains ``term``, those starting
    with it first: what a form offers as one types, and the names a refusal suggests ("Did you mean…")."""
    key = Organization.key_for(" ".join((term or "").split())[:100])
    if len(key) < 2:
        return []
    pattern = like_escape(key)
    where = [visible(Organization, user)] if user is not None else []
    return list(db.session.scalars(
        sa.select(Organization.name)
        .where(Organization.name_key.like(f"%{pattern}%", escape="\\"), Organization.archived_at.is_(None), *where)
        .order_by(Organization.name_key.like(f"{pattern}%", escape="\\").desc(), Organization.name_key)
        .limit(limit)))


# --- Dues follow-up, tiers and renewals ------------------------------------------------------------------------

OVERDUE_AFTER_DAYS = 60  # unpaid dues invoiced more than this many days ago are overdue
DUES_PER_PAGE = 50
DUES_STATES = ("paid", "unpaid", "overdue")  # "unpaid" includes the overdue ones (the home's unpaid figure)
# sort name -> columns (the dues id breaks ties: a stable order for the offset pages)
DUES_SORTS = {
    # (one row per organisation in a year: the organisation's id breaks ties, so the register's index
    # ix_organizations_active_name gives the order and a page is read without sorting the year)
    "name": lambda: (Organization.name_key.asc(), Organization.id.asc()),
    "-name": lambda: (Organization.name_key.desc(), Organization.id.desc()),
    "amount": lambda: (Dues.amount.asc(), Dues.id.asc()),
    "-amount": lambda: (Dues.amount.desc(), Dues.id.desc()),
    "invoiced": lambda: (Dues.invoiced_on.asc(), Dues.id.asc()),
    "-invoiced": lambda: (Dues.invoiced_on.desc(), Dues.id.desc()),
    "paid": lambda: (Dues.paid_on.asc(), Dues.id.asc()),
    "-paid": lambda: (Dues.paid_on.desc(), Dues.id.desc()),
}
_DUES_TIER = sa.orm.aliased(Membership, name="dues_membership")


def overdue_before(today: date) -> date:
    return date.fromordinal(today.toordinal() - OVERDUE_AFTER_DAYS)


@dataclass
class DuesFilters:
    year: int
    state: str = ""
    tier: str = ""
    province: str = ""
    kind: str = ""
    payment: str = ""  # the payment method (not "method": a form's field of that name hides ``form.method``)
    q: str = ""
    sort: str = "name"

    @classmethod
    def from_args(cls, args, today: date) -> DuesFilters:
        """The filters of the dues page from its query arguments; anything unknown or malformed is ignored."""
        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        raw_year = (args.get("year") or "").strip()
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 \
            else today.year
        tier = (args.get("tier") or "").strip()
        from club.forms import as_id

        return cls(
            year=year,
            state=pick("state", set(DUES_STATES)),
            tier=tier if as_id(tier) is not None else "",
            province=pick("province", {p.value for p in Province}),
            kind=pick("kind", {k.value for k in OrgKind}),
            payment=pick("payment", {m.value for m in PaymentMethod}),
            q="".join(ch for ch in (args.get("q") or "") if ch.isprintable()).strip()[:100],
            sort=pick("sort", set(DUES_SORTS)) or "name",
        )

    def args(self, **overrides) -> dict[str, str]:
        """The non-default filters as query arguments (links, the export, the pages)."""
        values = {k: str(v) for k, v in {**self.__dict__, **overrides}.items() if v}
        if values.get("sort") == "name":
            values.pop("sort")
        return values


def dues_where(filters: DuesFilters, today: date, *, joined: bool = True) -> list:
    """The dues of the year, of organisations not archived (what the home's unpaid figure counts), filtered.
    ``joined``: the statement joins the organisation (else the archived ones, few, are left out by id)."""
    conditions = [Dues.year == filters.year]
    if joined:
        conditions.append(Organization.archived_at.is_(None))
    else:
        conditions.append(Dues.organization_id.not_in(
            sa.select(Organization.id).where(Organization.archived_at.is_not(None))))
    if filters.state == "paid":
        conditions.append(Dues.paid_on.is_not(None))
    elif filters.state == "unpaid":
        conditions.append(Dues.paid_on.is_(None))
    elif filters.state == "overdue":
        conditions += [Dues.paid_on.is_(None), Dues.invoiced_on < overdue_before(today)]
    if filters.tier:
        conditions.append(_DUES_TIER.tier_id == int(filters.tier))
    if filters.province:
        conditions.append(Organization.province == Province(filters.province))
    if filters.kind:
        conditions.append(Organization.kind == OrgKind(filters.kind))
    if filters.payment:
        conditions.append(Dues.method == PaymentMethod(filters.payment))
    key = Organization.key_for(filters.q) if filters.q else ""
    if key:
        conditions.append(Organization.name_key.like(f"%{like_escape(key)}%", escape="\\"))
    return conditions


def _dues_from(stmt: sa.Select, *, organisation: bool = True, tier: bool = True) -> sa.Select:
    stmt = stmt.select_from(Dues)
    if organisation:
        stmt = stmt.join(Organization, Organization.id == Dues.organization_id)
    if tier:
        stmt = stmt.outerjoin(_DUES_TIER, _DUES_TIER.organization_id == Dues.organization_id) \
            .outerjoin(MembershipTier, MembershipTier.id == _DUES_TIER.tier_id)
    return stmt


_DUES_COLUMNS = sa.select(Dues, Organization.id.label("org_id"), Organization.name.label("org_name"),
                          Organization.kind.label("kind"), Organization.province.label("province"),
                          MembershipTier.name.label("tier_name"))


def dues_rows(filters: DuesFilters, today: date) -> sa.Select:
    """Each row: the dues, the organisation's id, name, kind and province, its tier's name, in the chosen order."""
    return _dues_from(_DUES_COLUMNS).where(*dues_where(filters, today)).order_by(*DUES_SORTS[filters.sort]())


def dues_totals(filters: DuesFilters, today: date) -> dict:
    """Counts and sums of the filtered dues, in one query: invoiced, collected, outstanding."""
    paid = Dues.paid_on.is_not(None)
    overdue = sa.and_(Dues.paid_on.is_(None), Dues.invoiced_on < overdue_before(today))
    # Only the joins the filters need: the year's dues alone are read from the dues index.
    organisation = bool(filters.province or filters.kind or filters.q)
    row = db.session.execute(_dues_from(sa.select(
        sa.func.count(Dues.id),
        sa.func.coalesce(sa.func.sum(Dues.amount), 0),
        sa.func.coalesce(sa.func.sum(sa.case((paid, Dues.amount), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((paid, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0),
    ), organisation=organisation, tier=bool(filters.tier)).where(*dues_where(filters, today, joined=organisation))
    ).one()
    count, invoiced, collected, paid_count, overdue_count = row
    invoiced, collected = Decimal(invoiced).quantize(Decimal("0.01")), Decimal(collected).quantize(Decimal("0.01"))
    return {"count": int(count), "invoiced": invoiced, "collected": collected, "outstanding": invoiced - collected,
            "paid_count": int(paid_count), "unpaid_count": int(count) - int(paid_count),
            "overdue_count": int(overdue_count)}


def dues_state(dues: Dues, today: date) -> str:
    if dues.paid_on is not None:
        return "paid"
    if dues.invoiced_on is not None and dues.invoiced_on < overdue_before(today):
        return "overdue"
    return "unpaid"


def dues_page(filters: DuesFilters, today: date, page: int = 1, per_page: int = DUES_PER_PAGE):
    """The totals and one page of the filtered dues. The dues pages are the secretariat's alone (every secretariat
    user sees every dues): the totals and the ids of a page are kept until the data changes
    (``club.core.freshness``), so reading a page again costs one query by primary key; computing them costs two
    queries whatever the number of rows."""
    import math

    from club.core.pagination import Page

    key = (tuple(sorted(filters.args().items())), filters.year, today)
    totals = fresh(("members.dues_totals", key), lambda: dues_totals(filters, today))
    last = max(1, math.ceil(totals["count"] / per_page))
    page = max(1, min(page, last))
    ids = fresh(("members.dues_page", key, page, per_page), lambda: list(db.session.scalars(
        dues_rows(filters, today).with_only_columns(Dues.id).limit(per_page).offset((page - 1) * per_page))))
    by_id = {row.Dues.id: row for row in db.session.execute(
        _dues_from(_DUES_COLUMNS).where(Dues.id.in_(ids)))} if ids else {}
    rows = [by_id[i] for i in ids if i in by_id]
    return Page(items=rows, page=page, per_page=per_page, total=totals["count"]), totals


def dues_export_rows(filters: DuesFilters, today: date):
    """Every filtered row, in the page's order, streamed in batches."""
    return db.session.execute(dues_rows(filters, today).execution_options(yield_per=1000))


def dues_years(today: date) -> list[int]:
    """The years the dues page offers: those with dues, and the current one, newest first."""
    years = set(db.session.scalars(sa.select(Dues.year).distinct()))
    return sorted(years | {today.year}, reverse=True)


def tiers() -> list:
    """Every tier, in the list's order, with the number of memberships of each (one query)."""
    counts = (sa.select(Membership.tier_id, sa.func.count().label("n")).where(Membership.tier_id.is_not(None))
              .group_by(Membership.tier_id).subquery())
    return list(db.session.execute(
        sa.select(MembershipTier, sa.func.coalesce(counts.c.n, 0).label("members"))
        .outerjoin(counts, counts.c.tier_id == MembershipTier.id)
        .order_by(MembershipTier.position, MembershipTier.id)))


def tier_options() -> list[tuple[int, str]]:
    """(id, name) of every tier, for the dues page's filter."""
    return [(row.id, row.name) for row in db.session.execute(
        sa.select(MembershipTier.id, MembershipTier.name).order_by(MembershipTier.position, MembershipTier.id))]


RENEWALS_PER_PAGE = 50


def renewals_where(today: date) -> list:
    from club.members.services import RENEWAL_NOTICE_DAYS

    horizon = date.fromordinal(today.toordinal() + RENEWAL_NOTICE_DAYS)
    return [Membership.status == MembershipStatus.ACTIVE, Membership.renews_on.is_not(None),
            Membership.renews_on <= horizon, Organization.archived_at.is_(None)]


def renewals_page(today: date, page: int = 1, per_page: int = RENEWALS_PER_PAGE):
    """Active memberships renewing within the notice period, overdue ones first (by renewal date): a count and a
    page, two queries. Each row: the membership, the organisation's name, its tier's name, period and fee."""
    from club.core.pagination import Page

    where = renewals_where(today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Membership)
                              .join(Organization, Organization.id == Membership.organization_id).where(*where))
    last = max(1, -(-total // per_page))
    page = max(1, min(page, last))
    rows = list(db.session.execute(
        sa.select(Membership, Organization.name.label("org_name"), MembershipTier.name.label("tier_name"),
                  MembershipTier.period_months.label("period_months"), MembershipTier.annual_fee.label("fee"))
        .join(Organization, Organization.id == Membership.organization_id)
        .outerjoin(MembershipTier, MembershipTier.id == Membership.tier_id)
        .where(*where).order_by(Membership.renews_on, Membership.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return Page(items=rows, page=page, per_page=per_page, total=total)


def renewals_due_count(today: date) -> tuple[int, int]:
    """(due within the notice period, of which overdue), for the secretariat's home (once per change of the data)."""
    return fresh(("members.renewals_due", today), lambda: _renewals_due_count(today))


def _renewals_due_count(today: date) -> tuple[int, int]:
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((Membership.renews_on < today, 1),
                                                                        else_=0)), 0))
        .select_from(Membership).join(Organization, Organization.id == Membership.organization_id)
        .where(*renewals_where(today))).one()
    return int(row[0]), int(row[1])
