"""Afterwards: the report, the follow-up actions, the organisations the mission brought and the deals it led to,
all on the report page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import REFUSED_STATUS, Refused, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.members.models import Organization
from club.missions import bp, queries, services
from club.missions.forms import ActionForm, DealLinkForm, OutcomeForm, ReportForm
from club.missions.models import FollowUpAction, Mission, MissionDeal, MissionOutcome
from club.missions.views.common import back_to, in_mission_or_404, mission_or_404
from club.permissions import Role, role_required


def _report_context(mission: Mission, **forms) -> dict:
    """What the report page shows besides the report form, with the form that failed (if any) keeping what was
    typed."""
    return {"mission": mission, "actions": queries.follow_up_actions(mission.id),
            "outcomes": queries.outcomes(mission.id), "deals": queries.mission_deals(mission.id),
            "confirm": ConfirmForm(), "action_form": ActionForm(prefix="action"),
            "outcome_form": OutcomeForm(prefix="outcome"), "deal_form": DealLinkForm(prefix="deal"), **forms}


def _report_values(report) -> dict:
    """The report as its form holds it: the version saved now, shown beside a stale edit."""
    return {"outcomes": report.outcomes or "", "contacts_made": report.contacts_made or ""}


@bp.route("/<int:mission_id>/report", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def report(mission_id: int):
    mission = mission_or_404(mission_id)
    existing = mission.report
    if request.method == "GET":
        form = ReportForm(obj=existing, version=existing.version if existing else "")
    else:
        form = ReportForm()
    if form.validate_on_submit():
        def saved(_report):
            flash(_("Report saved."), "success")
            return back_to(mission, "#report")

        return commit_or_rerender(
            lambda: services.save_report(mission, outcomes=form.outcomes.data, contacts_made=form.contacts_made.data,
                                         version=form.version.data, by=current_user),
            form, "missions/report.html", context=_report_context(mission), saved=_report_values, record=existing,
            done=saved)
    return render_template("missions/report.html", form=form, **_report_context(mission))


def _report_page(mission: Mission, **forms):
    """The report page again, with a form of its lower half refused (422)."""
    return render_template("missions/report.html", form=ReportForm(obj=mission.report),
                           **_report_context(mission, **forms)), REFUSED_STATUS


@bp.route("/<int:mission_id>/actions", methods=["POST"])
@role_required(Role.SECRETARIAT)
def action_new(mission_id: int):
    mission = mission_or_404(mission_id)
    form = ActionForm(prefix="action")
    if form.validate_on_submit():
        services.add_action(mission, task=form.task.data, owner_organization_id=form.owner_organization_id.data,
                            owner_name=form.owner_name.data, due_on=form.due_on.data, by=current_user)
        db.session.commit()
        flash(_("Follow-up action added."), "success")
        return redirect(url_for("missions.report", mission_id=mission.id) + "#actions", 303)
    return _report_page(mission, action_form=form)


@bp.route("/<int:mission_id>/actions/<int:action_id>/done", methods=["POST"])
@role_required(Role.SECRETARIAT)
def action_done(mission_id: int, action_id: int):
    mission = mission_or_404(mission_id)
    action = in_mission_or_404(FollowUpAction, action_id, mission)
    if ConfirmForm().validate_on_submit():
        services.set_action_done(action, not action.is_done, by=current_user)
        db.session.commit()
    return redirect(url_for("missions.report", mission_id=mission.id) + "#actions", 303)


def _add_link(mission_id: int, form, field, load, add, done_message, anchor: str, form_name: str):
    """Link an organisation or a deal to a mission from the report page: one flow for both. By hand, not
    ``commit_or_rerender``: the page's ``form`` is the report's, this one is ``form_name``."""
    mission = mission_or_404(mission_id)
    if form.validate_on_submit():
        target = load(field.data)
        try:
            add(mission, target, note=form.note.data, by=current_user)
            message = done_message(target)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(message, "success")
            return redirect(url_for("missions.report", mission_id=mission.id) + anchor, 303)
    return _report_page(mission, **{form_name: form})


@bp.route("/<int:mission_id>/outcomes", methods=["POST"])
@role_required(Role.SECRETARIAT)
def outcome_new(mission_id: int):
    form = OutcomeForm(prefix="outcome")
    return _add_link(mission_id, form, form.organization_id, lambda ident: db.session.get(Organization, ident),
                     services.add_outcome, lambda org: _("%(name)s linked to this mission.", name=org.name),
                     "#outcomes", "outcome_form")


@bp.route("/<int:mission_id>/deals", methods=["POST"])
@role_required(Role.SECRETARIAT)
def deal_link_new(mission_id: int):
    from club.deals.models import Deal

    form = DealLinkForm(prefix="deal")
    return _add_link(mission_id, form, form.deal_id, lambda ident: db.session.get(Deal, ident),
                     services.add_deal_link, lambda deal: _("%(title)s linked to this mission.", title=deal.title),
                     "#deals", "deal_form")


@bp.route("/<int:mission_id>/deals/<int:deal_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def deal_link_delete(mission_id: int, deal_id: int):
    mission = mission_or_404(mission_id)
    link = db.session.get(MissionDeal, (mission.id, deal_id))
    if link is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_deal_link(link, by=current_user)
        db.session.commit()
        flash(_("Link removed."), "success")
    return redirect(url_for("missions.report", mission_id=mission.id) + "#deals", 303)


@bp.route("/<int:mission_id>/outcomes/<int:org_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def outcome_delete(mission_id: int, org_id: int):
    mission = mission_or_404(mission_id)
    outcome = db.session.get(MissionOutcome, (mission.id, org_id))
    if outcome is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_outcome(outcome, by=current_user)
        db.session.commit()
        flash(_("Link removed."), "success")
    return redirect(url_for("missions.report", mission_id=mission.id) + "#outcomes", 303)
