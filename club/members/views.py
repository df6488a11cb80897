"""The register of organisations, the organisation page, its sections (contacts, membership, dues, jobs), import."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core import audit
from club.core.exports import csv_response
from club.core.refusals import Refused
from club.core.storage import StoredFile, UploadRefused, read_limited, store
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import is_htmx_partial, render_page_or_partial
from club.members import bp, importer, labels, queries, services
from club.members.forms import (
    CommitmentEditForm,
    CommitmentForm,
    ContactForm,
    DuesEditForm,
    DuesForm,
    ImportCommitForm,
    ImportForm,
    JobReportEditForm,
    JobReportForm,
    MembershipForm,
    OrganizationForm,
)
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    JobReport,
    MembershipStatus,
    Organization,
    PaymentMethod,
)
from club.permissions import Role, role_required

STAFF = (Role.SECRETARIAT,)
READERS = (Role.SECRETARIAT, Role.PARTNER, Role.MEMBER)
EDITORS = (Role.SECRETARIAT, Role.MEMBER)


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def _org_or_404(org_id: int) -> Organization:
    org = queries.load_organization(org_id)
    if org is None or not org.is_visible_to(current_user):
        abort(404)
    return org


def _editable_org_or_404(org_id: int) -> Organization:
    org = _org_or_404(org_id)
    if not org.can_edit(current_user):
        abort(404)
    return org


def _contact_of(org: Organization, contact_id: int) -> Contact:
    contact = next((c for c in org.contacts if c.id == contact_id), None)
    if contact is None:
        abort(404)
    return contact


def _commitment_of(org: Organization, commitment_id: int) -> JobCommitment:
    commitment = next((c for c in org.job_commitments if c.id == commitment_id), None)
    if commitment is None:
        abort(404)
    return commitment


def page_context(org: Organization, **overrides) -> dict:
    """Everything the organisation page and its fragments show, in a fixed number of queries."""
    user = current_user
    editable = org.can_edit(user)
    secretariat = user.role == Role.SECRETARIAT
    own = user.organization_id == org.id
    contacts = list(org.contacts) if org.sees_all_contacts(user) else [c for c in org.contacts if c.is_primary]
    commitments = [{"commitment": c, "created": queries.created_to_date(c)} for c in org.job_commitments]
    club_announced, club_created = queries.club_job_totals()
    current_status = org.membership.status if org.membership else None
    context = {
        "org": org,
        "contacts": contacts,
        "can_edit": editable,
        "is_secretariat": secretariat,
        "sees_dues": org.sees_dues(user),
        "sees_phones": org.sees_phones(user),
        "sees_timeline": secretariat or (own and user.role == Role.MEMBER),
        "commitments": commitments,
        "org_announced": sum(c["commitment"].jobs_announced for c in commitments),
        "org_created": sum(c["created"] for c in commitments),
        "club_announced": club_announced,
        "club_created": club_created,
        "editing_contact": None,
        "contact_form": ContactForm(formdata=None, prefix="contact") if editable else None,
        "edit_contact_form": None,
        "membership_form": MembershipForm(formdata=None, prefix="membership", current=current_status,
                                          status=(current_status or MembershipStatus.PENDING).value,
                                          tier=org.membership.tier if org.membership else None,
                                          joined_on=org.membership.joined_on if org.membership else None)
        if secretariat else None,
        "allowed_statuses": services.TRANSITIONS[current_status],
        "dues_form": DuesForm(formdata=None, prefix="dues", year=date.today().year) if secretariat else None,
        "commitment_form": CommitmentForm(formdata=None, prefix="commitment") if secretariat else None,
        "report_forms": {c.id: JobReportForm(formdata=None, prefix=f"report{c.id}") for c in org.job_commitments}
        if editable else {},
        "confirm": ConfirmForm(formdata=None),
        "notice": None,
        **labels.as_context(),
    }
    if context["sees_timeline"]:
        context["events"] = audit.events_for("organizations", org.id)
    context.update(overrides)
    return context


def _section(org: Organization, fragment: str, anchor: str, notice: str | None = None, **overrides):
    """After a section change: the fragment for htmx, a redirect (Post/Redirect/Get) otherwise."""
    if is_htmx_partial():
        response = make_response(render_template(f"members/_{fragment}.html",
                                                 **page_context(org, notice=notice, **overrides)))
        response.vary.add("HX-Request")
        return response
    if notice:
        flash(notice, "success")
    return redirect(url_for("members.detail", org_id=org.id, _anchor=anchor), 303)


def _section_errors(org: Organization, fragment: str, **overrides):
    """A section form with errors: the fragment for htmx, the whole page otherwise; nothing saved."""
    db.session.rollback()
    org = _org_or_404(org.id)
    context = page_context(org, **overrides)
    if is_htmx_partial():
        response = make_response(render_template(f"members/_{fragment}.html", **context), 422)
    else:
        response = make_response(render_template("members/detail.html", **context), 422)
    response.vary.add("HX-Request")
    return response


# ---------------------------------------------------------------------------------------------------------------
# The register


@bp.route("/")
@role_required(*READERS)
def index():
    filters = queries.RegisterFilters.from_args(request.args, may_see_archived=current_user.role == Role.SECRETARIAT)
    page = queries.register_page(filters, current_user, after=request.args.get("after"),
                                 before=request.args.get("before"), last=request.args.get("last") == "1")
    return render_page_or_partial("members/index.html", "members/_rows.html", page=page, filters=filters,
                                  filter_args=filters.args(), **labels.as_context())


EXPORT_COLUMNS = (*importer.COLUMNS, "membership_status")


@bp.route("/export.csv")
@role_required(*STAFF)
def export():
    """The filtered register as CSV (the club's one dialect: ``club.core.exports``), read in batches of 1,000."""
    filters = queries.RegisterFilters.from_args(request.args, may_see_archived=True)

    def rows():
        result = queries.export_rows(filters, current_user)
        try:
            for batch in result.partitions(1000):
                lists = queries.trades_and_languages([row[0].id for row in batch])
                # trades and languages: one more query per batch of 1,000 rows
                for org, status, contact_name, contact_email, contact_title, contact_phone in batch:
                    trades, languages = lists.get(org.id, ([], []))
                    yield (org.name, org.kind.value, org.ice, org.city, org.province.value if org.province else None,
                           org.site.value if org.site else None, "|".join(trades), "|".join(languages),
                           org.headcount, org.website, org.email, org.phone, org.description, contact_name,
                           contact_title, contact_email, contact_phone, status.value if status else None)
        finally:
            result.close()

    return csv_response(f"members-{date.today().isoformat()}.csv", EXPORT_COLUMNS, rows())


# ---------------------------------------------------------------------------------------------------------------
# Create, edit, archive


def _conflict(org: Organization, form: OrganizationForm) -> list[dict]:
    """Fields where the saved record (theirs) and the submitted form (yours) differ."""
    rows = []
    for name in (*services.PROFILE_FIELDS, "trades", "languages"):
        theirs = getattr(org, name) if name not in ("trades", "languages") else \
            sorted(v.value for v in (org.trade_values if name == "trades" else org.language_values))
        yours = getattr(form, name).data
        if name in ("trades", "languages"):
            yours = sorted(yours or [])
        theirs_plain = theirs.value if hasattr(theirs, "value") else theirs
        if (theirs_plain or None) != (yours or None):
            rows.append({"label": getattr(form, name).label.text, "theirs": theirs_plain, "yours": yours})
    return rows


def _profile_data(org: Organization) -> dict:
    """The profile as the edit form shows it: every field as a plain value, choices as their codes."""
    data = {name: getattr(org, name) for name in services.PROFILE_FIELDS}
    data.update(kind=org.kind.value, province=org.province.value if org.province else "",
                site=org.site.value if org.site else "", trades=sorted(t.value for t in org.trade_values),
                languages=sorted(v.value for v in org.language_values), version=org.version)
    return data


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def new():
    form = OrganizationForm()
    duplicate = None
    if form.validate_on_submit():
        try:
            org = services.create_organization(form.data_for_service(), by=current_user)
        except services.Duplicate as exc:
            duplicate = exc.existing
        else:
            try:
                db.session.commit()
            except sa.exc.IntegrityError:
                db.session.rollback()
                duplicate = services.find_duplicate(form.name.data, form.ice.data)
                form.name.errors.append(_("An organisation with this name or ICE already exists."))
            else:
                flash(_("%(name)s was added to the register.", name=org.name), "success")
                return redirect(url_for("members.detail", org_id=org.id), 303)
    return render_template("members/form.html", form=form, org=None, duplicate=duplicate, conflict=None), \
        422 if request.method == "POST" else 200


@bp.route("/<int:org_id>")
@role_required(*READERS)
def detail(org_id: int):
    org = _org_or_404(org_id)
    response = make_response(render_template("members/detail.html", **page_context(org)))
    return response


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def edit(org_id: int):
    org = _editable_org_or_404(org_id)
    if request.method == "GET":
        # ``data``, not ``obj``: the model's ``trades``/``languages`` are association rows, which WTForms would
        # take over the plain values and so pre-select nothing (an untouched save then wiped both lists).
        form = OrganizationForm(formdata=None, data=_profile_data(org))
    else:
        form = OrganizationForm()
    duplicate = conflict = None
    if form.validate_on_submit():
        if str(form.version.data) != str(org.version):
            conflict = _conflict(org, form)
            form.version.data = org.version  # sending again replaces their version with yours, knowingly
        else:
            try:
                changes = services.update_organization(org, form.data_for_service(), by=current_user)
                db.session.commit()
            except services.Duplicate as exc:
                db.session.rollback()
                duplicate = exc.existing
            except StaleDataError:
                db.session.rollback()
                org = _editable_org_or_404(org_id)
                conflict = _conflict(org, form)
                form.version.data = org.version
            except sa.exc.IntegrityError:
                db.session.rollback()
                form.name.errors.append(_("An organisation with this name or ICE already exists."))
            else:
                flash(_("Profile saved.") if changes else _("Nothing to change."), "success" if changes else "info")
                return redirect(url_for("members.detail", org_id=org.id), 303)
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    return render_template("members/form.html", form=form, org=org, duplicate=duplicate, conflict=conflict), status


@bp.route("/<int:org_id>/archive", methods=["POST"])
@role_required(*STAFF)
def archive(org_id: int):
    org = _org_or_404(org_id)
    if ConfirmForm().validate_on_submit():
        services.archive_organization(org, by=current_user)
        db.session.commit()
        flash(_("%(name)s is archived: it left the register and can be restored.", name=org.name), "success")
    return redirect(url_for("members.detail", org_id=org.id), 303)


@bp.route("/<int:org_id>/restore", methods=["POST"])
@role_required(*STAFF)
def restore(org_id: int):
    org = _org_or_404(org_id)
    if ConfirmForm().validate_on_submit():
        services.restore_organization(org, by=current_user)
        db.session.commit()
        flash(_("%(name)s is back in the register.", name=org.name), "success")
    return redirect(url_for("members.detail", org_id=org.id), 303)


# ---------------------------------------------------------------------------------------------------------------
# Contacts (in place with htmx, whole pages without JavaScript)


@bp.route("/<int:org_id>/contacts")
@role_required(*READERS)
def contacts(org_id: int):
    org = _org_or_404(org_id)
    return render_page_or_partial("members/detail.html", "members/_contacts.html", **page_context(org))


@bp.route("/<int:org_id>/contacts/new", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def contact_new(org_id: int):
    org = _editable_org_or_404(org_id)
    form = ContactForm(prefix="contact")
    if form.validate_on_submit():
        try:
            # the service locks the organisation, then refuses a second contact of the same name (a double
            # submit, a duplicate); the one-primary index and the version columns stay as backstops
            contact = services.add_contact(org, form.data_for_service(), by=current_user)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        except (sa.exc.IntegrityError, StaleDataError):
            db.session.rollback()
            form.name.errors.append(_("Someone changed the contacts at the same moment: check the list and try "
                                      "again."))
        else:
            return _section(org, "contacts", "contacts", _("%(name)s was added.", name=contact.name))
        org = _editable_org_or_404(org_id)
    if request.method == "POST":
        if is_htmx_partial():
            return _section_errors(org, "contacts", contact_form=form)
        return render_template("members/contact_form.html", org=org, form=form, contact=None), 422
    return render_template("members/contact_form.html", org=org, form=form, contact=None)


@bp.route("/<int:org_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def contact_edit(org_id: int, contact_id: int):
    org = _editable_org_or_404(org_id)
    contact = _contact_of(org, contact_id)
    prefix = f"contact{contact.id}"
    form = ContactForm(prefix=prefix) if request.method == "POST" else \
        ContactForm(formdata=None, prefix=prefix, obj=contact, version=contact.version)
    conflict = False
    if form.validate_on_submit():
        if str(form.version.data) != str(contact.version):
            conflict = True
            form.version.data = contact.version
        else:
            try:
                changes = services.update_contact(contact, form.data_for_service(), by=current_user)
                db.session.commit()
            except Refused as exc:
                db.session.rollback()
                form.name.errors.append(str(exc))
                org = _editable_org_or_404(org_id)
                contact = _contact_of(org, contact_id)
            except sa.exc.IntegrityError:
                db.session.rollback()
                org = _editable_org_or_404(org_id)
                contact = _contact_of(org, contact_id)
                conflict = True
                form.version.data = contact.version
            except StaleDataError:
                db.session.rollback()
                org = _editable_org_or_404(org_id)
                contact = _contact_of(org, contact_id)
                conflict = True
                form.version.data = contact.version
            else:
                return _section(org, "contacts", "contacts",
                                _("%(name)s was updated.", name=contact.name) if changes else None)
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    if is_htmx_partial():
        if request.method == "POST":
            db.session.rollback()
            org = _editable_org_or_404(org_id)
            contact = _contact_of(org, contact_id)
        response = make_response(render_template(
            "members/_contacts.html",
            **page_context(org, editing_contact=contact.id, edit_contact_form=form, contact_conflict=conflict,
                           saved_contact=contact)), status)
        response.vary.add("HX-Request")
        return response
    return render_template("members/contact_form.html", org=org, form=form, contact=contact,
                           conflict=conflict), status


@bp.route("/<int:org_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def contact_delete(org_id: int, contact_id: int):
    org = _editable_org_or_404(org_id)
    _contact_of(org, contact_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)
        contact = next((c for c in org.contacts if c.id == contact_id), None)
        if contact is None:
            return _section(org, "contacts", "contacts", _("Already deleted."))
        name = contact.name
        services.remove_contact(contact, by=current_user)
        db.session.commit()
        return _section(org, "contacts", "contacts", _("%(name)s was removed.", name=name))
    return _section(org, "contacts", "contacts")


# ---------------------------------------------------------------------------------------------------------------
# Membership and dues (secretariat)


@bp.route("/<int:org_id>/membership", methods=["POST"])
@form_view
@role_required(*STAFF)
def membership(org_id: int):
    org = _org_or_404(org_id)
    current = org.membership.status if org.membership else None
    form = MembershipForm(prefix="membership", current=current)
    if form.validate_on_submit():
        def state():
            m = org.membership
            return (m.status, m.tier, m.joined_on) if m else None

        services.lock_organization(org)  # what this request changes, not what a simultaneous one did
        before = state()
        services.change_membership(org, MembershipStatus(form.status.data), tier=form.tier.data,
                                   joined_on=form.joined_on.data, note=form.note.data, by=current_user)
        changed = state() != before or bool(form.note.data)
        db.session.commit()
        return _section(org, "membership", "membership", _("Membership saved.") if changed else _("Nothing to change."))
    return _section_errors(org, "membership", membership_form=form)


@bp.route("/<int:org_id>/dues", methods=["POST"])
@form_view
@role_required(*STAFF)
def dues(org_id: int):
    org = _org_or_404(org_id)
    form = DuesForm(prefix="dues")
    if form.validate_on_submit():
        try:
            services.record_dues(org, form.year.data, amount=form.amount.data, invoiced_on=form.invoiced_on.data,
                                 paid_on=form.paid_on.data,
                                 method=PaymentMethod(form.method.data) if form.method.data else None,
                                 by=current_user)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            form.year.errors.append(str(exc))
        except sa.exc.IntegrityError:  # the unique (organisation, year) constraint, behind the lock
            db.session.rollback()
            form.year.errors.append(_("The dues for %(year)s are already recorded: correct them in the table "
                                      "above.", year=form.year.data))
        else:
            return _section(org, "dues", "dues", _("Dues for %(year)s saved.", year=form.year.data))
    return _section_errors(org, "dues", dues_form=form)


# ---------------------------------------------------------------------------------------------------------------
# Corrections of dues, commitments and job reports (a page each, so they work without JavaScript)


def _shown(value) -> str:
    """A value as the conflict table shows it, in the reader's language."""
    from decimal import Decimal

    from flask_babel import format_date, format_decimal

    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.00")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, PaymentMethod):
        return labels.as_context()["method_labels"][value.value]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _record_edit(org: Organization, record, form, *, fields: tuple[str, ...], token, reload, save, title: str,
                 anchor: str, delete_url: str, refusal_field: str, saved: str):
    """GET: the correction form. POST: save it (303 to the organisation page), or re-render it with the input
    kept: 422 with field errors, 409 with both versions when someone saved the record meanwhile."""
    conflict = None
    if request.method == "POST" and form.validate_on_submit():
        if str(form.version.data) != token(record):
            conflict = record
        else:
            try:
                changes = save(record, {name: getattr(form, name).data for name in fields})
                db.session.commit()
            except Refused as exc:
                db.session.rollback()
                record = reload()
                getattr(form, refusal_field).errors.append(str(exc))
            except StaleDataError:
                db.session.rollback()
                conflict = record = reload()
            else:
                flash(saved if changes else _("Nothing to change."), "success" if changes else "info")
                return redirect(url_for("members.detail", org_id=org.id, _anchor=anchor), 303)
    rows = None
    if conflict is not None:
        rows = []
        for name in fields:
            theirs, yours = getattr(record, name), getattr(form, name).data
            if name == "method":
                yours = PaymentMethod(yours) if yours else None
            if (theirs if theirs not in ("",) else None) != (yours if yours not in ("",) else None):
                rows.append({"label": getattr(form, name).label.text, "theirs": _shown(theirs), "yours": _shown(yours)})
        form.version.data = token(record)  # saving again now replaces theirs, knowingly
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    return render_template("members/record_edit.html", org=org, form=form, title=title, conflict=rows,
                           anchor=anchor, delete_url=delete_url, confirm=ConfirmForm(formdata=None)), status


def _dues_of(org: Organization, dues_id: int) -> Dues:
    dues = next((d for d in org.dues if d.id == dues_id), None)
    if dues is None:
        abort(404)
    return dues


def _report_of(commitment: JobCommitment, report_id: int) -> JobReport:
    report = next((r for r in commitment.reports if r.id == report_id), None)
    if report is None:
        abort(404)
    return report


def _version(record) -> str:
    return str(record.version)


def _report_token(report: JobReport) -> str:
    return report.updated_at.isoformat()


@bp.route("/<int:org_id>/dues/<int:dues_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def dues_edit(org_id: int, dues_id: int):
    org = _org_or_404(org_id)
    record = _dues_of(org, dues_id)
    if request.method == "GET":
        form = DuesEditForm(formdata=None, prefix="dues", obj=record, method=record.method.value if record.method
                            else "", version=record.version)
        form.method.data = record.method.value if record.method else ""
    else:
        form = DuesEditForm(prefix="dues")

    def save(dues, data):
        data["method"] = PaymentMethod(data["method"]) if data["method"] else None
        return services.update_dues(dues, data, by=current_user)

    return _record_edit(org, record, form, fields=services.DUES_FIELDS, token=_version,
                        reload=lambda: _dues_of(_org_or_404(org_id), dues_id), save=save,
                        title=_("Correct the dues for %(year)s", year=record.year), anchor="dues",
                        delete_url=url_for("members.dues_delete", org_id=org.id, dues_id=record.id),
                        refusal_field="amount", saved=_("Dues for %(year)s corrected.", year=record.year))


@bp.route("/<int:org_id>/dues/<int:dues_id>/delete", methods=["POST"])
@role_required(*STAFF)
def dues_delete(org_id: int, dues_id: int):
    org = _org_or_404(org_id)
    _dues_of(org, dues_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)  # a double click deletes once; the second finds it gone
        record = next((d for d in org.dues if d.id == dues_id), None)
        if record is None:
            return _section(org, "dues", "dues", _("Already deleted."))
        year = record.year
        services.delete_dues(record, by=current_user)
        db.session.commit()
        return _section(_org_or_404(org_id), "dues", "dues", _("Dues for %(year)s deleted.", year=year))
    return _section(org, "dues", "dues")


# ---------------------------------------------------------------------------------------------------------------
# Jobs


@bp.route("/<int:org_id>/commitments", methods=["POST"])
@form_view
@role_required(*STAFF)
def commitment_new(org_id: int):
    org = _org_or_404(org_id)
    form = CommitmentForm(prefix="commitment")
    if form.validate_on_submit():
        try:
            services.add_commitment(org, jobs_announced=form.jobs_announced.data, horizon=form.horizon.data,
                                    announced_on=form.announced_on.data, source=form.source.data, by=current_user)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            form.jobs_announced.errors.append(str(exc))
        else:
            return _section(_org_or_404(org_id), "jobs", "jobs", _("Commitment recorded."))
    return _section_errors(org, "jobs", commitment_form=form)


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def commitment_edit(org_id: int, commitment_id: int):
    org = _org_or_404(org_id)
    record = _commitment_of(org, commitment_id)
    form = CommitmentEditForm(prefix="commitment", commitment=record) if request.method == "POST" else \
        CommitmentEditForm(formdata=None, prefix="commitment", obj=record, commitment=record)
    return _record_edit(org, record, form, fields=services.COMMITMENT_FIELDS, token=_version,
                        reload=lambda: _commitment_of(_org_or_404(org_id), commitment_id),
                        save=lambda c, data: services.update_commitment(c, data, by=current_user),
                        title=_("Correct a job commitment"), anchor=f"commitment-{record.id}",
                        delete_url=url_for("members.commitment_delete", org_id=org.id, commitment_id=record.id),
                        refusal_field="announced_on", saved=_("Commitment corrected."))


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/delete", methods=["POST"])
@role_required(*STAFF)
def commitment_delete(org_id: int, commitment_id: int):
    org = _org_or_404(org_id)
    _commitment_of(org, commitment_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)
        record = next((c for c in org.job_commitments if c.id == commitment_id), None)
        if record is None:
            return _section(org, "jobs", "jobs", _("Already deleted."))
        services.delete_commitment(record, by=current_user)
        db.session.commit()
        return _section(_org_or_404(org_id), "jobs", "jobs", _("Commitment deleted."))
    return _section(org, "jobs", "jobs")


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/reports", methods=["POST"])
@form_view
@role_required(*EDITORS)
def report_new(org_id: int, commitment_id: int):
    org = _editable_org_or_404(org_id)
    commitment = _commitment_of(org, commitment_id)
    form = JobReportForm(prefix=f"report{commitment.id}", commitment=commitment)
    if form.validate_on_submit():
        try:
            services.add_job_report(commitment, reported_on=form.reported_on.data,
                                    jobs_created=form.jobs_created.data, note=form.note.data, by=current_user)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            form.reported_on.errors.append(str(exc))
        else:
            return _section(_org_or_404(org_id), "jobs", "jobs", _("Job report recorded."))
    report_forms = {c.id: (form if c.id == commitment.id else JobReportForm(formdata=None, prefix=f"report{c.id}"))
                    for c in org.job_commitments}
    return _section_errors(org, "jobs", report_forms=report_forms)


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def report_edit(org_id: int, commitment_id: int, report_id: int):
    org = _editable_org_or_404(org_id)
    commitment = _commitment_of(org, commitment_id)
    record = _report_of(commitment, report_id)
    if request.method == "POST":
        form = JobReportEditForm(prefix="report", commitment=commitment, current_jobs=record.jobs_created)
    else:
        form = JobReportEditForm(formdata=None, prefix="report", obj=record, commitment=commitment,
                                 current_jobs=record.jobs_created, version=_report_token(record))
        form.version.data = _report_token(record)

    def reload():
        return _report_of(_commitment_of(_editable_org_or_404(org_id), commitment_id), report_id)

    return _record_edit(org, record, form, fields=services.REPORT_FIELDS, token=_report_token, reload=reload,
                        save=lambda r, data: services.update_job_report(r, data, by=current_user),
                        title=_("Correct a job report"), anchor=f"commitment-{commitment.id}",
                        delete_url=url_for("members.report_delete", org_id=org.id, commitment_id=commitment.id,
                                           report_id=record.id),
                        refusal_field="reported_on", saved=_("Job report corrected."))


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/reports/<int:report_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def report_delete(org_id: int, commitment_id: int, report_id: int):
    org = _editable_org_or_404(org_id)
    _report_of(_commitment_of(org, commitment_id), report_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)
        commitment = next((c for c in org.job_commitments if c.id == commitment_id), None)
        record = next((r for r in commitment.reports if r.id == report_id), None) if commitment else None
        if record is None:
            return _section(org, "jobs", "jobs", _("Already deleted."))
        services.delete_job_report(record, by=current_user)
        db.session.commit()
        return _section(_org_or_404(org_id), "jobs", "jobs", _("Job report deleted."))
    return _section(org, "jobs", "jobs")


# ---------------------------------------------------------------------------------------------------------------
# CSV import (secretariat)


def _stored_import(key: str | None) -> StoredFile | None:
    if not key:
        return None
    stored = db.session.scalar(sa.select(StoredFile).where(StoredFile.key == key, StoredFile.kind == "csv"))
    if stored is None or stored.uploaded_by_id != current_user.id:
        return None
    return stored


def _read_stored(stored: StoredFile) -> bytes:
    from club.core.storage import _root

    with open(_root() / stored.key[:2] / stored.key, "rb") as fh:
        return fh.read()


def _render_import(form, check, stored, *, commit_form=None, page: int = 1, confirmed=frozenset(), status: int = 200):
    if stored is not None and commit_form is None:
        commit_form = ImportCommitForm(formdata=None, upload=stored.key)
    page = min(max(page, 1), check.page_count) if check else 1
    response = make_response(render_template(
        "members/import.html", form=form, check=check, stored=stored, commit_form=commit_form, page=page,
        confirmed=confirmed, columns=importer.COLUMNS, field_labels=importer.FIELD_LABELS,
        contact_labels=importer.CONTACT_LABELS, **labels.as_context()), status)
    if stored is not None:
        # A boosted preview keeps the address of the upload page: reloading it never asks for a POST-only URL.
        response.headers["HX-Push-Url"] = "false"
    return response


@bp.route("/import", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def import_upload():
    form = ImportForm()
    check = stored = None
    if form.validate_on_submit():
        data = read_limited(form.file.data, importer.MAX_BYTES)
        try:
            stored = store(data, form.file.data.filename, kinds={"csv"}, max_size=importer.MAX_BYTES,
                           by=current_user)
        except UploadRefused as exc:
            form.file.errors.append(exc.message)
        else:
            check = importer.check(data)
            if check.problem:
                db.session.rollback()
                form.file.errors.append(check.problem)
                check = stored = None
            else:
                db.session.commit()
    return _render_import(form, check, stored)


@bp.route("/import/commit", methods=["POST"])
@form_view
@role_required(*STAFF)
def import_commit():
    """The preview's form: a page button moves in the preview (ticks kept, nothing saved), "Import" commits.

    The commit checks the whole file again with the ticks: a match left unticked, or ticked for a record that
    changed since, is a row error and nothing is saved.
    """
    form = ImportCommitForm()
    valid = form.validate_on_submit()
    stored = _stored_import(form.upload.data)
    if stored is None:
        flash(_("That upload is no longer available: choose the file again."), "warning")
        return redirect(url_for("members.import_upload"), 303)
    confirmed = importer.tokens(request.form.getlist("confirm"))
    page = importer.page_number(request.form.get("page"))
    data = _read_stored(stored)
    if not valid or page is not None or request.form.get("action") != "commit":
        check = importer.check(data, confirmed)
        if valid and request.args.get("tick") == "page" and page is not None:
            # "Tick every row of this page": the rows the person has in front of them, nothing beyond.
            confirmed = confirmed | {r.token for r in check.page(page) if r.status == importer.Status.CONFIRM}
            check = importer.check(data, confirmed)
        return _render_import(ImportForm(formdata=None), check, stored, commit_form=form, page=page or 1,
                              confirmed=confirmed, status=200 if valid else 400)
    check = importer.check(data, confirmed, final=True)
    if not check.ok:
        first = check.page_of(check.errors[0].row) if check.errors else 1
        return _render_import(ImportForm(formdata=None), check, stored, commit_form=form, page=first,
                              confirmed=confirmed, status=422)
    try:
        result = services.apply_import(check.items, by=current_user, source=stored)
        db.session.commit()
    except (sa.exc.IntegrityError, StaleDataError):
        db.session.rollback()
        form.form_errors.append(_("The register changed while importing: nothing was saved. Check the preview "
                                  "again."))
        check = importer.check(data, confirmed)
        return _render_import(ImportForm(formdata=None), check, _stored_import(stored.key), commit_form=form,
                              confirmed=confirmed, status=409)
    flash(importer.done_message(result), "success")
    return redirect(url_for("members.index"), 303)


@bp.route("/import/template.csv")
@role_required(*STAFF)
def import_template():
    response = make_response(importer.template_csv())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="members-import-template.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
