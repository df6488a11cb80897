"""Merging duplicates (the secretariat): the list of likely duplicates, two organisations (or two contacts of one
organisation) side by side with a choice per field, and the merge itself (``club.members.merging``).

The side-by-side page is a GET (``merge``) and the merge a POST to the same address (``merge_apply``): a page read
is never a merge. Refused: the page again with the reason at its field (422); either record changed meanwhile: the
page again with the values saved now and the person's choices kept (409)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import RadioField, StringField
from wtforms.validators import Length

from club.core.pagination import page_number
from club.core.refusals import REFUSED_STATUS, Refused, Stale, refuse_at
from club.core.stale import STALE_STATUS
from club.extensions import db
from club.forms import FlaskForm, VersionField, choices, form_view
from club.members import bp, labels, merging, queries
from club.members.models import Contact, Organization
from club.members.phones import display as display_phone
from club.members.views.common import STAFF, org_or_404
from club.permissions import role_required

FIELD_LABELS = {
    "name": _l("Name"), "kind": _l("Kind"), "ice": _l("ICE"), "city": _l("City"), "province": _l("Province"),
    "site": _l("Site or park"), "headcount": _l("Headcount"), "website": _l("Website"), "email": _l("Email"),
    "phone": _l("Phone"), "description": _l("Description"), "trades": _l("Trades"),
    "languages": _l("Languages served"), "membership": _l("Membership"),
    "title": _l("Position"), "is_primary": _l("Primary contact"),
}
KEEP_THIS, KEEP_OTHER, KEEP_BOTH = _l("Keep this one's"), _l("Take the other's"), _l("Both")


class MergeForm(FlaskForm):
    """The choices of a merge: a radio per field (the survivor's value preselected) and the two versions read."""

    version = VersionField()
    other_version = VersionField()


def merge_form(fields: tuple[str, ...], lists: tuple[str, ...] = (), *, membership: bool = False, **kwargs):
    class Form(MergeForm):
        pass

    for name in fields:
        setattr(Form, name, RadioField(FIELD_LABELS[name], default=merging.SURVIVOR,
                                       choices=choices([(merging.SURVIVOR, KEEP_THIS), (merging.OTHER, KEEP_OTHER)])))
    for name in lists:
        setattr(Form, name, RadioField(FIELD_LABELS[name], default=merging.SURVIVOR,
                                       choices=choices([(merging.SURVIVOR, KEEP_THIS), (merging.OTHER, KEEP_OTHER),
                                                        (merging.BOTH, KEEP_BOTH)])))
    if membership:
        Form.membership = RadioField(FIELD_LABELS["membership"], default=merging.SURVIVOR,
                                     choices=choices([(merging.SURVIVOR, KEEP_THIS), (merging.OTHER, KEEP_OTHER)]))
    return Form(**kwargs)


def _has_both_memberships(survivor: Organization, other: Organization) -> bool:
    return survivor.membership is not None and other.membership is not None


def _other_or_redirect(org: Organization, other_id: int) -> Organization:
    """The organisation to merge with; one merged meanwhile leads to where it went (a double submit: done)."""
    other = db.session.get(Organization, other_id)
    if other is not None:
        return org_or_404(other_id)
    new_id = merging.merged_into("organizations", other_id)
    if new_id is None:
        abort(404)
    if new_id == org.id or request.method != "GET":
        flash(_("These two organisations are already merged."), "info")
        abort(redirect(url_for("members.detail", org_id=new_id), 303))
    abort(redirect(url_for("members.merge", org_id=org.id, other_id=new_id), 301))


def moving_counts(table: sa.Table, record_id: int) -> dict[str, int]:
    """What points to ``record_id`` (what a merge moves), by kind, in one query."""
    parts = [sa.select(sa.literal(ref.kind).label("kind"), sa.func.count().label("n"))
             .select_from(ref.table).where(ref.column == record_id) for ref in merging.references(table)]
    rows = db.session.execute(sa.union_all(*parts)).all() if parts else []
    return {row.kind: row.n for row in rows if row.n and row.kind not in merging.LISTS}


def _display(org: Organization, name: str, context: dict):
    value = getattr(org, name) if name not in merging.ORG_LISTS else None
    if name == "kind":
        return context["kind_labels"][value]
    if name == "province":
        return context["province_labels"][value] if value else None
    if name == "site":
        return context["site_labels"][value] if value else None
    if name == "trades":
        return ", ".join(context["trade_labels"][t] for t in org.trade_values)
    if name == "languages":
        return ", ".join(context["language_labels"][v] for v in org.language_values)
    if name == "phone" and value:
        return display_phone(value)
    return value


def _org_page(survivor: Organization, other: Organization, form, status: int = 200, *, stale: bool = False):
    context = labels.as_context()
    rows = [{"name": name, "field": form[name], "label": FIELD_LABELS[name],
             "mine": _display(survivor, name, context), "theirs": _display(other, name, context)}
            for name in (*merging.ORG_FIELDS, *merging.ORG_LISTS)]
    for row in rows:
        row["same"] = row["mine"] == row["theirs"]
    years = merging.dues_conflicts(survivor, other)
    body = render_template(
        "members/merge.html", survivor=survivor, other=other, form=form, rows=rows, stale=stale,
        dues_years=years, moving=merging.moved_text(moving_counts(Organization.__table__, other.id)),
        both_memberships=_has_both_memberships(survivor, other), **context)
    return body, status


def _org_form(survivor: Organization, other: Organization, formdata=None):
    both = _has_both_memberships(survivor, other)
    kwargs = {} if formdata is not None else {"formdata": None, "version": survivor.version,
                                              "other_version": other.version}
    return merge_form(merging.ORG_FIELDS, merging.ORG_LISTS, membership=both, **kwargs)


def _refuse(form, refused: Refused) -> None:
    """The reason at its field; dues of the same year are said by the page itself, with a link to them."""
    if refused.field != "dues":
        refuse_at(form, refused)


def _load_pair(org_id: int, other_id: int) -> tuple[Organization, Organization]:
    survivor = org_or_404(org_id)
    other = _other_or_redirect(survivor, other_id)
    return survivor, other


# ---------------------------------------------------------------------------------------------------------------
# Organisations


class PickForm(FlaskForm):
    class Meta:
        csrf = False

    other = StringField(_l("The duplicate's name"), validators=[Length(max=200)])


@bp.route("/<int:org_id>/merge")
@role_required(*STAFF)
def merge_pick(org_id: int):
    """“Merge with…”: type the other organisation's name."""
    org = org_or_404(org_id)
    form = PickForm(request.args)
    name = (form.other.data or "").strip()
    found, similar = [], []
    if name and form.validate():
        found = [o for o in queries.organisations_named(name, current_user, limit=6) if o.id != org.id]
        if len(found) == 1:
            return redirect(url_for("members.merge", org_id=org.id, other_id=found[0].id), 303)
        if not found:
            similar = [n for n in queries.organisation_suggestions(name, current_user, limit=8) if n != org.name]
            form.other.errors = [_("No other organisation is named “%(name)s”.", name=name)]
    return render_template("members/merge_pick.html", org=org, form=form, found=found, similar=similar)


@bp.route("/<int:org_id>/merge/<int:other_id>")
@role_required(*STAFF)
def merge(org_id: int, other_id: int):
    survivor, other = _load_pair(org_id, other_id)
    form = _org_form(survivor, other)
    try:
        merging.check_organizations(survivor, other)
    except Refused as refused:  # said at once (the merge itself would be refused with it)
        _refuse(form, refused)
    return _org_page(survivor, other, form)


@bp.route("/<int:org_id>/merge/<int:other_id>", methods=["POST"])
@form_view
@role_required(*STAFF)
def merge_apply(org_id: int, other_id: int):
    survivor, other = _load_pair(org_id, other_id)
    form = _org_form(survivor, other, formdata=request.form)
    if form.validate_on_submit():
        choices = merging.Choices({name: form[name].data for name in (*merging.ORG_FIELDS, *merging.ORG_LISTS)},
                                  membership=form.membership.data if "membership" in form else merging.SURVIVOR)
        other_name = other.name
        try:
            merging.merge_organizations(survivor, other, choices, by=current_user,
                                        versions=(form.version.data, form.other_version.data))
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            _refuse(form, refused)
        except (Stale, StaleDataError):
            db.session.rollback()
            survivor, other = _load_pair(org_id, other_id)
            form.version.data, form.other_version.data = str(survivor.version), str(other.version)
            form.form_errors.append(_("One of these two records was changed while you were choosing. The values "
                                      "saved now are shown; check your choices and merge again."))
            return _org_page(survivor, other, form, STALE_STATUS, stale=True)
        else:
            flash(_("“%(other)s” was merged into “%(name)s”.", other=other_name, name=survivor.name), "success")
            return redirect(url_for("members.detail", org_id=org_id), 303)
        survivor, other = _load_pair(org_id, other_id)
    return _org_page(survivor, other, form, REFUSED_STATUS)


# ---------------------------------------------------------------------------------------------------------------
# Contacts of one organisation


def _contact(org: Organization, contact_id: int) -> Contact:
    found = next((c for c in org.contacts if c.id == contact_id), None)
    if found is None:
        abort(404)
    return found


class ContactPickForm(FlaskForm):
    class Meta:
        csrf = False

    keep = RadioField(_l("The contact that stays"), coerce=int, validate_choice=True)
    other = RadioField(_l("The duplicate, merged into it"), coerce=int, validate_choice=True)


@bp.route("/<int:org_id>/contacts/merge")
@role_required(*STAFF)
def contact_merge_pick(org_id: int):
    """Two contacts of the organisation: the one that stays, and its duplicate."""
    org = org_or_404(org_id)
    form = ContactPickForm(request.args)
    options = [(c.id, f"{c.name}{' · ' + c.email if c.email else ''}") for c in org.contacts]
    form.keep.choices = choices(options)
    form.other.choices = choices(options)
    status = 200
    if request.args:
        status = REFUSED_STATUS
        if form.validate():
            if form.keep.data == form.other.data:
                form.other.errors = [_("A contact cannot be merged with itself: choose another one.")]
            else:
                return redirect(url_for("members.contact_merge", org_id=org.id, contact_id=form.keep.data,
                                        other_contact_id=form.other.data), 303)
    return render_template("members/merge_contacts_pick.html", org=org, form=form), status


def _contact_pair(org_id: int, contact_id: int, other_contact_id: int):
    org = org_or_404(org_id)
    survivor = _contact(org, contact_id)
    other = next((c for c in org.contacts if c.id == other_contact_id), None)
    if other is None:
        elsewhere = db.session.get(Contact, other_contact_id)
        if elsewhere is not None:  # a contact of another organisation: the page says so (merge those first)
            return org, survivor, elsewhere
        new_id = merging.merged_into("contacts", other_contact_id)
        if new_id is None:
            abort(404)
        flash(_("These two contacts are already merged."), "info")
        abort(redirect(url_for("members.detail", org_id=org.id, _anchor="contacts"), 303))
    return org, survivor, other


def _contact_display(contact: Contact, name: str):
    value = getattr(contact, name)
    if name == "is_primary":
        return _("Yes") if value else _("No")
    if name == "phone" and value:
        return display_phone(value)
    return value


def _contact_form(survivor: Contact, other: Contact, formdata=None):
    kwargs = {} if formdata is not None else {"formdata": None, "version": survivor.version,
                                              "other_version": other.version}
    return merge_form(merging.CONTACT_FIELDS, **kwargs)


def _contact_page(org, survivor, other, form, status=200, *, stale=False):
    rows = [{"name": name, "field": form[name], "label": FIELD_LABELS[name],
             "mine": _contact_display(survivor, name), "theirs": _contact_display(other, name)}
            for name in merging.CONTACT_FIELDS]
    for row in rows:
        row["same"] = row["mine"] == row["theirs"]
    return render_template("members/merge_contact.html", org=org, survivor=survivor, other=other, form=form,
                           rows=rows, stale=stale,
                           moving=merging.moved_text(moving_counts(Contact.__table__, other.id))), status


@bp.route("/<int:org_id>/contacts/<int:contact_id>/merge/<int:other_contact_id>")
@role_required(*STAFF)
def contact_merge(org_id: int, contact_id: int, other_contact_id: int):
    org, survivor, other = _contact_pair(org_id, contact_id, other_contact_id)
    form = _contact_form(survivor, other)
    try:
        merging.check_contacts(survivor, other)
    except Refused as refused:
        refuse_at(form, refused)
    return _contact_page(org, survivor, other, form)


@bp.route("/<int:org_id>/contacts/<int:contact_id>/merge/<int:other_contact_id>", methods=["POST"])
@form_view
@role_required(*STAFF)
def contact_merge_apply(org_id: int, contact_id: int, other_contact_id: int):
    org, survivor, other = _contact_pair(org_id, contact_id, other_contact_id)
    form = _contact_form(survivor, other, formdata=request.form)
    if form.validate_on_submit():
        choices = merging.Choices({name: form[name].data for name in merging.CONTACT_FIELDS})
        other_name = other.name
        try:
            merging.merge_contacts(survivor, other, choices, by=current_user,
                                   versions=(form.version.data, form.other_version.data))
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        except (Stale, StaleDataError):
            db.session.rollback()
            org, survivor, other = _contact_pair(org_id, contact_id, other_contact_id)
            form.version.data, form.other_version.data = str(survivor.version), str(other.version)
            form.form_errors.append(_("One of these two records was changed while you were choosing. The values "
                                      "saved now are shown; check your choices and merge again."))
            return _contact_page(org, survivor, other, form, STALE_STATUS, stale=True)
        else:
            survivor = db.session.get(Contact, contact_id)
            flash(_("“%(other)s” was merged into “%(name)s”.", other=other_name, name=survivor.name), "success")
            return redirect(url_for("members.detail", org_id=org_id, _anchor="contacts"), 303)
        org, survivor, other = _contact_pair(org_id, contact_id, other_contact_id)
    return _contact_page(org, survivor, other, form, REFUSED_STATUS)


# ---------------------------------------------------------------------------------------------------------------
# Likely duplicates


DUPLICATE_KINDS = {"name": _l("Same name"), "domain": _l("Same email or website domain"),
                   "contacts": _l("Contacts of one organisation")}


@bp.route("/duplicates")
@role_required(*STAFF)
def duplicates():
    kind = request.args.get("kind", "name")
    if kind not in DUPLICATE_KINDS:
        kind = "name"
    page = page_number()
    found = {"name": merging.name_groups, "domain": merging.domain_groups,
             "contacts": merging.contact_groups}[kind](page)
    return render_template("members/duplicates.html", kind=kind, kinds=DUPLICATE_KINDS, page=found,
                           **labels.as_context())

