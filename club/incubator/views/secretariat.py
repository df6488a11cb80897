"""The secretariat's workflow: a call's applications, assignments, ranking, exports (applications, scores; CSV and
XLSX) and cohort; moving an application, linking it to an organisation, assigning and removing reviewers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from club.core.exports import table_response
from club.core.pagination import Page, page_number, paginate
from club.core.refusals import Refused, commit_or_rerender, refuse_at
from club.core.spreadsheets import Column
from club.core.timezones import to_local
from club.extensions import db
from club.forms import ConfirmForm, as_id, form_view
from club.htmx import render_page_or_partial
from club.incubator import bp, queries, services
from club.incubator.forms import AssignForm, FilterForm, MoveForm
from club.incubator.models import STATUS_LABELS, Application, Status
from club.incubator.views.applicant import render_application
from club.incubator.views.common import application_or_404, call_or_404, labels, link_form
from club.members.models import Organization
from club.permissions import Role, get_visible_or_404, role_required

REFUSED = 422


# A call's applications ---------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/applications")
@role_required(Role.SECRETARIAT)
def applications(call_id: int):
    the_call = call_or_404(call_id)
    filters = FilterForm(request.args)
    filters.validate()
    page = paginate(queries.call_applications(the_call, current_user, status=filters.status.data,
                                              q=filters.q.data))
    stats = queries.stats_by_application([a.id for a in page.items])
    assign_form = AssignForm()
    assign_form.set_reviewers(queries.reviewers())
    return render_page_or_partial("incubator/applications.html", "incubator/_applications.html", call=the_call,
                                  page=page, stats=stats, filters=filters, assign_form=assign_form,
                                  labels=labels(), confirm_form=ConfirmForm())


@bp.route("/calls/<int:call_id>/assign", methods=["POST"])
@role_required(Role.SECRETARIAT)
def assign_bulk(call_id: int):
    the_call = call_or_404(call_id)
    form = AssignForm()
    form.set_reviewers(queries.reviewers())
    ids = [i for i in map(as_id, request.form.getlist("application_ids")) if i is not None]
    reviewer = queries.reviewer(as_id(form.reviewer.data)) if form.validate_on_submit() else None
    if reviewer is None:
        flash(_("Choose a reviewer."), "danger")
    elif not ids:
        flash(_("Tick the applications to assign."), "danger")
    else:
        try:
            created, existing = services.assign(queries.applications_of_call(the_call, ids), reviewer,
                                                by=current_user)
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            db.session.commit()
            message = ngettext("%(name)s assigned to %(num)s application.",
                               "%(name)s assigned to %(num)s applications.", len(created), name=reviewer.name)
            if existing:
                message += " " + ngettext("%(num)s was already assigned.", "%(num)s were already assigned.",
                                          existing)
            flash(message, "success")
    return redirect(url_for("incubator.applications", call_id=the_call.id, **request.args), 303)


@bp.route("/calls/<int:call_id>/ranking")
@role_required(Role.SECRETARIAT)
def ranking(call_id: int):
    the_call = call_or_404(call_id)
    # Counting the ranked rows needs no scores: count the applications, then fetch one page of the ranking.
    per_page = 100
    total = queries.ranked_count(the_call)
    number = min(page_number(), max(1, -(-total // per_page)))
    page = Page(items=queries.ranking_page(the_call, number, per_page), page=number, per_page=per_page,
                total=total)
    return render_template("incubator/ranking.html", call=the_call, page=page, labels=labels())


@bp.route("/calls/<int:call_id>/applications.csv")
@role_required(Role.SECRETARIAT)
def applications_csv(call_id: int):
    return _applications_export(call_id, "csv")


@bp.route("/calls/<int:call_id>/applications.xlsx")
@role_required(Role.SECRETARIAT)
def applications_xlsx(call_id: int):
    return _applications_export(call_id, "xlsx")


def _applications_export(call_id: int, fmt: str):
    """The call's applications as the list filters them (status, search), every page of it, with their scores."""
    the_call = call_or_404(call_id)
    filters = FilterForm(request.args)
    filters.validate()
    stage_labels, province_labels = labels()["stage"], labels()["province"]
    columns = [Column(_("Application"), "id"), Column(_("Startup")), Column(_("Project")), Column(_("Founder")),
               Column(_("Email")), Column(_("Status")), Column(_("Stage")), Column(_("Province")),
               Column(_("Submitted on"), "datetime"), Column(_("Jobs planned at 12 months"), "int"),
               Column(_("Jobs planned at 36 months"), "int"), Column(_("Weighted average"), "decimal"),
               Column(_("Spread"), "decimal"), Column(_("Final reviews"), "int"),
               Column(_("Reviewers assigned"), "int"), Column(_("Reviews missing"), "int"),
               Column(_("Declared conflicts"), "int")]
    stmt = queries.applications_export(the_call, current_user, status=filters.status.data, q=filters.q.data)
    return table_response(fmt, f"applications-call-{the_call.id}", _("Applications"), columns, (
        (a.id, a.startup_name, a.project_title, a.applicant.name, a.applicant.email, str(STATUS_LABELS[a.status]),
         str(stage_labels[a.stage]) if a.stage else "", str(province_labels[a.province]) if a.province else "",
         to_local(a.submitted_at) if a.submitted_at else None, a.jobs_12m, a.jobs_36m,
         None if average is None else round(average, 2), None if spread is None else round(spread, 2),
         final, assigned, missing, conflicts)
        for a, average, spread, assigned, final, missing, conflicts, _yes in db.session.execute(stmt)))


@bp.route("/calls/<int:call_id>/scores.csv")
@role_required(Role.SECRETARIAT)
def scores_csv(call_id: int):
    return _scores_export(call_id, "csv")


@bp.route("/calls/<int:call_id>/scores.xlsx")
@role_required(Role.SECRETARIAT)
def scores_xlsx(call_id: int):
    return _scores_export(call_id, "xlsx")


def _scores_export(call_id: int, fmt: str):
    """One row per review (final or not), its scores per criterion and its weighted score."""
    the_call = call_or_404(call_id)
    criteria = the_call.criteria
    total = sum(c.weight for c in criteria) or 1
    columns = ([Column(_("Application"), "id"), Column(_("Startup")), Column(_("Status")), Column(_("Reviewer")),
                Column(_("Final"))]
               + [Column(f"{c.name} (×{c.weight})", "int") for c in criteria]
               + [Column(_("Weighted score"), "decimal"), Column(_("Recommendation")), Column(_("Comment"))])

    def rows():
        for review in queries.scores_export(the_call):
            by_criterion = review.score_by_criterion
            complete = all(c.id in by_criterion for c in criteria)
            weighted = (round(sum(by_criterion[c.id] * c.weight for c in criteria) / total, 2) if complete else None)
            app_ = review.application
            yield [app_.id, app_.startup_name, str(STATUS_LABELS[app_.status]), review.reviewer.name,
                   _("yes") if review.is_final else _("no"), *[by_criterion.get(c.id) for c in criteria],
                   weighted, str(review.recommendation_label or ""), review.comment]

    return table_response(fmt, f"scores-call-{the_call.id}", _("Scores"), columns, rows())


@bp.route("/calls/<int:call_id>/cohort")
@role_required(Role.SECRETARIAT)
def cohort(call_id: int):
    the_call = call_or_404(call_id)
    page, totals = queries.cohort(the_call, page_number(), queries.COHORT_PER_PAGE)
    return render_template("incubator/cohort.html", call=the_call, page=page, totals=totals, labels=labels())


# One application ---------------------------------------------------------------------------------

def _to_application(app_: Application, anchor: str | None = None):
    return redirect(url_for("incubator.application", application_id=app_.id, _anchor=anchor), 303)


def _move_context(app_: Application) -> dict:
    return {"application": app_, "labels": labels(), "places_taken": services.places_taken(app_.call)}


def _moved(app_: Application, to_status: Status):
    flash(_("Status changed to %(status)s.", status=STATUS_LABELS[to_status]), "success")
    return _to_application(app_)


@bp.route("/applications/<int:application_id>/move", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def move(application_id: int):
    app_ = application_or_404(application_id)
    targets = services.secretariat_moves(app_)
    if request.method == "GET":
        wanted = request.args.get("to_status", "")
        if wanted not in {s.value for s in targets}:
            if wanted:
                flash(_("An application cannot move from %(old)s to %(new)s.", old=STATUS_LABELS[app_.status],
                        new=STATUS_LABELS[Status(wanted)] if wanted in Status._value2member_map_ else wanted),
                      "danger")
            return _to_application(app_)
        subject, body = services.default_move_mail(app_, Status(wanted))
        form = MoveForm(to_status=wanted, version=app_.version, subject=subject, body=body)
        form.set_targets(targets)
        return render_template("incubator/move.html", form=form, **_move_context(app_))
    form = MoveForm()
    form.set_targets(targets)
    if form.validate_on_submit():
        to_status = Status(form.to_status.data)
        send = form.send_mail.data
        return commit_or_rerender(  # a stale version: 409, the typed note and email kept, the status as saved now
            lambda: services.move(app_, to_status, by=current_user, version=form.version.data, note=form.note.data,
                                  mail_subject=form.subject.data if send else None,
                                  mail_body=form.body.data if send else None),
            form, "incubator/move.html", context=_move_context(app_), saved=lambda _app: {}, record=app_,
            done=lambda _change: _moved(app_, to_status))
    if form.to_status.errors:
        flash(_("This move is not allowed from the current status."), "danger")
        return _to_application(app_)
    return render_template("incubator/move.html", form=form, **_move_context(app_)), REFUSED


@bp.route("/applications/<int:application_id>/organization", methods=["POST"])
@role_required(Role.SECRETARIAT)
def link_organization(application_id: int):
    app_ = application_or_404(application_id)
    form = link_form(app_, services.suggested_organizations(app_))
    if not form.validate_on_submit():
        return render_application(app_, REFUSED, link_form=form)
    if form.other.data is not None:
        chosen = get_visible_or_404(Organization, form.other.data)
    else:
        chosen = None if form.organization.data == "new" else get_visible_or_404(Organization,
                                                                                 as_id(form.organization.data))
    try:
        org = services.link_organization(app_, chosen, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        refuse_at(form, refused)
        return render_application(application_or_404(application_id), REFUSED, link_form=form)
    flash(_("The application is linked to %(name)s.", name=org.name), "success")
    return _to_application(app_, "organization-title")


@bp.route("/applications/<int:application_id>/reviewers", methods=["POST"])
@role_required(Role.SECRETARIAT)
def assign(application_id: int):
    app_ = application_or_404(application_id)
    form = AssignForm()
    form.set_reviewers(queries.reviewers())
    reviewer = queries.reviewer(as_id(form.reviewer.data)) if form.validate_on_submit() else None
    if reviewer is None:
        form.reviewer.errors = [_("Choose a reviewer.")]
        return render_application(app_, REFUSED, assign_form=form)
    try:
        created, existing = services.assign([app_], reviewer, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        refuse_at(form, refused)
        return render_application(application_or_404(application_id), REFUSED, assign_form=form)
    if created:
        flash(_("%(name)s will review this application.", name=reviewer.name), "success")
    elif existing:
        flash(_("%(name)s was already assigned.", name=reviewer.name), "info")
    else:
        flash(_("A draft cannot be reviewed."), "warning")
    return _to_application(app_, "reviews")


@bp.route("/applications/<int:application_id>/reviews/<int:review_id>/remove", methods=["POST"])
@role_required(Role.SECRETARIAT)
def unassign(application_id: int, review_id: int):
    app_ = application_or_404(application_id)
    review = queries.review_of(app_, review_id)
    if review is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.unassign(review, by=current_user)
        except Refused as refused:  # a final review stays: said above the page
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            db.session.commit()
            flash(_("Assignment removed."), "success")
    return _to_application(app_, "reviews")
