"""The reports' pages: activity reports for a period, built by the job queue (``/reports/``, a run's page with its
progress, its PDF and XLSX), and a period's report sent to partner organisations (``/reports/send``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from club.core.jobs import enqueue
from club.core.pagination import paginate
from club.core.refusals import REFUSED_STATUS, Refused, refuse_at
from club.core.storage import send_stored
from club.core.timezones import local_today
from club.extensions import db
from club.formats import ngettext
from club.forms import ConfirmForm, form_view
from club.htmx import render_page_or_partial
from club.permissions import Role, get_visible_or_404, role_required, visible
from club.reports import bp, runs
from club.reports.content import Period
from club.reports.jobs import build_report_run
from club.reports.models import PERIOD_KIND_LABELS, RUN_STATE_LABELS, PeriodKind, ReportRun, RunState
from club.reports.run_forms import PeriodForm, SendForm, default_year

RUNS_PER_PAGE = 20


def _runs_page():
    """The runs, newest first, with who asked and for whom: one count and one page query."""
    stmt = (sa.select(ReportRun).where(visible(ReportRun, current_user))
            .options(joinedload(ReportRun.requested_by), joinedload(ReportRun.audience))
            .order_by(ReportRun.created_at.desc(), ReportRun.id.desc()))
    return paginate(stmt, per_page=RUNS_PER_PAGE)


def _enqueue(run_ids) -> None:
    for run_id in run_ids:
        enqueue(build_report_run, run_id)  # an unreachable queue: the sweep enqueues it again (club.reports.jobs)


def _index(form, status: int = 200):
    return render_template("reports/index.html", form=form, page=_runs_page(), state_labels=RUN_STATE_LABELS,
                           kind_labels=PERIOD_KIND_LABELS, period_of=runs.period_of), status


@bp.route("/", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def index():
    """A period's report (quarter, year or from–to) in French or English, and the reports asked for so far."""
    form = PeriodForm() if request.method == "POST" else PeriodForm(data={"year": default_year(local_today())})
    if request.method == "POST":
        if not form.validate_on_submit():
            return _index(form, REFUSED_STATUS)
        run, created = runs.request_report(form.period(), form.language.data, by=current_user)
        db.session.commit()
        if created:
            _enqueue([run.id])
            flash(_("The report is being prepared: this page shows its progress."), "success")
        else:
            flash(_("This report was asked for a moment ago: here it is."), "info")
        return redirect(url_for("reports.run", run_id=run.id), 303)
    return _index(form)


@bp.route("/runs/<int:run_id>")
@role_required(Role.SECRETARIAT, Role.PARTNER)
def run(run_id: int):
    """A run: its progress while it is built (htmx asks again every 2 s; without JavaScript the page refreshes
    itself), then its PDF and XLSX."""
    report_run = get_visible_or_404(ReportRun, run_id, options=(joinedload(ReportRun.audience),
                                                                joinedload(ReportRun.requested_by)))
    return render_page_or_partial("reports/run.html", "reports/_run_progress.html", run=report_run,
                                  state_labels=RUN_STATE_LABELS, kind_labels=PERIOD_KIND_LABELS,
                                  period=runs.period_of(report_run), retry_form=ConfirmForm())


def _file_of(run_id: int, kind: str):
    report_run = get_visible_or_404(ReportRun, run_id)
    stored = report_run.pdf if kind == "pdf" else report_run.xlsx
    if report_run.state != RunState.DONE or stored is None:
        abort(404)
    return send_stored(stored)


@bp.route("/runs/<int:run_id>.pdf")
@role_required(Role.SECRETARIAT, Role.PARTNER)
def run_pdf(run_id: int):
    return _file_of(run_id, "pdf")


@bp.route("/runs/<int:run_id>.xlsx")
@role_required(Role.SECRETARIAT, Role.PARTNER)
def run_xlsx(run_id: int):
    return _file_of(run_id, "xlsx")


@bp.route("/runs/<int:run_id>/retry", methods=["POST"])
@role_required(Role.SECRETARIAT)
def retry(run_id: int):
    """A failed run asked for again (a new run: the failed one stays, with its error)."""
    report_run = get_visible_or_404(ReportRun, run_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was done: the form had expired. Try again."), "warning")
        return redirect(url_for("reports.run", run_id=run_id), 303)
    try:
        again = runs.retry_run(report_run, by=current_user)
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "warning")
        return redirect(url_for("reports.run", run_id=run_id), 303)
    db.session.commit()
    _enqueue([again.id])
    return redirect(url_for("reports.run", run_id=again.id), 303)


@bp.route("/send", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def send():
    """A period's report sent to partner organisations: each gets its own (only what it may see), by email with a
    link to their space once built."""
    if request.method == "GET":
        last = Period.last_complete(PeriodKind.QUARTER, local_today())
        form = SendForm(data={"year": last.starts_on.year, "period_kind": PeriodKind.QUARTER.value,
                              "quarter": str((last.starts_on.month - 1) // 3 + 1)})
        return render_template("reports/send.html", form=form)
    form = SendForm()
    if not form.validate_on_submit():
        return render_template("reports/send.html", form=form), REFUSED_STATUS
    try:
        sent, created = runs.send_report(form.period(), form.language.data, form.partners.organizations,
                                         by=current_user)
    except Refused as refused:
        db.session.rollback()
        refuse_at(form, refused)
        return render_template("reports/send.html", form=form), REFUSED_STATUS
    db.session.commit()
    if created:
        _enqueue([r.id for r in sent])
        flash(ngettext("The report is being prepared for %(num)s organisation; its partners get an email once it "
                       "is ready.", "The reports are being prepared for %(num)s organisations; their partners get an "
                       "email once each is ready.", len(sent)), "success")
    else:
        flash(_("These reports were asked for a moment ago: nothing more was sent."), "info")
    return redirect(url_for("reports.index"), 303)

