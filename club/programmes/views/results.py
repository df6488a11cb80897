"""Targets and results: a programme's indicators (the secretariat sets them), the dated figures the lead enters for
those it measures, and the milestones (the secretariat and the lead)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import REFUSED_STATUS, Refused, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.permissions import Role, role_required
from club.programmes import bp
from club.programmes.forms.programmes import FigureForm, IndicatorForm, MilestoneForm
from club.programmes.models import MEASURE_LABELS, Access, Indicator, Milestone
from club.programmes.queries import programmes as queries
from club.programmes.services import programmes as services
from club.programmes.views.programmes import LEADING, back_to, led_or_404, programme_or_404, render_detail


def _in_programme_or_404(model, ident: int, programme):
    """A row of ``programme`` (nested URLs must agree), else 404."""
    obj = db.session.get(model, ident)
    if obj is None or obj.programme_id != programme.id:
        abort(404)
    return obj


# --- indicators (the secretariat) ----------------------------------------------------------------------------------

def _indicators_page(programme, status: int = 200, form=None):
    ids = [i.id for i in programme.indicators]
    return render_template("programmes/indicators.html", programme=programme,
                           form=form or IndicatorForm(formdata=None), confirm=ConfirmForm(),
                           results=queries.indicator_results([programme.id]), figure_counts=queries.figure_counts(ids),
                           measure_labels=MEASURE_LABELS), status


@bp.route("/<int:programme_id>/indicators")
@role_required(Role.SECRETARIAT)
def indicators(programme_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    return _indicators_page(programme)


@bp.route("/<int:programme_id>/indicators/new", methods=["POST"])
@form_view
@role_required(Role.SECRETARIAT)
def indicator_new(programme_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            services.add_indicator(programme, **form.values(), by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Indicator “%(name)s” added.", name=form.name.data), "success")
            return redirect(url_for("programmes.indicators", programme_id=programme.id), 303)
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    return _indicators_page(programme, REFUSED_STATUS, form)


@bp.route("/<int:programme_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def indicator_edit(programme_id: int, indicator_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    indicator = _in_programme_or_404(Indicator, indicator_id, programme)
    if request.method == "GET":
        form = IndicatorForm(data={**IndicatorForm.values_of(indicator), "version": indicator.version})
    else:
        form = IndicatorForm()
    context = {"programme": programme, "indicator": indicator, "has_figures": services.has_figures(indicator)}
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Indicator saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("programmes.indicators", programme_id=programme.id), 303)

        return commit_or_rerender(
            lambda: services.update_indicator(indicator, **form.values(), version=form.version.data, by=current_user),
            form, "programmes/indicator_edit.html", context=context, saved=IndicatorForm.values_of,
            record=indicator, done=saved)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/indicator_edit.html", form=form, **context), status


@bp.route("/<int:programme_id>/indicators/<int:indicator_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def indicator_delete(programme_id: int, indicator_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    indicator = _in_programme_or_404(Indicator, indicator_id, programme)
    if ConfirmForm().validate_on_submit():
        name = indicator.name
        services.remove_indicator(indicator, by=current_user)
        db.session.commit()
        flash(_("Indicator “%(name)s” removed.", name=name), "success")
    return redirect(url_for("programmes.indicators", programme_id=programme.id), 303)


# --- figures (the lead and the secretariat) ------------------------------------------------------------------------

@bp.route("/<int:programme_id>/indicators/<int:indicator_id>/figures", methods=["POST"])
@form_view
@role_required(*LEADING)
def figure_new(programme_id: int, indicator_id: int):
    programme = led_or_404(programme_id)
    indicator = _in_programme_or_404(Indicator, indicator_id, programme)
    form = FigureForm(prefix=f"figure-{indicator.id}")
    if form.validate_on_submit():
        try:
            services.add_figure(indicator, measured_on=form.measured_on.data, value=form.value.data,
                                note=form.note.data, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Figure recorded for “%(name)s”.", name=indicator.name), "success")
            return back_to(programme, "#indicators")
    programme, access = programme_or_404(programme_id)
    return render_detail(programme, access, REFUSED_STATUS, figure_forms={indicator_id: form})


# --- milestones (the lead and the secretariat) ---------------------------------------------------------------------

@bp.route("/<int:programme_id>/milestones", methods=["POST"])
@form_view
@role_required(*LEADING)
def milestone_new(programme_id: int):
    programme = led_or_404(programme_id)
    form = MilestoneForm(prefix="milestone")
    if form.validate_on_submit():
        try:
            services.add_milestone(programme, **form.values(), by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Milestone added."), "success")
            return back_to(programme, "#milestones")
    programme, access = programme_or_404(programme_id)
    return render_detail(programme, access, REFUSED_STATUS, milestone_form=form)


@bp.route("/<int:programme_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*LEADING)
def milestone_edit(programme_id: int, milestone_id: int):
    programme = led_or_404(programme_id)
    milestone = _in_programme_or_404(Milestone, milestone_id, programme)
    if request.method == "GET":
        form = MilestoneForm(data={**MilestoneForm.values_of(milestone), "version": milestone.version})
    else:
        form = MilestoneForm()
    context = {"programme": programme, "milestone": milestone}
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Milestone saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return back_to(programme, "#milestones")

        return commit_or_rerender(
            lambda: services.update_milestone(milestone, **form.values(), version=form.version.data, by=current_user),
            form, "programmes/milestone_edit.html", context=context, saved=MilestoneForm.values_of, record=milestone,
            done=saved)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/milestone_edit.html", form=form, **context), status
