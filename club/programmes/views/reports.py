"""Progress reports: the lead's people (and the secretariat) write them as drafts, edit them while draft or sent
back, and submit them; the secretariat accepts them or asks for changes; files are attached to a report. A partner
reads the accepted reports only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core import storage
from club.core.refusals import REFUSED_STATUS, Refused, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.permissions import Role, get_visible_or_404, role_required
from club.programmes import bp
from club.programmes.forms.programmes import ChangesForm, DocumentForm, ReportForm
from club.programmes.models import ProgressReport
from club.programmes.queries import programmes as queries
from club.programmes.services import programmes as services
from club.programmes.views.programmes import LEADING, SEEING, led_or_404, programme_or_404


def report_or_404(programme, progress_report_id: int) -> ProgressReport:
    """A report of ``programme`` that the user may read (nested URLs must agree), else 404."""
    report = get_visible_or_404(ProgressReport, progress_report_id)
    if report.programme_id != programme.id:
        abort(404)
    return report


def _back(report: ProgressReport, anchor: str = ""):
    return redirect(url_for("programmes.report", programme_id=report.programme_id, progress_report_id=report.id)
                    + anchor, 303)


def _report_page(programme, report: ProgressReport, status: int = 200, **forms):
    may_lead = services.may_lead(programme, current_user)
    return render_template(
        "programmes/report.html", programme=programme, report=report, may_lead=may_lead,
        may_edit=services.may_edit_report(report, current_user),
        staff=current_user.role == Role.SECRETARIAT,
        documents=queries.documents(programme.id, current_user, report_id=report.id), confirm=ConfirmForm(),
        changes_form=forms.get("changes_form") or ChangesForm(formdata=None),
        document_form=forms.get("document_form") or DocumentForm(formdata=None),
        open_form=next(iter(forms), None)), status


@bp.route("/<int:programme_id>/reports/<int:progress_report_id>")
@role_required(*SEEING)
def report(programme_id: int, progress_report_id: int):
    programme, _access = programme_or_404(programme_id)
    return _report_page(programme, report_or_404(programme, progress_report_id))


@bp.route("/<int:programme_id>/reports/new", methods=["GET", "POST"])
@form_view
@role_required(*LEADING)
def report_new(programme_id: int):
    programme = led_or_404(programme_id)
    form = ReportForm()
    context = {"programme": programme, "report": None}
    if form.validate_on_submit():
        def created(report):
            flash(_("Report saved as a draft: submit it to the secretariat when it is ready."), "success")
            return _back(report)

        return commit_or_rerender(lambda: services.create_report(programme, **form.values(), by=current_user), form,
                                  "programmes/report_edit.html", context=context, done=created)
    if request.method == "GET" and programme.state in services.ENDED:
        form.period_start.errors = [_("This programme is %(state)s: it takes no more progress reports.",
                                      state=str(programme.state_label).lower())]
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/report_edit.html", form=form, **context), status


@bp.route("/<int:programme_id>/reports/<int:progress_report_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*LEADING)
def report_edit(programme_id: int, progress_report_id: int):
    programme = led_or_404(programme_id)
    report = report_or_404(programme, progress_report_id)
    if request.method == "GET":
        if not services.may_edit_report(report, current_user):
            flash(_("This report is %(state)s: it can no longer be changed.", state=str(report.state_label).lower()),
                  "info")
            return _back(report)
        form = ReportForm(data={**ReportForm.values_of(report), "version": report.version})
    else:
        form = ReportForm()
    context = {"programme": programme, "report": report}
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Report saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return _back(report)

        return commit_or_rerender(
            lambda: services.update_report(report, **form.values(), version=form.version.data, by=current_user),
            form, "programmes/report_edit.html", context=context, saved=ReportForm.values_of, record=report,
            done=saved)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/report_edit.html", form=form, **context), status


def _decide(programme_id: int, progress_report_id: int, act, done_message):
    """Submit, accept: one button each, the refusal (a report already decided) said on the report's page."""
    programme = led_or_404(programme_id)
    report = report_or_404(programme, progress_report_id)
    if ConfirmForm().validate_on_submit():
        try:
            mailed = act(report)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            flash(done_message(mailed), "success")
    return _back(report)


@bp.route("/<int:programme_id>/reports/<int:progress_report_id>/submit", methods=["POST"])
@role_required(*LEADING)
def report_submit(programme_id: int, progress_report_id: int):
    return _decide(programme_id, progress_report_id, lambda r: services.submit_report(r, by=current_user),
                   lambda n: _("Report submitted to the secretariat (an email to it is queued in the outbox).")
                   if n else _("Report submitted to the secretariat."))


@bp.route("/<int:programme_id>/reports/<int:progress_report_id>/accept", methods=["POST"])
@role_required(Role.SECRETARIAT)
def report_accept(programme_id: int, progress_report_id: int):
    return _decide(programme_id, progress_report_id, lambda r: services.accept_report(r, by=current_user),
                   lambda mailed: _("Report accepted: the partners see it now. An email to its author is queued in "
                                    "the outbox.") if mailed else _("Report accepted: the partners see it now."))


@bp.route("/<int:programme_id>/reports/<int:progress_report_id>/changes", methods=["POST"])
@form_view
@role_required(Role.SECRETARIAT)
def report_changes(programme_id: int, progress_report_id: int):
    programme = led_or_404(programme_id)
    report = report_or_404(programme, progress_report_id)
    form = ChangesForm()
    if form.validate_on_submit():
        try:
            mailed = services.request_changes(report, note=form.note.data, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Changes requested. An email to the author is queued in the outbox.") if mailed
                  else _("Changes requested."), "success")
            return _back(report)
    programme, _access = programme_or_404(programme_id)
    return _report_page(programme, report_or_404(programme, progress_report_id), REFUSED_STATUS,
                        changes_form=form)


@bp.route("/<int:programme_id>/reports/<int:progress_report_id>/documents", methods=["POST"])
@form_view
@role_required(*LEADING)
def report_document_new(programme_id: int, progress_report_id: int):
    programme = led_or_404(programme_id)
    report = report_or_404(programme, progress_report_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_document(programme, title=form.title.data, report=report,
                                  data=storage.read_limited(upload, services.MAX_DOCUMENT_SIZE),
                                  filename=upload.filename, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Document “%(title)s” added.", title=form.title.data), "success")
            return _back(report, "#documents")
    programme, _access = programme_or_404(programme_id)
    return _report_page(programme, report_or_404(programme, progress_report_id), REFUSED_STATUS,
                        document_form=form)
