"""Reviews: the reviewer's declaration of interests, their scores (blind in a blind first round) and the deck."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core.refusals import Refused, Stale, refuse_at
from club.core.stale import stale_response
from club.core.storage import send_stored
from club.extensions import db
from club.forms import form_view
from club.incubator import bp, services
from club.incubator.forms import ConflictForm, ReviewForm, read_scores
from club.incubator.models import Review
from club.incubator.views.common import labels, review_or_404
from club.permissions import Role, role_required

REFUSED = 422


def _review_form(review: Review, **kwargs) -> ReviewForm:
    """The form filled with the review as saved."""
    return ReviewForm(obj=review, version=review.version,
                      recommendation=review.recommendation.value if review.recommendation else None, **kwargs)


def _review_context(review: Review, form: ReviewForm, *, typed: dict | None = None, bad: dict | None = None,
                    problems: dict | None = None, conflict_form: ConflictForm | None = None,
                    saved_scores: dict | None = None) -> dict:
    app_ = review.application
    if review.is_final:
        form.comment.render_kw = {"readonly": True}
    return {"review": review, "application": app_, "call": app_.call, "blind": app_.call.is_blind,
            "conflict_form": conflict_form or ConflictForm(formdata=None),
            "typed": review.score_by_criterion if typed is None else typed, "bad": bad or {},
            "problems": problems or {}, "saved_scores": saved_scores, "labels": labels()}


def _review_page(review: Review, form: ReviewForm, status: int = 200, **context):
    return render_template("incubator/review.html", form=form, **_review_context(review, form, **context)), status


def _saved_review(review: Review) -> dict:
    """The review as saved now, in the form's terms (its scores are shown at each criterion)."""
    return {"recommendation": review.recommendation.value if review.recommendation else None,
            "comment": review.comment}


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT, Role.PARTNER)
def review(review_id: int):
    the_review = review_or_404(review_id)
    if request.method == "GET":
        return _review_page(the_review, _review_form(the_review))
    if the_review.has_conflict is not False or the_review.is_final:
        flash(_("This review can no longer be changed."), "warning")
        return redirect(url_for("incubator.review", review_id=the_review.id), 303)
    form = ReviewForm()
    scores, bad = read_scores(request.form, the_review.application.call.criteria)
    if not form.validate_on_submit():
        return _review_page(the_review, form, REFUSED, typed=scores, bad=bad)
    if bad:
        form.form_errors.append(_("Scores go from 1 to 5."))
        return _review_page(the_review, form, REFUSED, typed=scores, bad=bad, problems=dict.fromkeys(bad, True))
    try:
        services.save_review(the_review, version=form.version.data, scores=scores,
                             comment=form.comment.data or "", recommendation=form.recommendation.data or None,
                             final=request.form.get("action") == "final", by=current_user)
        db.session.commit()
    except (Stale, StaleDataError):  # saved from another window: 409, both versions shown, the typed one kept
        db.session.rollback()
        the_review = review_or_404(review_id)
        return stale_response("incubator/review.html", form=form, saved=_saved_review(the_review),
                              version=the_review.version,
                              **_review_context(the_review, form, typed=scores,
                                                saved_scores=the_review.score_by_criterion))
    except Refused as refused:
        db.session.rollback()
        the_review = review_or_404(review_id)
        refuse_at(form, refused)
        return _review_page(the_review, form, REFUSED, typed=scores, problems=refused.problems)
    flash(_("Review marked final. Thank you.") if the_review.is_final else _("Review saved."), "success")
    return redirect(url_for("incubator.review", review_id=the_review.id), 303)


@bp.route("/reviews/<int:review_id>/conflict", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.PARTNER)
def conflict(review_id: int):
    the_review = review_or_404(review_id)
    form = ConflictForm()
    if not form.validate_on_submit():  # shown back with the note typed
        if form.has_conflict.errors and not form.has_conflict.data:
            form.has_conflict.errors[:] = [_("Say whether you have a conflict of interest.")]
        return _review_page(the_review, _review_form(the_review, formdata=None), REFUSED, conflict_form=form)
    try:
        services.declare_conflict(the_review, has_conflict=form.has_conflict.data == "yes", note=form.note.data,
                                  by=current_user)
        db.session.commit()
    except Refused as refused:  # declared already, or final: the review page says where it stands
        db.session.rollback()
        flash(refused.message, "warning")
        return redirect(url_for("incubator.review", review_id=the_review.id), 303)
    if the_review.has_conflict:
        flash(_("Your conflict of interest is recorded; any scores you gave are removed and this application is "
                "no longer assigned to you."), "info")
        return redirect(url_for("incubator.index"), 303)
    flash(_("No conflict of interest declared. You can now score the application."), "success")
    return redirect(url_for("incubator.review", review_id=the_review.id), 303)


@bp.route("/reviews/<int:review_id>/deck")
@role_required(Role.SECRETARIAT, Role.PARTNER)
def review_deck(review_id: int):
    the_review = review_or_404(review_id)
    if the_review.has_conflict is not False:
        abort(404)
    current = the_review.application.deck
    if current is None:
        abort(404)
    response = send_stored(current.file)
    if the_review.application.call.is_blind:
        response.headers.set("Content-Disposition", "attachment",
                             filename=f"application-{the_review.application_id}.pdf")
    return response
