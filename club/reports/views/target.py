"""The reports' pages: the club's jobs target (the secretariat sets it; every change audited)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import commit_or_rerender
from club.extensions import db
from club.forms import form_view
from club.permissions import Role, role_required
from club.reports import bp
from club.reports.models import DEFAULT_JOBS_TARGET, ClubTarget
from club.reports.target import TARGET_ID, TargetForm, current_target, update_target


@bp.route("/target", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def target():
    now = current_target()
    row = db.session.get(ClubTarget, TARGET_ID)
    if request.method == "GET":
        form = TargetForm(formdata=None, data={**TargetForm.values_of(now), "version": now.version})
    else:
        form = TargetForm()
    context = {"target": now, "row": row, "default_target": DEFAULT_JOBS_TARGET}
    if form.validate_on_submit():
        def saved(changes):
            if changes:
                flash(_("The club's jobs target is saved."), "success")
            else:
                flash(_("Nothing to change."), "info")
            return redirect(url_for("core.index"), 303)

        return commit_or_rerender(
            lambda: update_target(form.data_for_service(), version=form.version.data, by=current_user),
            form, "reports/target.html", context=context, saved=TargetForm.values_of, record=row, done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("reports/target.html", form=form, **context), status
