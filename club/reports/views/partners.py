"""The reports' pages for partners: their space (``/reports/mine``: the reports sent to their organisation), and the
secretariat's schedules that send partners their report each month or quarter (``/reports/schedules``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from club.core.pagination import paginate
from club.core.refusals import REFUSED_STATUS, commit_or_rerender
from club.core.timezones import local_today
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.permissions import Role, get_visible_or_404, role_required, visible
from club.reports import bp, runs
from club.reports.models import (
    FREQUENCY_LABELS,
    PERIOD_KIND_LABELS,
    Frequency,
    ReportRun,
    ReportSchedule,
    RunState,
)
from club.reports.run_forms import ScheduleForm

PER_PAGE = 20


@bp.route("/mine")
@role_required(Role.PARTNER)
def mine():
    """The reports sent to the partner's organisation, newest first, with their PDF and XLSX."""
    stmt = (sa.select(ReportRun).where(visible(ReportRun, current_user), ReportRun.state == RunState.DONE)
            .order_by(ReportRun.sent_at.desc(), ReportRun.id.desc()))
    return render_template("reports/mine.html", page=paginate(stmt, per_page=PER_PAGE), period_of=runs.period_of,
                           kind_labels=PERIOD_KIND_LABELS)


@bp.route("/schedules")
@role_required(Role.SECRETARIAT)
def schedules():
    stmt = (sa.select(ReportSchedule).where(visible(ReportSchedule, current_user))
            .options(joinedload(ReportSchedule.created_by))
            .order_by(ReportSchedule.active.desc(), ReportSchedule.next_run_on, ReportSchedule.id))
    return render_template("reports/schedules.html", page=paginate(stmt, per_page=PER_PAGE),
                           frequency_labels=FREQUENCY_LABELS, delete_form=ConfirmForm())


def _schedule_values(form: ScheduleForm) -> dict:
    return {"frequency": Frequency(form.frequency.data), "language": form.language.data,
            "partners": form.partners.organizations, "active": form.active.data}


@bp.route("/schedules/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def schedule_new():
    form = ScheduleForm()
    if form.validate_on_submit():
        def created(schedule):
            flash(_("Schedule saved: the first report leaves on %(date)s.",
                    date=_date(schedule.next_run_on)), "success")
            return redirect(url_for("reports.schedules"), 303)

        return commit_or_rerender(
            lambda: runs.create_schedule(**_schedule_values(form), today=local_today(), by=current_user),
            form, "reports/schedule_form.html", context={"schedule": None}, done=created)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("reports/schedule_form.html", form=form, schedule=None), status


@bp.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def schedule_edit(schedule_id: int):
    schedule = get_visible_or_404(ReportSchedule, schedule_id)
    if request.method == "GET":
        form = ScheduleForm(data={**ScheduleForm.values_of(schedule), "version": schedule.version})
    else:
        form = ScheduleForm()
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Schedule saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("reports.schedules"), 303)

        return commit_or_rerender(
            lambda: runs.update_schedule(schedule, **_schedule_values(form), version=form.version.data,
                                         today=local_today(), by=current_user),
            form, "reports/schedule_form.html", context={"schedule": schedule}, saved=ScheduleForm.values_of,
            record=schedule, done=saved)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("reports/schedule_form.html", form=form, schedule=schedule), status


@bp.route("/schedules/<int:schedule_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def schedule_delete(schedule_id: int):
    schedule = get_visible_or_404(ReportSchedule, schedule_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was done: the form had expired. Try again."), "warning")
        return redirect(url_for("reports.schedules"), 303)
    runs.delete_schedule(schedule, by=current_user)
    db.session.commit()
    flash(_("Schedule deleted. The reports it sent stay in the list of reports."), "success")
    return redirect(url_for("reports.schedules"), 303)


def _date(value) -> str:
    from club.formats import date_filter

    return date_filter(value, "long")
