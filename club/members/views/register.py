"""The register: its list and its export (CSV, XLSX), the organisation page, adding, editing, archiving and restoring."""

from __future__ import annotations

from datetime import date

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.exports import table_response
from club.core.refusals import commit_or_rerender
from club.core.spreadsheets import Column
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import render_page_or_partial
from club.members import bp, importer, labels, queries, services
from club.members.forms import OrganizationForm
from club.members.models import Organization
from club.members.views.common import (
    EDITORS,
    READERS,
    STAFF,
    editable_org_or_404,
    org_or_404,
    page_context,
    phone_for_form,
)
from club.permissions import Role, role_required


@bp.route("/")
@role_required(*READERS)
def index():
    filters = queries.RegisterFilters.from_args(request.args, may_see_archived=current_user.role == Role.SECRETARIAT)
    page = queries.register_page(filters, current_user, after=request.args.get("after"),
                                 before=request.args.get("before"), last=request.args.get("last") == "1")
    return render_page_or_partial("members/index.html", "members/_rows.html", page=page, filters=filters,
                                  filter_args=filters.args(), **labels.as_context())


EXPORT_COLUMNS = (*importer.COLUMNS, "membership_status")
# The import's own column names in both files (the CSV is re-importable as it is); the headcount is a number.
EXPORT_SHEET = tuple(Column(name, "int" if name == "headcount" else "text") for name in EXPORT_COLUMNS)


@bp.route("/export.csv")
@role_required(*STAFF)
def export():
    """The filtered register as CSV (the club's one dialect: ``club.core.exports``), read in batches of 1,000."""
    return _export("csv")


@bp.route("/export.xlsx")
@role_required(*STAFF)
def export_xlsx():
    """The same rows as ``export``, as a sheet of typed cells."""
    return _export("xlsx")


def _export(fmt: str):
    filters = queries.RegisterFilters.from_args(request.args, may_see_archived=True)
    ids = queries.ids_arg(request.args)  # a selection of the filtered list (the bulk actions' export)

    def rows():
        result = queries.export_rows(filters, current_user, ids=ids)
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

    return table_response(fmt, f"members-{date.today().isoformat()}", _("Members"), EXPORT_SHEET, rows())


# ---------------------------------------------------------------------------------------------------------------
# Create, edit, archive


def saved_profile(org: Organization) -> dict:
    """The profile as the form holds it: every field a plain value, choices as their codes (no version)."""
    data = {name: getattr(org, name) for name in services.PROFILE_FIELDS}
    data.update(kind=org.kind.value, province=org.province.value if org.province else "",
                site=org.site.value if org.site else "", trades=sorted(t.value for t in org.trade_values),
                languages=sorted(v.value for v in org.language_values))
    return data


def _noting_duplicate(form: OrganizationForm, action):
    """``action``, and on a duplicate, the record it duplicates kept on the form (the page links to it)."""

    def run():
        try:
            return action()
        except services.Duplicate as duplicate:
            form.duplicate = duplicate.existing
            raise

    return run


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def new():
    form = OrganizationForm()
    if form.validate_on_submit():
        def added(org):
            flash(_("%(name)s was added to the register.", name=org.name), "success")
            return redirect(url_for("members.detail", org_id=org.id), 303)

        return commit_or_rerender(
            _noting_duplicate(form, lambda: services.create_organization(form.data_for_service(), by=current_user)),
            form, "members/form.html", context={"org": None}, done=added)
    return render_template("members/form.html", form=form, org=None), 422 if request.method == "POST" else 200


@bp.route("/<int:org_id>")
@role_required(*READERS)
def detail(org_id: int):
    org = org_or_404(org_id)
    return make_response(render_template("members/detail.html", **page_context(org)))


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def edit(org_id: int):
    org = editable_org_or_404(org_id)
    if request.method == "GET":
        # ``data``, not ``obj``: the model's ``trades``/``languages`` are association rows, which WTForms would
        # take over the plain values and so pre-select nothing (an untouched save then wiped both lists).
        form = OrganizationForm(formdata=None, data={**saved_profile(org), "phone": phone_for_form(org.phone),
                                                     "version": org.version})
    else:
        form = OrganizationForm()
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Profile saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("members.detail", org_id=org.id), 303)

        return commit_or_rerender(
            _noting_duplicate(form, lambda: services.update_organization(
                org, form.data_for_service(), version=form.version.data, by=current_user)),
            form, "members/form.html", context={"org": org}, saved=saved_profile, record=org, done=saved)
    return render_template("members/form.html", form=form, org=org), 422 if request.method == "POST" else 200


@bp.route("/<int:org_id>/archive", methods=["POST"])
@role_required(*STAFF)
def archive(org_id: int):
    org = org_or_404(org_id)
    if ConfirmForm().validate_on_submit():
        services.archive_organization(org, by=current_user)
        db.session.commit()
        flash(_("%(name)s is archived: it left the register and can be restored.", name=org.name), "success")
    return redirect(url_for("members.detail", org_id=org.id), 303)


@bp.route("/<int:org_id>/restore", methods=["POST"])
@role_required(*STAFF)
def restore(org_id: int):
    org = org_or_404(org_id)
    if ConfirmForm().validate_on_submit():
        services.restore_organization(org, by=current_user)
        db.session.commit()
        flash(_("%(name)s is back in the register.", name=org.name), "success")
    return redirect(url_for("members.detail", org_id=org.id), 303)
