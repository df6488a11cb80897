"""Pickers: an organisation (or several) typed by its name, never a list of the whole register.

``OrganizationField`` (one organisation) and ``OrganizationsField`` (several) are WTForms fields a form declares
in place of a select of every organisation; the macro ``templates/_macros/pickers.html`` renders them: a text
input with a ``<datalist>`` that htmx refreshes from ``members.organisation_picks`` as one types, and, without
JavaScript, the same input submitted: one organisation matches, it is picked; several, the form comes back with
them offered as choices (kind and city to tell them apart); none, an error at the field.

After validation the field's ``data`` is the organisation's id (``OrganizationsField``: a list of ids), as the
select it replaces gave it: views and services keep taking ids. A form built from a record (``data=`` or
``obj=``) shows the organisation's name; sent back unchanged, the name resolves to the same organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Field, ValidationError
from wtforms.utils import unset_value
from wtforms.widgets import TextInput

from club.core.text import fold, like_escape
from club.extensions import db
from club.forms import as_id, without_control_characters
from club.members.models import ORG_KIND_LABELS, Contact, Organization
from club.permissions import visible

PICKS = 10  # the most names a picker suggests or offers to choose from
MAX_TYPED = 200  # what a picker reads of the typed text

NO_MATCH = _l("No organisation of that name.")
SEVERAL = _l("Several organisations match: choose one below, or type more of its name.")
ARCHIVED = _l("This organisation is archived.")
CHOOSE = _l("Choose an organisation.")


def _columns():
    return sa.select(Organization.id, Organization.name, Organization.kind, Organization.city,
                     Organization.archived_at)


def _where(user, archived: bool) -> list:
    where = [visible(Organization, user)]
    if not archived:
        where.append(Organization.archived_at.is_(None))
    return where


def suggestions(term: str, user, *, archived: bool = False, limit: int = PICKS) -> list:
    """At most ``limit`` organisations ``user`` may see whose folded name contains ``term``, those starting with
    it first, by name: rows of (id, name, kind, city, archived_at). Two walks of the name index that stop at
    ``limit`` rows, whatever the size of the register."""
    key = Organization.key_for(" ".join((term or "").split())[:MAX_TYPED])
    if len(key) < 2:
        return []
    pattern = like_escape(key)
    where = _where(user, archived)
    order = (Organization.name_key, Organization.id)
    # the names starting with it: a range of the name index (the LIKE keeps it exact whatever the collation; a name
    # the range would miss under another collation is still found by the second walk)
    starting = db.session.execute(_columns().where(Organization.name_key >= key, Organization.name_key < key + "\uffff",
                                                   Organization.name_key.like(f"{pattern}%", escape="\\"), *where)
                                  .order_by(*order).limit(limit)).all()
    if len(starting) == limit:
        return starting
    seen = {row.id for row in starting}
    inside = db.session.execute(_columns().where(Organization.name_key.like(f"%{pattern}%", escape="\\"), *where)
                                .order_by(*order).limit(limit + len(starting))).all()
    return starting + [row for row in inside if row.id not in seen][:limit - len(starting)]


@dataclass(frozen=True)
class Pick:
    """An organisation a picker offers: its name, and its kind and city to tell it from a namesake."""

    id: int
    name: str
    detail: str


def described(rows) -> list[Pick]:
    return [Pick(row.id, row.name, ", ".join(str(part) for part in (ORG_KIND_LABELS.get(row.kind), row.city,
                                                                      _l("archived") if row.archived_at else None)
                                             if part)) for row in rows]


def resolve(text: str, user, *, archived: bool = False) -> tuple[int | None, list, str | None]:
    """What a typed name picks: ``(id, [], None)``; several candidates ``(None, rows, message)``; none
    ``(None, [], message)``. The exact name first, then the folded name, then a part of it."""
    text = " ".join((text or "").split())[:MAX_TYPED]
    if not text:
        return None, [], None
    exact = db.session.execute(_columns().where(Organization.name == text, visible(Organization, user))).first()
    if exact is not None:
        if exact.archived_at is not None and not archived:
            return None, [], ARCHIVED
        return exact.id, [], None
    where = _where(user, archived)
    same = db.session.execute(_columns().where(Organization.name_key == Organization.key_for(text), *where)
                              .order_by(Organization.id).limit(PICKS + 1)).all()
    found = same or suggestions(text, user, archived=archived, limit=PICKS + 1)
    if len(found) == 1:
        return found[0].id, [], None
    if found:
        return None, described(found[:PICKS]), SEVERAL
    return None, [], NO_MATCH


def names_of(ids, user) -> dict[int, str]:
    """{id: name} of the organisations among ``ids`` that ``user`` may see (one query)."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                   .where(Organization.id.in_(ids), visible(Organization, user))).all())


class _Picker(Field):
    """What both pickers share: the typed text, the candidate picked among those offered, the rule on archived
    organisations."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, required_message=None, archived: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.archived = archived
        self.candidates: list = []
        self.posted = False
        self.typed = ""
        self.pick = None

    # What a picker picks among: organisations here, contacts in ``ContactField``.
    def _names(self, ids) -> dict[int, str]:
        return names_of(ids, current_user)

    def _allowed(self, ident: int) -> bool:
        return db.session.scalar(
            sa.select(Organization.id).where(Organization.id == ident, *_where(current_user, self.archived))) is not None

    def _resolve(self, text: str):
        return resolve(text, current_user, archived=self.archived)

    def display(self, value) -> str:
        """The names of what ``value`` holds (a stale edit shows both versions)."""
        ids = value if isinstance(value, list) else [value]
        names = self._names(ids)
        return ", ".join(sorted((names[i] for i in ids if i in names), key=str.casefold)) or "—"

    @property
    def list_id(self) -> str:
        return f"{self.id}-options"

    def _read(self, formdata, name: str) -> str:
        value = formdata.get(name, "") if formdata is not None else ""
        return without_control_characters(value)[:MAX_TYPED].strip() if isinstance(value, str) else ""

    def _picked(self, text: str) -> int | None:
        """Resolve the candidate ticked, else the typed text; report at the field."""
        if self.pick is not None and self._allowed(self.pick):
            return self.pick
        found, self.candidates, message = self._resolve(text)
        if message:
            raise ValidationError(message)
        return found


class OrganizationField(_Picker):
    """One organisation, typed by its name; ``data`` is its id (or None). ``ContactField`` picks a contact the same
    way."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.posted = formdata is not None and (self.name in formdata or f"{self.name}-pick" in formdata)
        self.pick = as_id(formdata.get(f"{self.name}-pick")) if self.posted else None
        super().process(formdata, data, extra_filters)

    def process_data(self, value):
        value = getattr(value, "id", value)
        self.data = value if isinstance(value, int) and not isinstance(value, bool) and value else None

    def process_formdata(self, valuelist):
        self.typed = self._read({self.name: valuelist[0]} if valuelist else {}, self.name)
        self.data = None

    def _value(self) -> str:
        if self.posted:
            return self.typed
        return self._names([self.data]).get(self.data, "") if self.data else ""

    def pre_validate(self, form):
        if self.posted:
            self.data = self._picked(self.typed)
        if self.data is None and self.required_message:
            raise ValidationError(self.required_message)


class OrganizationsField(_Picker):
    """Several organisations: those chosen (checkboxes, ``name``), and one more typed in ``name-add`` (or picked
    among the candidates); ``data`` is the list of ids. The "Add" button (``name-add-button``) sends the form to
    add the one typed: the form comes back with it among the chosen, nothing saved (``holds_form``)."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.posted = formdata is not None and any(
            key in formdata for key in (self.name, f"{self.name}-add", f"{self.name}-pick", f"{self.name}-add-button"))
        self.pick = as_id(formdata.get(f"{self.name}-pick")) if self.posted else None
        self.typed = self._read(formdata, f"{self.name}-add") if self.posted else ""
        # "Add" with something typed or ticked holds the form; with nothing, it is the form's default button that
        # Enter in any field presses: the form is sent as with its own button
        self.holds_form = self.posted and f"{self.name}-add-button" in formdata and bool(
            self.typed or formdata.get(f"{self.name}-pick"))
        super().process(formdata, data, extra_filters)

    def process_data(self, value):
        self.data = [v.id if isinstance(v, Organization) else v for v in (value or [])
                     if isinstance(v, Organization) or (isinstance(v, int) and not isinstance(v, bool))]

    def process_formdata(self, valuelist):
        ids = [as_id(v) if isinstance(v, str) else None for v in valuelist]
        self.data = list(dict.fromkeys(i for i in ids if i is not None))

    @property
    def chosen(self) -> list[tuple[int, str]]:
        """(id, name) of the organisations chosen, by name (one query)."""
        names = self._names(self.data or [])
        return sorted(((i, names[i]) for i in (self.data or []) if i in names), key=lambda pair: pair[1].casefold())

    def _value(self) -> str:
        return self.typed

    def pre_validate(self, form):
        if self.posted:
            names = self._names(self.data)
            self.data = [i for i in self.data if i in names]
            if self.typed or self.pick is not None:
                added = self._picked(self.typed)
                if added is not None and added not in self.data:
                    self.data.append(added)
                self.typed, self.pick = "", None
        if self.required_message and not self.data:
            raise ValidationError(self.required_message)


# --- contacts: a person typed by their name or their organisation's ----------------------------------------------

CONTACT_LABEL = " — "  # "Organisation — Name": what a contact picker shows and reads back


def contact_label(org: str, name: str) -> str:
    return f"{org}{CONTACT_LABEL}{name}"


def _contact_columns():
    return (sa.select(Contact.id, Contact.name, Organization.name.label("org"))
            .join(Organization, Organization.id == Contact.organization_id))


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    org: str


def contact_suggestions(term: str, conditions, user, *, organization_id: int | None = None,
                        limit: int = PICKS) -> list:
    """At most ``limit`` contacts among ``conditions`` (the form's rule: whom it may pick): rows of (id, name, org).

    Of one organisation (``organization_id``): its people whose name holds every word of ``term``, by name (the
    index on organisation and name). Otherwise the people of the organisations whose name holds ``term`` (the name
    index, as the organisation picker walks it), then the people whose own name holds every word (a walk of the
    contacts that stops at ``limit`` rows)."""
    words = [w for w in fold(" ".join((term or "").replace(CONTACT_LABEL.strip(), " ").split())[:MAX_TYPED]).split()
             if w][:4]
    if not words or sum(len(w) for w in words) < 2:
        return []
    named = [Contact.name_key.like(f"%{like_escape(w)}%", escape="\\") for w in words]
    if organization_id:
        return db.session.execute(_contact_columns().where(Contact.organization_id == organization_id, *conditions,
                                                           *named)
                                  .order_by(Contact.name_key, Contact.id).limit(limit)).all()
    orgs = [row.id for row in suggestions(" ".join(words), user, limit=limit)]
    rows = db.session.execute(_contact_columns().where(Contact.organization_id.in_(orgs), *conditions)
                              .order_by(Organization.name_key, Contact.name_key, Contact.id)
                              .limit(limit)).all() if orgs else []
    if len(rows) < limit:
        seen = [row.id for row in rows]
        # contacts alone (joined, the planner would walk every organisation), their organisations' names after
        more = db.session.execute(sa.select(Contact.id, Contact.name, Contact.organization_id)
                                  .where(*named, *conditions, Contact.id.not_in(seen)).limit(limit - len(rows))).all()
        orgs = dict(db.session.execute(sa.select(Organization.id, Organization.name).where(
            Organization.id.in_({row.organization_id for row in more}))).all()) if more else {}
        rows += sorted((_Person(row.id, row.name, orgs.get(row.organization_id, "")) for row in more),
                       key=lambda row: (fold(row.org), fold(row.name), row.id))
    return rows


def resolve_contact(text: str, conditions, user, *, organization_id: int | None = None
                    ) -> tuple[int | None, list, str | None]:
    """What a typed "Organisation — Name" (or a part of it) picks among ``conditions``, as ``resolve``."""
    text = " ".join((text or "").split())[:MAX_TYPED]
    if not text:
        return None, [], None
    org, _, name = text.rpartition(CONTACT_LABEL)
    exact = db.session.execute(_contact_columns().where(*conditions, Contact.name == name, Organization.name == org)
                               .limit(PICKS + 1)).all() if org else []
    found = exact or contact_suggestions(text, conditions, user, organization_id=organization_id, limit=PICKS + 1)
    if len(found) == 1:
        return found[0].id, [], None
    if found:
        return None, [Pick(row.id, row.name, row.org) for row in found[:PICKS]], SEVERAL_PEOPLE
    return None, [], NO_PERSON


SEVERAL_PEOPLE = _l("Several people match: choose one below, or type more of the name.")
NO_PERSON = _l("Nobody of that name can be registered.")


class ContactField(OrganizationField):
    """One contact, typed by their name or their organisation's ("Organisation — Name" as suggested); ``data`` is
    the contact's id. The view says whom it may pick (``conditions``: SQL conditions over Contact joined to its
    Organization) and where the suggestions come from (``url``); a contact ticked by id (a candidate, or a
    "Register" button beside a person) needs only ``pick_conditions`` (who may be seen): the service then says why
    it refuses one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions: list = [sa.false()]
        self.pick_conditions: list | None = None
        self.url: str | None = None
        self.organization_id: int | None = None

    def offer(self, conditions: list, url: str, *, organization_id: int | None = None,
              pick_conditions: list | None = None) -> None:
        """Whom the field may pick (``conditions``; of one organisation: ``organization_id``, also among the
        conditions), where its suggestions come from, and whom a ticked id may be (``pick_conditions``)."""
        self.conditions, self.url, self.pick_conditions = conditions, url, pick_conditions
        self.organization_id = organization_id

    def _names(self, ids) -> dict[int, str]:
        ids = [i for i in ids if i is not None]
        rows = db.session.execute(_contact_columns().where(Contact.id.in_(ids), *self.conditions)).all() if ids else []
        return {row.id: contact_label(row.org, row.name) for row in rows}

    def _allowed(self, ident: int) -> bool:
        conditions = self.conditions if self.pick_conditions is None else self.pick_conditions
        return db.session.scalar(_contact_columns().where(Contact.id == ident, *conditions)) is not None

    def _resolve(self, text: str):
        return resolve_contact(text, self.conditions, current_user, organization_id=self.organization_id)


LIST_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
