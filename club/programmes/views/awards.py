"""The club's recognitions: the list (filters, search, CSV export), an award's page, and the secretariat's
creating, editing and deleting of awards. Awards are public distinctions: every signed-in role but applicants
sees them (``Award.visible_to``); outside that audience, 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core import audit
from club.core.exports import table_response
from club.core.pagination import paginate
from club.core.refusals import commit_or_rerender
from club.core.spreadsheets import Column
from club.core.timezones import local_today
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import render_page_or_partial
from club.members.queries import organisation_suggestions, organisations_named
from club.permissions import Role, get_visible_or_404, is_secretariat, role_required
from club.programmes import bp
from club.programmes.forms.awards import AwardForm
from club.programmes.models import AWARD_CATEGORY_LABELS, Award
from club.programmes.queries import awards as queries
from club.programmes.services import awards as services

SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)


def _award_or_404(award_id: int) -> Award:
    return get_visible_or_404(Award, award_id)


@bp.route("/awards/")
@role_required(*SEEING)
def awards():
    filters = queries.AwardFilters.from_args(request.args)
    page = paginate(queries.award_list(filters, current_user), scalars=False, per_page=queries.PER_PAGE)
    return render_page_or_partial("programmes/awards.html", "programmes/_award_rows.html", page=page,
                                  filters=filters, filter_args=filters.args(),
                                  choices=queries.filter_choices(filters.occasion),
                                  category_labels=AWARD_CATEGORY_LABELS)


@bp.route("/awards/export.csv")
@role_required(*SEEING)
def awards_csv():
    """The filtered list as CSV (``club.core.exports``): what the list shows, every page of it."""
    return _awards_export("csv")


@bp.route("/awards/export.xlsx")
@role_required(*SEEING)
def awards_xlsx():
    """The same rows as ``awards_csv``, the dates as date cells."""
    return _awards_export("xlsx")


def _awards_export(fmt: str):
    filters = queries.AwardFilters.from_args(request.args)
    columns = [Column(_("Title")), Column(_("Category")), Column(_("Occasion")), Column(_("Date"), "date"),
               Column(_("Organisation")), Column(_("Contact")), Column(_("Person outside the register")),
               Column(_("Country")), Column(_("Mission")), Column(_("Citation"))]
    rows = ((award.title, str(AWARD_CATEGORY_LABELS[award.category]), award.occasion, award.awarded_on,
             award.organization.name if award.organization else "", award.contact.name if award.contact else "",
             award.person_name or "", award.person_country or "", mission_title or "", award.citation or "")
            for award, mission_title in queries.export_rows(filters, current_user))
    return table_response(fmt, f"awards-{local_today().isoformat()}", _("Awards"), columns, rows)


@bp.route("/awards/<int:award_id>")
@role_required(*SEEING)
def award_detail(award_id: int):
    award = _award_or_404(award_id)
    staff = is_secretariat(current_user)
    return render_template("programmes/award.html", award=award, staff=staff,
                           mission=queries.mission_of(award, current_user),
                           events=audit.events_for("awards", award.id) if staff else [],
                           action_form=ConfirmForm(), category_labels=AWARD_CATEGORY_LABELS)


@bp.route("/awards/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def award_new():
    form = AwardForm()
    if form.validate_on_submit():
        def created(award):
            flash(_("Award recorded."), "success")
            return redirect(url_for("programmes.award_detail", award_id=award.id), 303)

        return commit_or_rerender(lambda: services.create_award(form.award_data(), by=current_user), form,
                                  "programmes/award_form.html", context={"award": None}, done=created)
    status = 422 if request.method == "POST" else 200
    return render_template("programmes/award_form.html", form=form, award=None), status


@bp.route("/awards/<int:award_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def award_edit(award_id: int):
    award = _award_or_404(award_id)
    if request.method == "GET":
        form = AwardForm(data={**AwardForm.values_of(award), "version": award.version})
    else:
        form = AwardForm()
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Award saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("programmes.award_detail", award_id=award.id), 303)

        return commit_or_rerender(
            lambda: services.update_award(award, form.award_data(), version=form.version.data, by=current_user),
            form, "programmes/award_form.html", context={"award": award}, saved=AwardForm.values_of, record=award,
            done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("programmes/award_form.html", form=form, award=award), status


@bp.route("/awards/<int:award_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def award_delete(award_id: int):
    award = _award_or_404(award_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was deleted: the form had expired. Try again."), "warning")
        return redirect(url_for("programmes.award_detail", award_id=award.id), 303)
    title = award.title
    try:
        services.delete_award(award, by=current_user)
        db.session.commit()
    except StaleDataError:  # deleted (or edited) by someone else meanwhile
        db.session.rollback()
        flash(_("This award was changed or deleted meanwhile: nothing was deleted. Check it and try again."),
              "warning")
        return redirect(url_for("programmes.awards"), 303)
    flash(_("Award deleted: %(title)s.", title=title), "success")
    return redirect(url_for("programmes.awards"), 303)


@bp.route("/awards/suggestions")
@role_required(Role.SECRETARIAT)
def award_suggestions():
    """The names the award form suggests as one types (htmx swaps the field's ``<datalist>``): organisations, the
    contacts of the organisation typed, or missions."""
    field = request.args.get("field", "")
    if field == "contact":
        found = organisations_named(request.args.get("organization", ""), current_user)
        names = queries.contact_suggestions(found[0].id if len(found) == 1 else None)
    elif field == "mission":
        names = queries.mission_suggestions(request.args.get("mission", ""), current_user)
    else:
        field = "organization"
        names = organisation_suggestions(request.args.get("organization", ""), current_user)
    return render_template("programmes/_award_suggestions.html", field=field, names=names)
