"""Between the secretariat and the partners: sharing a deal with a partner organisation (and revoking it),
whether partners read each other's opinions, each organisation's comment thread, a partner's opinion."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from club.core.refusals import REFUSED_STATUS, Refused, refuse_at
from club.deals import bp, queries, services
from club.deals.forms import CommentForm, OpinionForm, ShareForm
from club.deals.models import Deal, Verdict
from club.deals.views.page import PARTNER, SECRETARIAT, render_detail
from club.extensions import db
from club.forms import ConfirmForm, choices, form_view
from club.permissions import get_visible_or_404, role_required


@bp.route("/<int:deal_id>/shares", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def add_share(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = ShareForm()
    form.organization_id.choices = choices(queries.partner_organisations())
    if not form.validate_on_submit():
        return render_detail(deal, REFUSED_STATUS, share_form=form)
    organization = queries.organisation(form.organization_id.data)
    name = organization.name
    try:
        shared = services.share(deal, organization, by=current_user)
        db.session.commit()
    except IntegrityError:  # the same share saved at the same moment by someone else
        db.session.rollback()
        shared = None
    if shared:
        flash(_("Deal shared with %(name)s.", name=name), "success")
    else:
        flash(_("The deal was already shared with %(name)s.", name=name), "info")
    return redirect(url_for("deals.detail", deal_id=deal.id) + "#shares", 303)


@bp.route("/<int:deal_id>/shares/<int:share_id>/revoke", methods=["POST"])
@role_required(SECRETARIAT)
def revoke_share(deal_id: int, share_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    row = queries.share_of(deal, share_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        name = row.organization.name
        services.revoke(row, by=current_user)
        db.session.commit()
        flash(_("%(name)s no longer sees this deal.", name=name), "success")
    return redirect(url_for("deals.detail", deal_id=deal.id) + "#shares", 303)


@bp.route("/<int:deal_id>/opinions-open", methods=["POST"])
@role_required(SECRETARIAT)
def opinions_open(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    if ConfirmForm().validate_on_submit():
        services.set_opinions_open(deal, request.form.get("open") == "1", by=current_user)
        db.session.commit()
        flash(_("Partners now see each other's opinions on this deal.") if deal.opinions_open
              else _("Partners see only their own opinion on this deal."), "success")
    return redirect(url_for("deals.detail", deal_id=deal.id) + "#opinions", 303)


@bp.route("/<int:deal_id>/comments", methods=["POST"])
@form_view
@role_required(SECRETARIAT, PARTNER)
def add_comment(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = CommentForm()
    if form.validate_on_submit():
        # A partner writes in their organisation's thread, whatever the form says; the secretariat chooses.
        org = form.organization_id.data if current_user.role == SECRETARIAT else current_user.organization_id
        try:
            services.add_comment(deal, form.body.data, by=current_user, organization_id=org)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Comment added."), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#comments", 303)
    return render_detail(deal, REFUSED_STATUS, comment_form=form)


def _give_opinion(deal: Deal, form: OpinionForm) -> None:
    services.give_opinion(deal, by=current_user, verdict=Verdict(form.verdict.data), comment=form.comment.data or "")
    db.session.commit()


@bp.route("/<int:deal_id>/opinion", methods=["POST"])
@form_view
@role_required(PARTNER)
def give_opinion(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = OpinionForm()
    if form.validate_on_submit():
        try:
            try:
                _give_opinion(deal, form)
            except IntegrityError:  # a double submit: the first one created it, this one updates it
                db.session.rollback()
                _give_opinion(deal, form)
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Your opinion is recorded. You can change it while the deal is in committee."), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#opinions", 303)
    return render_detail(deal, REFUSED_STATUS, opinion_form=form)
