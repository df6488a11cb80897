"""The calls: the incubator's public page and a call's page (anyone), the secretariat's calls and rubrics."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import Refused, commit_or_rerender
from club.extensions import db
from club.forms import ConfirmForm, as_id, form_view
from club.incubator import bp, charts, queries, services
from club.incubator.forms import CallForm, to_local, to_utc
from club.incubator.models import Call
from club.incubator.views.common import call_or_404, labels
from club.permissions import Role, public, role_required

REFUSED = 422


@bp.route("/")
@public
def index():
    context = {"open_calls": queries.open_calls(), "labels": labels()}
    if current_user.is_authenticated:
        role = current_user.role
        if role == Role.APPLICANT:
            context["my_applications"] = queries.applications_of(current_user)
        if role in (Role.PARTNER, Role.SECRETARIAT):
            context["assignments"] = queries.assignments_of(current_user)
        if role == Role.SECRETARIAT:
            context["calls"] = queries.all_calls_with_counts()
            context["intake_chart"] = charts.intake_chart()
    return render_template("incubator/index.html", **context)


@bp.route("/calls/<int:call_id>")
@public
def call(call_id: int):
    the_call = call_or_404(call_id)
    mine = None
    if current_user.is_authenticated and current_user.role == Role.APPLICANT:
        mine = queries.application_for(the_call, current_user)
    # The funnel is the secretariat's: reviewers and applicants see no figures of the call.
    funnel = (charts.call_funnel_chart(the_call)
              if current_user.is_authenticated and current_user.role == Role.SECRETARIAT else None)
    return render_template("incubator/call.html", call=the_call, mine=mine, form=ConfirmForm(), funnel_chart=funnel)


def _criteria_from(form: CallForm) -> list[services.CriterionData]:
    result = []
    for entry in form.criteria.entries:
        sub = entry.form
        if sub.name.data:
            cid = as_id(sub.criterion_id.data)
            result.append(services.CriterionData(name=sub.name.data, weight=sub.weight.data or 1,
                                                 low_anchor=sub.low_anchor.data or "",
                                                 high_anchor=sub.high_anchor.data or "", id=cid))
    return result


def _call_fields(form: CallForm) -> dict:
    return {"title": form.title.data, "description": form.description.data or "",
            "opens_at": to_utc(form.opens_at.data), "closes_at": to_utc(form.closes_at.data),
            "capacity": form.capacity.data, "is_blind_first_round": form.is_blind_first_round.data}


def _saved_call(call: Call) -> dict:
    """The call as saved now, in the form's terms (shown beside the typed version on a stale edit)."""
    return {"title": call.title, "description": call.description, "opens_at": to_local(call.opens_at),
            "closes_at": to_local(call.closes_at), "capacity": call.capacity,
            "is_blind_first_round": call.is_blind_first_round}


def _to_call(call: Call, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("incubator.call", call_id=call.id), 303)


@bp.route("/calls/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def call_new():
    form = CallForm()
    if request.method == "GET":
        form.is_blind_first_round.data = True
    if form.validate_on_submit():
        return commit_or_rerender(
            lambda: services.create_call(**_call_fields(form), criteria=_criteria_from(form), by=current_user),
            form, "incubator/call_form.html", context={"call": None},
            done=lambda new_call: _to_call(new_call, _("Call created.")))
    return render_template("incubator/call_form.html", form=form, call=None), \
        REFUSED if request.method == "POST" else 200


def _call_form(call: Call) -> CallForm:
    """The form filled with the call as saved, in Moroccan time (``obj=`` would show UTC), two empty rows."""
    form = CallForm(obj=call, version=call.version)
    form.opens_at.data, form.closes_at.data = to_local(call.opens_at), to_local(call.closes_at)
    for entry, criterion in zip(form.criteria.entries, call.criteria, strict=False):
        sub = entry.form
        sub.criterion_id.data = str(criterion.id)
        sub.name.data, sub.weight.data = criterion.name, criterion.weight
        sub.low_anchor.data, sub.high_anchor.data = criterion.low_anchor, criterion.high_anchor
    while len(form.criteria.entries) < len(call.criteria) + 2:
        form.criteria.append_entry()
    return form


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def call_edit(call_id: int):
    the_call = call_or_404(call_id)
    if request.method == "GET":
        return render_template("incubator/call_form.html", form=_call_form(the_call), call=the_call)
    form = CallForm()
    if form.validate_on_submit():
        return commit_or_rerender(
            lambda: services.update_call(the_call, version=form.version.data, criteria=_criteria_from(form),
                                         by=current_user, **_call_fields(form)),
            form, "incubator/call_form.html", context={"call": the_call}, saved=_saved_call, record=the_call,
            done=lambda changes: _to_call(the_call, _("Call saved.")) if changes
            else _to_call(the_call, _("Nothing to change."), "info"))
    return render_template("incubator/call_form.html", form=form, call=the_call), REFUSED


@bp.route("/calls/<int:call_id>/second-round", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def second_round(call_id: int):
    """Opening the second round reveals the names to every reviewer: a page asks for confirmation first."""
    the_call = call_or_404(call_id)
    if request.method == "GET":
        if the_call.review_round != 1 or not the_call.is_blind_first_round:
            return redirect(url_for("incubator.applications", call_id=the_call.id), 303)
        return render_template("incubator/second_round.html", call=the_call, form=ConfirmForm(),
                               reviewers=queries.reviewer_count(the_call))
    if ConfirmForm().validate_on_submit():
        try:
            services.open_second_round(the_call, by=current_user)
        except Refused as refused:  # already open (another window): nothing to do but say so
            db.session.rollback()
            flash(refused.message, "warning")
        else:
            db.session.commit()
            flash(_("Second round open: reviewers now see the startups' names."), "success")
    return redirect(url_for("incubator.applications", call_id=the_call.id), 303)
