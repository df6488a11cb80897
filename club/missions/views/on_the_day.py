"""On the day: attendance (ticked one by one, with htmx or without), the printable list of participants and its
CSV, the calendar file."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from club.core.exports import table_response
from club.core.freshness import fresh
from club.core.pagination import paginate
from club.core.refusals import Refused
from club.core.spreadsheets import Column
from club.core.timezones import to_local
from club.extensions import db
from club.htmx import is_htmx_partial, render_page_or_partial
from club.missions import bp, queries, services
from club.missions.calendar import calendar_bytes
from club.missions.forms import AttendanceForm
from club.missions.models import REGISTRATION_STATUS_LABELS, SEATED, Registration
from club.missions.views.common import SEEING, in_mission_or_404, mission_or_404
from club.permissions import Role, role_required


@bp.route("/<int:mission_id>/attendance")
@role_required(Role.SECRETARIAT)
def attendance(mission_id: int):
    mission = mission_or_404(mission_id)
    q = (request.args.get("q") or "").strip()[:100]
    page = paginate(queries.attendance_rows(mission.id, q), per_page=100)
    return render_page_or_partial("missions/attendance.html", "missions/_attendance_rows.html", mission=mission,
                                  page=page, q=q, form=AttendanceForm(), counts=queries.counts_for(mission.id))


@bp.route("/<int:mission_id>/registrations/<int:registration_id>/attendance", methods=["POST"])
@role_required(Role.SECRETARIAT)
def attend(mission_id: int, registration_id: int):
    mission = mission_or_404(mission_id)
    registration = in_mission_or_404(Registration, registration_id, mission)
    form = AttendanceForm()
    error = None
    if form.validate_on_submit():
        try:
            services.set_attendance(registration, form.present.data == "1", by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            error = refused.message
    else:
        error = _("Nothing was changed.")
    if is_htmx_partial():
        return render_page_or_partial("missions/_attendance_row.html", "missions/_attendance_row.html",
                                      mission=mission, r=registration, form=AttendanceForm(), error=error)
    if error:
        flash(error, "danger")
    back = request.form.get("back") or ""
    if not back.startswith("/missions/") or back.startswith("//") or "\\" in back:
        back = url_for("missions.attendance", mission_id=mission.id)
    response = redirect(back, 303)
    response.vary.add("HX-Request")
    return response


@bp.route("/<int:mission_id>/participants")
@role_required(Role.SECRETARIAT)
def participants(mission_id: int):
    """The signing sheet. Its table is the same for every secretariat user (who alone opens it): rendered once per
    change of the data and language (``club.core.freshness``); a mission of 2,000 seats is long to write."""
    mission = mission_or_404(mission_id)

    def table() -> Markup:
        rows = list(db.session.scalars(queries.registrations(mission.id, statuses=SEATED)))
        return Markup(render_template("missions/_participants_table.html", rows=rows))  # noqa: S704 - escaped by Jinja

    key = ("missions.participants", mission.id, str(get_locale() or "fr"))
    return render_template("missions/participants.html", mission=mission, table=fresh(key, table))


@bp.route("/<int:mission_id>/participants.csv")
@role_required(Role.SECRETARIAT)
def participants_csv(mission_id: int):
    return _participants_export(mission_id, "csv")


@bp.route("/<int:mission_id>/participants.xlsx")
@role_required(Role.SECRETARIAT)
def participants_xlsx(mission_id: int):
    return _participants_export(mission_id, "xlsx")


def _participants_export(mission_id: int, fmt: str):
    """Every registration of the mission (waiting list and cancellations too), registered on in local time."""
    mission = mission_or_404(mission_id)
    columns = [Column(_("Name")), Column(_("Title")), Column(_("Organisation")), Column(_("Email")),
               Column(_("Phone")), Column(_("Status")), Column(_("Waiting list"), "int"),
               Column(_("Registered on"), "datetime"), Column(_("Registered by"))]
    positions = queries.waitlist_positions(mission.id)
    return table_response(fmt, f"mission-{mission.id}-participants", _("Participants"), columns, (
        (r.contact.name, r.contact.title, r.organization.name, r.contact.email, r.contact.phone,
         str(REGISTRATION_STATUS_LABELS[r.status]), positions.get(r.id),
         to_local(r.created_at) if r.created_at else None, r.registered_by.name if r.registered_by else "")
        for r in db.session.scalars(queries.registrations(mission.id))))


@bp.route("/<int:mission_id>.ics")
@role_required(*SEEING)
def calendar(mission_id: int):
    mission = mission_or_404(mission_id)
    response = Response(calendar_bytes(mission), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="mission-{mission.id}.ics"'
    return response
