"""The investment committee (secretariat): a meeting with its members, conflicts, votes and decision; a
correction of a decision, kept beside the decision as first written."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import REFUSED_STATUS, Refused, commit_or_rerender, refuse_at
from club.deals import bp, queries, services
from club.deals.forms import CorrectionForm, MeetingForm
from club.deals.models import Deal, Decision
from club.deals.views.page import SECRETARIAT, render_detail, today
from club.extensions import db
from club.forms import form_view
from club.permissions import get_visible_or_404, role_required


@bp.route("/<int:deal_id>/committee", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def committee(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = MeetingForm()
    if request.method == "GET":
        if not form.held_on.data:
            form.held_on.data = today()
        return render_template("deals/committee.html", deal=deal, form=form)
    if not form.validate_on_submit():
        return render_template("deals/committee.html", deal=deal, form=form), REFUSED_STATUS

    def recorded(_meeting):
        flash(_("Committee meeting and decision recorded."), "success")
        return redirect(url_for("deals.detail", deal_id=deal.id) + "#committee", 303)

    return commit_or_rerender(
        lambda: services.record_meeting(deal, by=current_user, held_on=form.held_on.data,
                                        quorum_reached=form.quorum_reached.data, members=form.member_rows(),
                                        decision=Decision(form.decision.data), minutes=form.minutes.data),
        form, "deals/committee.html", context={"deal": deal}, done=recorded)


@bp.route("/<int:deal_id>/committee/<int:meeting_id>/corrections", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def correct(deal_id: int, meeting_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    meeting = queries.meeting_of(deal, meeting_id) or abort(404)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            services.correct_decision(meeting, by=current_user, decision=Decision(form.decision.data),
                                      minutes=form.minutes.data)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Correction recorded; the decision as first written is kept."), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#committee", 303)
    return render_detail(deal, REFUSED_STATUS, correction_form=form, correction_meeting_id=meeting_id)
