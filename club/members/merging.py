"""Merging duplicates: two organisations (or two contacts of one organisation) become one.

Everything that points to the record that disappears moves to the one that stays. Nothing here lists the tables
by hand: ``references(table)`` walks ``db.metadata`` for every foreign key to ``organizations.id`` (or
``contacts.id``), and each is moved with one UPDATE per column. A unique key that includes the moved column (a
composite primary key, a unique constraint, a unique index) would be broken by rows of both records with the same
other values (both investors in one deal, both tagged alike): the survivor's row wins and the other's duplicate
is deleted first. Keys where that is not the right answer are named in ``KEY_RULES``: refused (dues of one year),
the person's choice (membership, trades, languages), or a fix (one primary contact per organisation). A partial
unique index with no rule stops the merge (``UnhandledKey``): ``tests/members/test_merging_walk.py`` fails for it
the day a table adds one.

Services: ``merge_organizations`` and ``merge_contacts`` (check, move, delete, audit one event, flush; never
commit). Queries: ``merged_into`` (where an old id went) and the likely duplicates (``name_groups``,
``domain_groups``, ``contact_groups``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from club.core import audit
from club.core.freshness import fresh
from club.core.refusals import Refused, check_version
from club.core.text import fold, like_escape
from club.extensions import db
from club.members import services
from club.members.models import (
    Contact,
    Dues,
    Membership,
    MergedRecord,
    Organization,
    OrganizationLanguage,
    OrganizationTrade,
)
from club.models import utcnow

# The fields chosen one by one on the merge page (the survivor's value preselected).
ORG_FIELDS = services.PROFILE_FIELDS  # name, kind, ice, city, province, site, headcount, website, email, phone, ...
ORG_LISTS = ("trades", "languages")  # the survivor's, the other's, or both
CONTACT_FIELDS = ("name", "title", "email", "phone", "is_primary")
SURVIVOR, OTHER, BOTH = "survivor", "other", "both"

WEBMAIL = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr", "live.com", "live.fr",
    "msn.com", "yahoo.com", "yahoo.fr", "ymail.com", "aol.com", "icloud.com", "me.com", "gmx.com", "gmx.fr",
    "proton.me", "protonmail.com", "laposte.net", "orange.fr", "wanadoo.fr", "free.fr", "menara.ma",
})


# ---------------------------------------------------------------------------------------------------------------
# The metadata walk


@dataclass(frozen=True)
class UniqueKey:
    """A unique key of a referencing table that includes the moved column: its name, its columns, and for a partial
    index its condition."""

    name: str
    columns: tuple[sa.Column, ...]
    partial: bool = False


@dataclass(frozen=True)
class Reference:
    """A foreign key column pointing to the merged table, with the unique keys that include it."""

    table: sa.Table
    column: sa.Column
    keys: tuple[UniqueKey, ...] = ()

    @property
    def kind(self) -> str:
        """What the audit event counts it as: the table, and the column when the table has another one (a contact
        and an organisation both)."""
        return self.table.name if self.column.name in ("organization_id", "contact_id") else \
            f"{self.table.name}.{self.column.name}"


class UnhandledKey(Exception):  # noqa: N818
    """A partial unique index on a moved column that no rule of ``KEY_RULES`` handles: merging could break it."""


def _unique_keys(table: sa.Table, column: sa.Column) -> tuple[UniqueKey, ...]:
    keys = []
    pk = tuple(table.primary_key.columns)
    if column in pk:
        keys.append(UniqueKey(table.primary_key.name or f"pk_{table.name}", pk))
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and column.name in constraint.columns:
            keys.append(UniqueKey(str(constraint.name), tuple(constraint.columns)))
    for index in table.indexes:
        if index.unique and column.name in index.columns:
            partial = any(index.dialect_options[d].get("where") is not None for d in ("sqlite", "postgresql"))
            keys.append(UniqueKey(str(index.name), tuple(index.columns), partial))
    return tuple(keys)


def references(target: sa.Table) -> list[Reference]:
    """Every foreign key column of the metadata pointing to ``target`` (its id), with its unique keys."""
    found = []
    for table in db.metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            if fk.column.table is target and fk.column.name == "id":
                found.append(Reference(table, fk.parent, _unique_keys(table, fk.parent)))
    return found


# Keys whose conflicts are not settled by "the survivor's row wins" (see the module's docstring): what
# ``check_organizations`` or a ``_prepare_*`` step does for each before the walk, which then skips them. (Trades and
# languages need no rule: ``_prepare_lists`` deletes the side not chosen, and for "both" the walk keeps a shared
# one once.)
KEY_RULES = {
    "organizations": {
        "ix_contacts_one_primary": "the moved contacts lose is_primary when the survivor has a primary contact",
        "uq_dues_organization_year": "refused: both have dues for the same year",
        "uq_memberships_organization_id": "the person chooses which membership stays",
    },
    "contacts": {},
}


def unhandled_keys(target: sa.Table) -> list[str]:
    """The partial unique keys on references to ``target`` that no rule handles (must be empty)."""
    rules = KEY_RULES[target.name]
    return [f"{ref.table.name}.{key.name}" for ref in references(target) for key in ref.keys
            if key.partial and key.name not in rules]


def _move(ref: Reference, old_id: int, new_id: int, rules: dict) -> tuple[int, int]:
    """Move ``ref``'s rows from ``old_id`` to ``new_id``: first delete the old's rows that would collide with the
    survivor's on a unique key (the survivor's row wins), then one UPDATE. Returns (moved, dropped)."""
    table, column = ref.table, ref.column
    dropped = 0
    for key in ref.keys:
        if key.name in rules:
            continue  # settled before the walk
        if key.partial:
            raise UnhandledKey(f"{table.name}.{key.name}")
        others = [c for c in key.columns if c is not column]
        if not others:  # the column alone is unique: the survivor's row (if any) wins
            theirs = sa.select(sa.literal(1)).select_from(table).where(column == new_id).exists()
            dropped += db.session.execute(sa.delete(table).where(column == old_id, theirs)).rowcount or 0
            continue
        twin = table.alias("twin")
        collides = (sa.select(sa.literal(1)).select_from(twin)
                    .where(twin.c[column.name] == new_id, *[twin.c[c.name] == c for c in others]).exists())
        dropped += db.session.execute(sa.delete(table).where(column == old_id, collides)).rowcount or 0
    moved = db.session.execute(sa.update(table).where(column == old_id).values({column.name: new_id})).rowcount
    return moved or 0, dropped


LISTS = ("organization_trades", "organization_languages")  # chosen as fields on the merge page


def _walk(target: sa.Table, old_id: int, new_id: int) -> tuple[dict[str, int], int]:
    rules = KEY_RULES[target.name]
    moved: dict[str, int] = {}
    dropped = 0
    for ref in references(target):
        count, lost = _move(ref, old_id, new_id, rules)
        if ref.table.name not in LISTS:
            dropped += lost  # a trade both had is no duplicate dropped
        if count:
            moved[ref.kind] = moved.get(ref.kind, 0) + count
    return moved, dropped


def _remember(entity_type: str, old_id: int, new_id: int, old_name: str, by) -> None:
    """The old id now leads to ``new_id``; so do the ids merged into the old one before (one hop, always). (SQLite
    may give a deleted row's id to a new row: a record left for that id from before is replaced.)"""
    db.session.execute(sa.delete(MergedRecord).where(MergedRecord.entity_type == entity_type,
                                                     MergedRecord.old_id == old_id))
    db.session.execute(sa.update(MergedRecord).where(MergedRecord.entity_type == entity_type,
                                                     MergedRecord.new_id == old_id).values(new_id=new_id))
    db.session.add(MergedRecord(entity_type=entity_type, old_id=old_id, new_id=new_id, old_name=old_name[:200],
                                by_id=getattr(by, "id", None)))


def merged_ids(entity_type: str, new_id: int) -> list[int]:
    """The ids merged into ``new_id`` (directly or along a chain: the rows are kept one hop)."""
    return list(db.session.scalars(sa.select(MergedRecord.old_id).where(MergedRecord.entity_type == entity_type,
                                                                       MergedRecord.new_id == new_id)))


def merged_into(entity_type: str, old_id: int) -> int | None:
    """Where the record ``old_id`` went, when it was merged (following a chain, should one be left)."""
    seen: set[int] = set()
    current = old_id
    while True:
        new_id = db.session.scalar(sa.select(MergedRecord.new_id).where(MergedRecord.entity_type == entity_type,
                                                                        MergedRecord.old_id == current))
        if new_id is None or new_id in seen:
            return current if current != old_id else None
        seen.add(new_id)
        current = new_id


# ---------------------------------------------------------------------------------------------------------------
# Organisations


@dataclass
class Choices:
    """What the person chose on the merge page: per field, ``SURVIVOR`` or ``OTHER`` (``BOTH`` for the lists);
    ``membership``: whose membership stays."""

    fields: dict[str, str] = field(default_factory=dict)
    membership: str = SURVIVOR

    def pick(self, name: str) -> str:
        return self.fields.get(name, SURVIVOR)


def dues_conflicts(survivor: Organization, other: Organization) -> list[int]:
    """The years both organisations have dues for (a merge is refused until one is deleted or corrected)."""
    theirs = sa.select(Dues.year).where(Dues.organization_id == other.id)
    return list(db.session.scalars(sa.select(Dues.year).where(Dues.organization_id == survivor.id,
                                                               Dues.year.in_(theirs)).order_by(Dues.year)))


def check_organizations(survivor: Organization, other: Organization) -> None:
    """The refusals of a merge, each with its reason at its field."""
    if survivor.id == other.id:
        raise Refused(_l("An organisation cannot be merged with itself: choose another one."), field="other")
    if survivor.ice and other.ice and survivor.ice != other.ice:
        raise Refused(_l("These two organisations have different ICE numbers (%(a)s and %(b)s): they are two "
                         "companies, not a duplicate. Correct the wrong ICE first if one is a mistake.",
                         a=survivor.ice, b=other.ice), field="ice")
    years = dues_conflicts(survivor, other)
    if years:
        raise Refused(ngettext("Both organisations have dues for %(years)s: delete or correct one of them first.",
                               "Both organisations have dues for %(years)s: delete or correct one of each year "
                               "first.", len(years), years=", ".join(str(y) for y in years)), field="dues")


def _value(org: Organization, name: str):
    if name == "trades":
        return sorted(t.value for t in org.trade_values)
    if name == "languages":
        return sorted(v.value for v in org.language_values)
    return getattr(org, name)


def _prepare_lists(survivor: Organization, other: Organization, choices: Choices) -> None:
    """Trades and languages: keep the survivor's (the other's go), take the other's (the survivor's go), or both
    (the walk then adds the other's, a shared one kept once)."""
    for name, model in (("trades", OrganizationTrade), ("languages", OrganizationLanguage)):
        pick = choices.pick(name)
        if pick == BOTH:
            continue
        loser = other.id if pick == SURVIVOR else survivor.id
        db.session.execute(sa.delete(model).where(model.organization_id == loser))


def _prepare_membership(survivor: Organization, other: Organization, choices: Choices) -> None:
    ids = dict(db.session.execute(sa.select(Membership.organization_id, Membership.id)
                                  .where(Membership.organization_id.in_([survivor.id, other.id]))).all())
    if survivor.id in ids and other.id in ids:
        loser = other.id if choices.membership != OTHER else survivor.id
        db.session.execute(sa.delete(Membership).where(Membership.organization_id == loser))


def _prepare_primary(survivor: Organization, other: Organization) -> None:
    has_primary = db.session.scalar(sa.select(Contact.id).where(Contact.organization_id == survivor.id,
                                                                Contact.is_primary.is_(True)).limit(1))
    if has_primary is not None:
        db.session.execute(sa.update(Contact).where(Contact.organization_id == other.id, Contact.is_primary.is_(True))
                           .values(is_primary=False))


def merge_organizations(survivor: Organization, other: Organization, choices: Choices, *, by,
                        versions: tuple | None = None) -> dict:
    """Merge ``other`` into ``survivor``: the chosen values, then everything pointing to ``other`` moves, then
    ``other`` is deleted and its id redirects. One audit event on the survivor. ``versions``: the two versions the
    page was read at (``Stale`` when either changed). Returns the audit event's changes."""
    if survivor.id == other.id:
        raise Refused(_l("An organisation cannot be merged with itself: choose another one."), field="other")
    for org in sorted((survivor, other), key=lambda o: o.id):  # always in the same order: no deadlock
        services.lock_organization(org)
    db.session.refresh(survivor)
    db.session.refresh(other)
    if versions is not None:
        check_version(survivor, versions[0])
        check_version(other, versions[1])
    check_organizations(survivor, other)
    if unhandled := unhandled_keys(Organization.__table__):
        raise UnhandledKey(", ".join(unhandled))

    before = {name: _value(survivor, name) for name in (*ORG_FIELDS, *ORG_LISTS)}
    wanted = {name: _value(other if choices.pick(name) == OTHER else survivor, name) for name in ORG_FIELDS}
    old_id, old_name = other.id, other.name
    survivor_id = survivor.id
    membership_before = db.session.scalar(sa.select(Membership.status).where(Membership.organization_id == survivor_id))

    _prepare_lists(survivor, other, choices)
    _prepare_membership(survivor, other, choices)
    _prepare_primary(survivor, other)
    moved, dropped = _walk(Organization.__table__, old_id, survivor_id)
    for name in LISTS:
        moved.pop(name, None)  # chosen as fields, shown as such
    db.session.expunge(other)
    db.session.execute(sa.delete(Organization).where(Organization.id == old_id))
    _remember("organizations", old_id, survivor_id, old_name, by)
    db.session.flush()
    db.session.expire_all()

    survivor = db.session.get(Organization, survivor_id)
    for name, value in wanted.items():
        setattr(survivor, name, value)
    survivor.name_key = Organization.key_for(survivor.name)
    services.refresh_search_text(survivor)
    survivor.updated_at = utcnow()  # the version moves: a page read before the merge is stale
    db.session.flush()
    after = {name: _value(survivor, name) for name in (*ORG_FIELDS, *ORG_LISTS)}
    changes: dict = {"merged": [None, old_name], "merged_id": [None, old_id]}
    changes.update({name: [before[name], after[name]] for name in before if before[name] != after[name]})
    membership_after = db.session.scalar(sa.select(Membership.status).where(Membership.organization_id == survivor_id))
    if membership_after != membership_before:
        changes["membership"] = [membership_before, membership_after]
    if moved:
        changes["moved"] = [None, moved]
    if dropped:
        changes["dropped"] = [None, dropped]
    audit.record("organization.merged", survivor, by=by, changes=changes)
    db.session.flush()
    return changes


# ---------------------------------------------------------------------------------------------------------------
# Contacts


def check_contacts(survivor: Contact, other: Contact) -> None:
    if survivor.id == other.id:
        raise Refused(_l("A contact cannot be merged with itself: choose another one."), field="other")
    if survivor.organization_id != other.organization_id:
        raise Refused(_l("These contacts belong to two organisations: merge the organisations first."),
                      field="other")


def merge_contacts(survivor: Contact, other: Contact, choices: Choices, *, by, versions: tuple | None = None) -> dict:
    """Merge ``other`` into ``survivor`` (two contacts of one organisation): the chosen values, everything pointing
    to ``other`` moves (registrations, invitations, awards...), ``other`` is deleted. One audit event on the
    organisation. Returns its changes."""
    check_contacts(survivor, other)
    org = survivor.organization
    services.lock_organization(org)
    db.session.refresh(survivor)
    db.session.refresh(other)
    if versions is not None:
        check_version(survivor, versions[0])
        check_version(other, versions[1])
    check_contacts(survivor, other)
    if unhandled := unhandled_keys(Contact.__table__):
        raise UnhandledKey(", ".join(unhandled))
    before = {name: getattr(survivor, name) for name in CONTACT_FIELDS}
    wanted = {name: getattr(other if choices.pick(name) == OTHER else survivor, name) for name in CONTACT_FIELDS}
    wanted["is_primary"] = bool(survivor.is_primary or other.is_primary) if choices.pick("is_primary") == BOTH \
        else wanted["is_primary"]
    old_id, old_name, survivor_id, org_id = other.id, other.name, survivor.id, org.id

    moved, dropped = _walk(Contact.__table__, old_id, survivor_id)
    db.session.expunge(other)
    db.session.execute(sa.delete(Contact).where(Contact.id == old_id))
    _remember("contacts", old_id, survivor_id, old_name, by)
    db.session.flush()
    db.session.expire_all()

    survivor = db.session.get(Contact, survivor_id)
    for name, value in wanted.items():
        if name != "is_primary":
            setattr(survivor, name, value)
    survivor.name_key = fold(survivor.name)
    db.session.flush()
    if wanted["is_primary"] and not survivor.is_primary:
        db.session.execute(sa.update(Contact).where(Contact.organization_id == org_id, Contact.is_primary.is_(True))
                           .values(is_primary=False))
        survivor.is_primary = True
    elif not wanted["is_primary"] and survivor.is_primary:
        survivor.is_primary = False
    survivor.updated_at = utcnow()
    db.session.flush()
    org = db.session.get(Organization, org_id)
    services.refresh_search_text(org)
    after = {name: getattr(survivor, name) for name in CONTACT_FIELDS}
    changes: dict = {"contact": [old_name, survivor.name], "merged_id": [None, old_id]}
    changes.update({name: [before[name], after[name]] for name in before if before[name] != after[name]})
    if moved:
        changes["moved"] = [None, moved]
    if dropped:
        changes["dropped"] = [None, dropped]
    audit.record("contact.merged", org, by=by, changes=changes)
    db.session.flush()
    return changes


# ---------------------------------------------------------------------------------------------------------------
# Likely duplicates (the secretariat's list): each a page of groups, in a constant number of queries. A page reads
# one more group than it shows to know whether there is a next one (no count: counting the groups would read the
# whole table a second time).


@dataclass
class Group:
    key: str
    items: list
    organization: Organization | None = None  # contacts: their organisation
    kind: str = "name"  # contacts: "name" or "email"


@dataclass
class GroupPage:
    items: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


# The groups' keys of a page (a GROUP BY over every organisation or contact) are kept until the data changes
# (``club.core.freshness``): the duplicates pages are the staff's, the same for all of them.


def _twins(stmt, page: int, per_page: int) -> tuple[list, bool]:
    rows, more = _page_of(stmt, page, per_page, scalars=False)
    return [Twins(r.org_id, r.kind, r.key) for r in rows], more


@dataclass(frozen=True)
class Twins:
    org_id: int
    kind: str
    key: str


def _page_of(stmt, page: int, per_page: int, *, scalars: bool = True) -> tuple[list, bool]:
    query = stmt.limit(per_page + 1).offset((page - 1) * per_page)
    rows = list(db.session.scalars(query) if scalars else db.session.execute(query))
    return rows[:per_page], len(rows) > per_page


def _instr(text, needle):
    """The 1-based position of ``needle`` in ``text`` (0: absent), on either database."""
    name = "strpos" if db.session.get_bind().dialect.name == "postgresql" else "instr"
    return getattr(sa.func, name)(text, needle)


def email_domain(column):
    return sa.func.substr(column, _instr(column, "@") + 1)  # emails are stored in lower case


def website_domain(column):
    low = sa.func.replace(sa.func.replace(sa.func.lower(column), "https://", ""), "http://", "")
    bare = sa.case((low.like("www.%"), sa.func.substr(low, 5)), else_=low)
    return sa.case((_instr(bare, "/") > 0, sa.func.substr(bare, 1, _instr(bare, "/") - 1)), else_=bare)


def domain_of_email(email: str | None) -> str | None:
    return email.rsplit("@", 1)[-1].lower() if email and "@" in email else None


def domain_of_website(website: str | None) -> str | None:
    """The same as ``website_domain``, in Python."""
    if not website:
        return None
    low = website.lower().replace("https://", "").replace("http://", "")
    if low.startswith("www."):
        low = low[4:]
    return low.split("/", 1)[0]


def _orgs(ids: Iterable[int]) -> dict[int, Organization]:
    ids = list(ids)
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids)))}


def name_groups(page: int, per_page: int = 20) -> GroupPage:
    """Organisations with the same folded name (``name_key``, indexed), a group per name."""
    stmt = (sa.select(Organization.name_key).group_by(Organization.name_key)
            .having(sa.func.count() > 1).order_by(Organization.name_key))
    keys, more = fresh(("merging.name_keys", page, per_page), lambda: _page_of(stmt, page, per_page))
    rows = db.session.scalars(sa.select(Organization).where(Organization.name_key.in_(keys))
                              .order_by(Organization.name_key, Organization.id)) if keys else []
    groups: dict[str, list] = {key: [] for key in keys}
    for org in rows:
        groups[org.name_key].append(org)
    return GroupPage([Group(key, orgs) for key, orgs in groups.items()], page, more)


def domain_groups(page: int, per_page: int = 20) -> GroupPage:
    """Organisations sharing the domain of their email or website (webmail domains left out)."""
    by_email = sa.select(Organization.id.label("org_id"), email_domain(Organization.email).label("domain")) \
        .where(Organization.email.is_not(None))
    by_site = sa.select(Organization.id.label("org_id"), website_domain(Organization.website).label("domain")) \
        .where(Organization.website.is_not(None))
    domains = sa.union_all(by_email, by_site).subquery("domains")
    stmt = (sa.select(domains.c.domain).where(domains.c.domain.not_in(sorted(WEBMAIL)), domains.c.domain != "")
            .group_by(domains.c.domain).having(sa.func.count(sa.distinct(domains.c.org_id)) > 1)
            .order_by(domains.c.domain))
    keys, more = fresh(("merging.domain_keys", page, per_page), lambda: _page_of(stmt, page, per_page))
    groups: dict[str, list] = {key: [] for key in keys}
    if keys:  # the organisations of these domains: plain LIKEs (no expression per row), then checked exactly
        likes = []
        for key in keys:
            pattern = like_escape(key)
            likes += [Organization.email.like(f"%@{pattern}", escape="\\"),
                      sa.func.lower(Organization.website).like(f"%{pattern}%", escape="\\")]
        for org in db.session.scalars(sa.select(Organization).where(sa.or_(*likes)).order_by(Organization.id)):
            for domain in {domain_of_email(org.email), domain_of_website(org.website)}:
                if domain in groups:
                    groups[domain].append(org)
    return GroupPage([Group(key, items) for key, items in groups.items()], page, more)


def contact_groups(page: int, per_page: int = 20) -> GroupPage:
    """Per organisation, contacts with the same folded name or the same email."""
    by_name = sa.select(Contact.organization_id.label("org_id"), sa.literal("name").label("kind"),
                        Contact.name_key.label("key")).group_by(Contact.organization_id, Contact.name_key) \
        .having(sa.func.count() > 1)
    by_email = sa.select(Contact.organization_id.label("org_id"), sa.literal("email").label("kind"),
                         Contact.email.label("key")).where(Contact.email.is_not(None)) \
        .group_by(Contact.organization_id, Contact.email).having(sa.func.count() > 1)
    both = sa.union_all(by_name, by_email).subquery("twins")
    stmt = sa.select(both.c.org_id, both.c.kind, both.c.key).order_by(both.c.org_id, both.c.kind, both.c.key)
    rows, more = fresh(("merging.contact_twins", page, per_page), lambda: _twins(stmt, page, per_page))
    orgs = _orgs({r.org_id for r in rows})
    contacts = list(db.session.scalars(sa.select(Contact).where(Contact.organization_id.in_(list(orgs)))
                                       .order_by(Contact.id))) if orgs else []
    items = []
    for row in rows:
        twins = [c for c in contacts if c.organization_id == row.org_id
                 and (c.name_key if row.kind == "name" else c.email) == row.key]
        items.append(Group(row.key, twins, orgs[row.org_id], row.kind))
    return GroupPage(items, page, more)


# ---------------------------------------------------------------------------------------------------------------
# How a merge reads in the history (registered by ``club.members.hooks``)


def _kinds() -> dict:
    """What moved, by kind (a table of the walk), each with its count; a table added later reads by its name."""
    return {
        "contacts": lambda n: ngettext("%(num)s contact", "%(num)s contacts", n),
        "dues": lambda n: ngettext("%(num)s year of dues", "%(num)s years of dues", n),
        "memberships": lambda n: ngettext("%(num)s membership", "%(num)s memberships", n),
        "job_commitments": lambda n: ngettext("%(num)s job commitment", "%(num)s job commitments", n),
        "users": lambda n: ngettext("%(num)s user account", "%(num)s user accounts", n),
        "incubator_applications": lambda n: ngettext("%(num)s application", "%(num)s applications", n),
        "deals.target_id": lambda n: ngettext("%(num)s deal (as target)", "%(num)s deals (as target)", n),
        "deal_investors": lambda n: ngettext("%(num)s deal as investor", "%(num)s deals as investor", n),
        "deal_signatories": lambda n: ngettext("%(num)s deal signature", "%(num)s deal signatures", n),
        "deal_shares": lambda n: ngettext("%(num)s deal shared", "%(num)s deals shared", n),
        "deal_opinions": lambda n: ngettext("%(num)s deal opinion", "%(num)s deal opinions", n),
        "deal_comments": lambda n: ngettext("%(num)s deal comment", "%(num)s deal comments", n),
        "deal_access_log": lambda n: ngettext("%(num)s deal access logged", "%(num)s deal accesses logged", n),
        "mission_registrations": lambda n: ngettext("%(num)s mission registration", "%(num)s mission registrations",
                                                    n),
        "mission_invitations": lambda n: ngettext("%(num)s mission invitation", "%(num)s mission invitations", n),
        "mission_partners": lambda n: ngettext("%(num)s mission partnership", "%(num)s mission partnerships", n),
        "mission_outcomes": lambda n: ngettext("%(num)s mission outcome", "%(num)s mission outcomes", n),
        "mission_actions.owner_organization_id": lambda n: ngettext("%(num)s mission action", "%(num)s mission "
                                                                    "actions", n),
        "programmes.lead_organization_id": lambda n: ngettext("%(num)s programme led", "%(num)s programmes led", n),
        "programme_partners": lambda n: ngettext("%(num)s programme partnership", "%(num)s programme partnerships",
                                                 n),
        "programme_beneficiaries.placed_organization_id": lambda n: ngettext("%(num)s placement", "%(num)s placements",
                                                                             n),
        "awards": lambda n: ngettext("%(num)s award", "%(num)s awards", n),
        "organization_trades": lambda n: ngettext("%(num)s trade", "%(num)s trades", n),
        "organization_languages": lambda n: ngettext("%(num)s language served", "%(num)s languages served", n),
        "organization_tags": lambda n: ngettext("%(num)s tag", "%(num)s tags", n),
        "contact_tags": lambda n: ngettext("%(num)s contact's tag", "%(num)s contacts' tags", n),
        "organization_documents": lambda n: ngettext("%(num)s document", "%(num)s documents", n),
        "bulk_action_items": lambda n: ngettext("%(num)s line of a bulk action", "%(num)s lines of bulk actions", n),
        "activities": lambda n: ngettext("%(num)s activity", "%(num)s activities", n),
        "activity_participants": lambda n: ngettext("%(num)s participation in an activity",
                                                    "%(num)s participations in activities", n),
        "contact_consents": lambda n: ngettext("%(num)s mailing consent", "%(num)s mailing consents", n),
        "mailing_recipients": lambda n: ngettext("%(num)s mailing received", "%(num)s mailings received", n),
        "report_runs.audience_id": lambda n: ngettext("%(num)s activity report for the organisation",
                                                      "%(num)s activity reports for the organisation", n),
        "report_schedule_partners": lambda n: ngettext("%(num)s scheduled report", "%(num)s scheduled reports", n),
    }


def moved_text(value) -> str:
    """``{"contacts": 2, "dues": 1}`` as "2 contacts, 1 year of dues"."""
    from flask_babel import gettext

    if not isinstance(value, dict):
        return str(value)
    kinds = _kinds()
    parts = []
    for kind, count in value.items():
        try:
            n = int(count)
        except (TypeError, ValueError):
            continue
        if kind in kinds:
            parts.append(kinds[kind](n))
        else:
            parts.append(ngettext("%(num)s row of %(table)s", "%(num)s rows of %(table)s", n,
                                  table=kind.replace("_", " ")))
    return ", ".join(parts) or gettext("nothing")


def merged_label(changes) -> str:
    from flask_babel import gettext

    name = (changes.get("merged") or [None, None])[-1]
    return gettext("Merged with “%(name)s” (which no longer exists)", name=name) if name else gettext("Merged")


def contact_merged_label(changes) -> str:
    from flask_babel import gettext

    pair = changes.get("contact") or [None, None]
    return gettext("Contact “%(old)s” merged into “%(new)s”", old=pair[0], new=pair[-1]) if pair[0] \
        else gettext("Contacts merged")


def _membership_labels():
    from club.members.models import MEMBERSHIP_STATUS_LABELS

    return MEMBERSHIP_STATUS_LABELS


ACTION_LABELS = {
    "organization.merged": merged_label,
    "contact.merged": contact_merged_label,
}

AUDIT_FIELDS = {
    "organization.merged": {
        "merged": _l("Merged record"),
        "merged_id": audit.Field(_l("Merged record's number"), hidden=True),
        "membership": audit.Field(_l("Membership"), _membership_labels()),
        "moved": audit.Field(_l("Moved to this record"), moved_text),
        "dropped": audit.Field(_l("Duplicates dropped"), audit.number),
    },
    "contact.merged": {
        "merged_id": audit.Field(_l("Merged contact's number"), hidden=True),
        "moved": audit.Field(_l("Moved to this contact"), moved_text),
        "dropped": audit.Field(_l("Duplicates dropped"), audit.number),
    },
}
