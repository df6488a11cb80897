"""views of the programmes domain: beneficiaries one by one (list, export, enrolment, the person's page, edits,
steps, placements, counting a placement in the employer's jobs).

Only the secretariat and the people of the programme's lead organisation reach them (``Programme.led_by``); anyone
else, a partner of the programme included, gets 404 on every route here (partners see aggregates on the programme
page). Counting a placement in a company's job reports is the secretariat's decision.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from club.core import audit
from club.core.exports import table_response
from club.core.pagination import paginate
from club.core.refusals import REFUSED_STATUS, Refused, commit_or_rerender, refuse_at
from club.core.spreadsheets import Column
from club.core.timezones import local_today
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import render_page_or_partial
from club.members import phones
from club.members.queries import organisation_suggestions
from club.permissions import Role, is_secretariat, role_required
from club.programmes import bp
from club.programmes.forms.beneficiaries import BeneficiaryForm, PlacementForm, StepForm
from club.programmes.models import (
    AGE_BAND_LABELS,
    BENEFICIARY_STATUS_LABELS,
    GENDER_LABELS,
    Beneficiary,
    BeneficiaryStatus,
    Programme,
)
from club.programmes.queries import beneficiaries as queries
from club.programmes.services import beneficiaries as services

STEP_LABELS = {
    BeneficiaryStatus.IN_TRAINING: _l("Training started"),
    BeneficiaryStatus.TRAINED: _l("Training completed"),
    BeneficiaryStatus.LEFT: _l("Left the programme"),
}
SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)  # then 404 unless the secretariat or the programme's lead
PER_PAGE = 50


def programme_led_or_404(programme_id: int) -> Programme:
    programme = queries.led_programme(programme_id, current_user)
    if programme is None:
        abort(404)
    return programme


def beneficiary_or_404(programme: Programme, beneficiary_id: int) -> Beneficiary:
    beneficiary = queries.beneficiary_in(programme, beneficiary_id, current_user)
    if beneficiary is None:
        abort(404)
    return beneficiary


def _to_page(programme: Programme, beneficiary: Beneficiary):
    return redirect(url_for("programmes.beneficiary", programme_id=programme.id, beneficiary_id=beneficiary.id), 303)


def _with_every_problem(form, action):
    """Run ``action``; a refusal naming several fields puts each message at its field (the first one is put by
    ``commit_or_rerender``)."""
    def run():
        try:
            return action()
        except Refused as refused:
            for name, message in refused.problems.items():
                if name != refused.field and name in form._fields:
                    form[name].errors = [*form[name].errors, message]
            raise
    return run


# --- the list and its export ---------------------------------------------------------------------------------

@bp.route("/<int:programme_id>/beneficiaries")
@role_required(*SEEING)
def beneficiaries(programme_id: int):
    programme = programme_led_or_404(programme_id)
    filters = queries.Filters.from_args(request.args)
    page = paginate(queries.beneficiary_list(programme.id, filters), per_page=PER_PAGE)
    return render_page_or_partial(
        "programmes/beneficiaries.html", "programmes/_beneficiary_rows.html", programme=programme, page=page,
        filters=filters, counts=_counts(programme.id, filters), communes=queries.communes(programme.id),
        status_labels=BENEFICIARY_STATUS_LABELS, gender_labels=GENDER_LABELS, age_band_labels=AGE_BAND_LABELS,
        open=_is_open(programme))


def _counts(programme_id: int, filters):
    counts = queries.status_counts(programme_id, filters)
    return {"by_status": counts, "total": sum(counts.values())}


def _is_open(programme: Programme) -> bool:
    return programme.state not in services.CLOSED_STATES


@bp.route("/<int:programme_id>/beneficiaries.csv")
@role_required(*SEEING)
def beneficiaries_csv(programme_id: int):
    """The (filtered) people with their personal data: the secretariat's and the lead's only (law 09-08)."""
    return _beneficiaries_export(programme_id, "csv")


@bp.route("/<int:programme_id>/beneficiaries.xlsx")
@role_required(*SEEING)
def beneficiaries_xlsx(programme_id: int):
    """The same rows as ``beneficiaries_csv``, the dates as date cells (same audience)."""
    return _beneficiaries_export(programme_id, "xlsx")


def _beneficiaries_export(programme_id: int, fmt: str):
    programme = programme_led_or_404(programme_id)
    filters = queries.Filters.from_args(request.args)
    columns = [Column(_("Name")), Column(_("Birth year"), "year"), Column(_("Age band")), Column(_("Gender")),
               Column(_("Commune")), Column(_("Phone")), Column(_("Email")), Column(_("Consent given on"), "date"),
               Column(_("Status")), Column(_("Enrolled on"), "date"), Column(_("Trained on"), "date"),
               Column(_("Placed on"), "date"), Column(_("Employer")), Column(_("Employer in the register")),
               Column(_("Left on"), "date"), Column(_("Counted in the employer's jobs"))]
    return table_response(fmt, f"programme-{programme.id}-beneficiaries-{local_today().isoformat()}",
                          _("Beneficiaries"), columns, (
        (b.name, b.birth_year, str(AGE_BAND_LABELS[b.age_band]) if b.age_band else "",
         str(GENDER_LABELS[b.gender]), b.commune or "", phones.display(b.phone), b.email or "",
         b.consent_on, str(b.status_label), b.enrolled_on, b.trained_on, b.placed_on,
         b.employer_name or "", (_("yes") if b.placed_organization_id else _("no")) if b.placed_on else "",
         b.left_on, _("yes") if b.counted_report_id else "")
        for b in queries.export_rows(programme.id, filters)))


# --- enrolment and edits -------------------------------------------------------------------------------------

@bp.route("/<int:programme_id>/beneficiaries/new", methods=["GET", "POST"])
@form_view
@role_required(*SEEING)
def beneficiary_new(programme_id: int):
    programme = programme_led_or_404(programme_id)
    form = BeneficiaryForm()
    context = {"programme": programme, "beneficiary": None, "open": _is_open(programme)}
    if form.validate_on_submit():
        def enrolled(beneficiary):
            flash(_("%(name)s is enrolled.", name=beneficiary.name), "success")
            if request.form.get("then") == "another":
                return redirect(url_for("programmes.beneficiary_new", programme_id=programme.id), 303)
            return _to_page(programme, beneficiary)

        return commit_or_rerender(
            _with_every_problem(form, lambda: services.enrol(programme, form.person_data(), by=current_user)),
            form, "programmes/beneficiary_form.html", context=context, done=enrolled)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/beneficiary_form.html", form=form, **context), status


@bp.route("/<int:programme_id>/beneficiaries/<int:beneficiary_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*SEEING)
def beneficiary_edit(programme_id: int, beneficiary_id: int):
    programme = programme_led_or_404(programme_id)
    beneficiary = beneficiary_or_404(programme, beneficiary_id)
    if request.method == "GET":
        form = BeneficiaryForm(data={**BeneficiaryForm.values_of(beneficiary), "version": beneficiary.version})
    else:
        form = BeneficiaryForm()
    context = {"programme": programme, "beneficiary": beneficiary, "open": _is_open(programme)}
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return _to_page(programme, beneficiary)

        return commit_or_rerender(
            _with_every_problem(form, lambda: services.update(beneficiary, form.person_data(),
                                                              version=form.version.data, by=current_user)),
            form, "programmes/beneficiary_form.html", context=context, saved=BeneficiaryForm.values_of,
            record=beneficiary, done=saved)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/beneficiary_form.html", form=form, **context), status


# --- the person's page: steps, placement, counting in the employer's jobs -------------------------------------

def _detail(programme: Programme, beneficiary: Beneficiary, *, step_form=None, place_form=None, count_form=None,
            status: int = 200):
    staff = is_secretariat(current_user)
    count_form = count_form or ConfirmForm(formdata=None, prefix="count")
    commitment = None
    if staff and services.countable(beneficiary):
        commitment = services.latest_commitment(beneficiary.placed_organization_id)
    place_form = place_form or PlacementForm(formdata=None)
    place_form.employer.render_kw = {
        "list": "employer-options", "autocomplete": "off",
        "hx-get": url_for("programmes.beneficiary_employers", programme_id=programme.id),
        "hx-trigger": "input changed delay:300ms", "hx-target": "#employer-options", "hx-swap": "innerHTML"}
    response = make_response(render_template(
        "programmes/beneficiary.html", programme=programme, beneficiary=beneficiary, staff=staff,
        open=_is_open(programme), step_form=step_form or StepForm(formdata=None),
        steps=[s for s in beneficiary.next_statuses if s != BeneficiaryStatus.PLACED], step_labels=STEP_LABELS,
        placeable=BeneficiaryStatus.PLACED in beneficiary.next_statuses,
        place_form=place_form, count_form=count_form, commitment=commitment,
        countable=staff and services.countable(beneficiary),
        events=audit.events_for(Beneficiary.__tablename__, beneficiary.id),
        gender_labels=GENDER_LABELS, age_band_labels=AGE_BAND_LABELS, phone=phones.display), status)
    return response


@bp.route("/<int:programme_id>/beneficiaries/<int:beneficiary_id>")
@role_required(*SEEING)
def beneficiary(programme_id: int, beneficiary_id: int):
    programme = programme_led_or_404(programme_id)
    return _detail(programme, beneficiary_or_404(programme, beneficiary_id))


def _refused_on_page(programme, beneficiary_id, refused: Refused, **forms):
    """A refused step, placement or count: the person's page again, the message at its field, 422."""
    db.session.rollback()
    for form in forms.values():
        if refused.field and refused.field in form._fields:
            refuse_at(form, refused)
            break
    else:
        next(iter(forms.values())).form_errors.append(refused.message)
    beneficiary = beneficiary_or_404(programme, beneficiary_id)
    return _detail(programme, beneficiary, status=REFUSED_STATUS, **forms)


@bp.route("/<int:programme_id>/beneficiaries/<int:beneficiary_id>/step", methods=["POST"])
@form_view
@role_required(*SEEING)
def beneficiary_step(programme_id: int, beneficiary_id: int):
    programme = programme_led_or_404(programme_id)
    beneficiary = beneficiary_or_404(programme, beneficiary_id)
    form = StepForm()
    if not form.validate_on_submit():
        return _detail(programme, beneficiary, step_form=form, status=REFUSED_STATUS)
    to = BeneficiaryStatus(form.to.data)
    try:
        moved = services.move(beneficiary, to, on=form.on.data, by=current_user)
        name = moved.name
        db.session.commit()
    except Refused as refused:
        return _refused_on_page(programme, beneficiary_id, refused, step_form=form)
    flash(_("%(name)s: %(status)s.", name=name, status=BENEFICIARY_STATUS_LABELS[to]), "success")
    return _to_page(programme, beneficiary)


@bp.route("/<int:programme_id>/beneficiaries/<int:beneficiary_id>/placement", methods=["POST"])
@form_view
@role_required(*SEEING)
def beneficiary_place(programme_id: int, beneficiary_id: int):
    programme = programme_led_or_404(programme_id)
    beneficiary = beneficiary_or_404(programme, beneficiary_id)
    form = PlacementForm()
    if not form.validate_on_submit():
        return _detail(programme, beneficiary, place_form=form, status=REFUSED_STATUS)
    try:
        placed = services.place(beneficiary, employer=form.employer.data, placed_on=form.placed_on.data,
                                by=current_user)
        name, employer = placed.name, placed.employer_name
        db.session.commit()
    except Refused as refused:
        return _refused_on_page(programme, beneficiary_id, refused, place_form=form)
    flash(_("%(name)s is placed at %(employer)s.", name=name, employer=employer), "success")
    return _to_page(programme, beneficiary)


@bp.route("/<int:programme_id>/beneficiaries/<int:beneficiary_id>/count", methods=["POST"])
@form_view
@role_required(Role.SECRETARIAT)
def beneficiary_count(programme_id: int, beneficiary_id: int):
    """The secretariat counts a placement in the employer's job reports: once, never twice."""
    programme = programme_led_or_404(programme_id)
    beneficiary = beneficiary_or_404(programme, beneficiary_id)
    form = ConfirmForm(prefix="count")
    if not form.validate_on_submit():
        return _detail(programme, beneficiary, count_form=form, status=REFUSED_STATUS)
    try:
        report = services.count_in_jobs(beneficiary, by=current_user)
        employer, jobs = beneficiary.placed_organization.name, report.jobs_created
        db.session.commit()
    except Refused as refused:
        return _refused_on_page(programme, beneficiary_id, refused, count_form=form)
    flash(_("Counted in %(employer)s's jobs: its latest commitment now reports %(num)s jobs created.",
            employer=employer, num=jobs), "success")
    return _to_page(programme, beneficiary)


@bp.route("/<int:programme_id>/beneficiaries/employers")
@role_required(*SEEING)
def beneficiary_employers(programme_id: int):
    """The placement form's suggestions (a ``<datalist>``'s options, asked by htmx as the employer is typed)."""
    programme = programme_led_or_404(programme_id)
    names = organisation_suggestions(request.args.get("employer", ""))
    response = make_response(render_template("programmes/_beneficiary_employers.html", names=names,
                                              programme=programme))
    response.vary.add("HX-Request")
    return response
