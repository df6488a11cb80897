"""The applicant's portal: applying, the draft and its pitch deck, submitting, the application page (which the
secretariat reads too, with its own forms), the thread and withdrawing."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from club.core.audit import events_for
from club.core.refusals import Refused, Stale, refuse_at
from club.core.stale import stale_response
from club.core.storage import read_limited, send_stored
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.incubator import bp, queries, services
from club.incubator.forms import ApplicationForm, AssignForm, DeckForm, MessageForm, MoveForm, WithdrawForm
from club.incubator.models import OPEN_STATES, Application
from club.incubator.services import DECK_MAX_SIZE, DECK_REQUEST_LIMIT, EDITABLE_FIELDS
from club.incubator.views.common import application_or_404, call_or_404, labels, link_form
from club.permissions import Role, role_required, signed_in

REFUSED = 422

FIELD_LABELS = {
    "deck": _l("Pitch deck"),
    "consent": _l("Consent to data processing"),
}


@bp.route("/calls/<int:call_id>/apply", methods=["POST"])
@role_required(Role.APPLICANT)
def apply(call_id: int):
    the_call = call_or_404(call_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("incubator.call", call_id=the_call.id), 303)
    try:
        application = services.create_application(the_call, applicant=current_user)
        db.session.commit()
    except Refused as refused:  # the call closed meanwhile
        db.session.rollback()
        flash(refused.message, "danger")
        return redirect(url_for("incubator.index"), 303)
    except IntegrityError:  # a double click: the first one created it
        db.session.rollback()
        application = queries.application_for(the_call, current_user)
    return redirect(url_for("incubator.edit", application_id=application.id), 303)


@bp.route("/applications/<int:application_id>")
@signed_in
def application(application_id: int):
    app_ = application_or_404(application_id)
    if current_user.role == Role.PARTNER:  # a reviewer reads it on their review (blind where the round is)
        review = next(r for r in app_.reviews if r.reviewer_id == current_user.id)
        return redirect(url_for("incubator.review", review_id=review.id))
    return render_application(app_)


def render_application(app_: Application, status: int = 200, **forms):
    """The application page; ``forms`` are the refused ones, shown back with their errors and input."""
    blank = {"formdata": None}  # the other forms of the page never read a POST meant for another one
    context = {"application": app_, "labels": labels(), "message_form": forms.get("message_form")
               or MessageForm(**blank), "withdraw_form": forms.get("withdraw_form") or WithdrawForm(**blank),
               "confirm_form": ConfirmForm(**blank), "open_states": OPEN_STATES}
    if current_user.role == Role.SECRETARIAT:
        move_form = MoveForm(**blank)
        move_form.set_targets(services.secretariat_moves(app_))
        assign_form = forms.get("assign_form")
        if assign_form is None:
            assign_form = AssignForm(**blank)
            assign_form.set_reviewers(queries.reviewers())
        suggestions = services.suggested_organizations(app_)
        context.update(link_form=forms.get("link_form") or link_form(app_, suggestions, blank=True),
                       suggestions=suggestions, move_form=move_form, assign_form=assign_form,
                       stats=queries.stats_for(app_), criterion_averages=queries.criterion_averages(app_),
                       events=events_for("incubator_applications", app_.id, limit=20))
    return render_template("incubator/application.html", **context), status


def _saved_application(app_: Application) -> dict:
    """The draft as saved now, in the form's terms, for the fields the form sent (shown on a stale edit)."""
    saved = {}
    for name in EDITABLE_FIELDS:
        if name in request.form:
            value = getattr(app_, name)
            saved[name] = value.value if hasattr(value, "value") else value
    saved["consent"] = app_.consent_at is not None
    return saved


def _edit_page(app_: Application, form: ApplicationForm, status: int = 200, missing=()):
    return render_template("incubator/edit.html", form=form, missing=list(missing), **_edit_context(app_)), status


def _edit_context(app_: Application) -> dict:
    return {"application": app_, "field_labels": FIELD_LABELS, "labels": labels(),
            "max_mb": DECK_MAX_SIZE // (1024 * 1024)}


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.APPLICANT)
def edit(application_id: int):
    app_ = application_or_404(application_id)
    if not app_.can_edit(current_user):
        flash(_("A submitted application can no longer be edited."), "info")
        return redirect(url_for("incubator.application", application_id=app_.id), 303)
    if request.method == "GET":
        return _edit_page(app_, ApplicationForm(obj=app_, version=app_.version, consent=app_.consent_at is not None,
                                                stage=app_.stage.value if app_.stage else "",
                                                province=app_.province.value if app_.province else ""))
    form = ApplicationForm()
    upload = request.files.get("deck")
    upload = upload if upload is not None and upload.filename else None
    if not form.validate_on_submit():
        if upload is not None:
            form.deck.errors.append(_("Nothing was saved: correct the fields marked in red, then choose the file "
                                      "again."))
        return _edit_page(app_, form, REFUSED)
    data = {name: getattr(form, name).data for name in EDITABLE_FIELDS if name in request.form}
    deck_refused = None
    try:
        services.save_draft(app_, version=form.version.data, data=data, consent=form.consent.data, by=current_user)
        if upload is not None:  # the text is saved whatever becomes of the deck sent with it
            try:
                services.upload_deck(app_, data=read_limited(upload, DECK_MAX_SIZE), filename=upload.filename,
                                     by=current_user)
            except Refused as refused:
                deck_refused = refused.message
        db.session.commit()
    except (Stale, StaleDataError):  # saved from another window: 409, what was typed kept, both versions shown
        db.session.rollback()
        app_ = application_or_404(application_id)
        if upload is not None:
            form.deck.errors.append(_("The pitch deck was not saved either: choose the file again."))
        return stale_response("incubator/edit.html", form=form, saved=_saved_application(app_),
                              version=app_.version, missing=[], **_edit_context(app_))
    except Refused as refused:  # submitted from another window meanwhile
        db.session.rollback()
        refuse_at(form, refused)
        return _edit_page(application_or_404(application_id), form, REFUSED)
    if deck_refused is not None:
        app_ = application_or_404(application_id)
        form.version.data = app_.version
        form.form_errors.append(_("Your draft is saved, but the pitch deck was refused: %(reason)s",
                                  reason=deck_refused))
        form.deck.errors.append(deck_refused)
        return _edit_page(app_, form, REFUSED)
    if request.form.get("action") != "submit":
        flash(_("Draft and pitch deck saved.") if upload is not None else _("Draft saved."), "success")
        return redirect(url_for("incubator.edit", application_id=app_.id), 303)
    try:
        services.submit(app_, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        app_ = application_or_404(application_id)
        form.version.data = app_.version
        form.form_errors.append(_("Your draft is saved, but it could not be submitted: %(reason)s",
                                  reason=refused.message))
        for name in refused.problems:
            if name in EDITABLE_FIELDS:
                getattr(form, name).errors.append(_("Required to submit."))
        return _edit_page(app_, form, REFUSED, missing=refused.problems)
    flash(_("Your application is submitted. You can follow its progress here."), "success")
    return redirect(url_for("incubator.application", application_id=app_.id), 303)


@bp.url_value_preprocessor
def _larger_request_for_the_application_form(endpoint, values):
    """The application form carries the deck: a file over the deck limit is refused at the field with the
    text saved, so the request limit of this one form leaves room above the deck limit. (This runs before
    the CSRF check reads the body.)"""
    if endpoint == "incubator.edit" and request.method == "POST":
        request.max_content_length = max(current_app.config.get("MAX_CONTENT_LENGTH") or 0, DECK_REQUEST_LIMIT)


@bp.route("/applications/<int:application_id>/deck", methods=["POST"])
@form_view
@role_required(Role.APPLICANT)
def deck(application_id: int):
    app_ = application_or_404(application_id)
    form = DeckForm()
    if form.validate_on_submit():
        upload = request.files.get("deck")
        if upload is None or not upload.filename:
            flash(_("Choose a PDF file to upload."), "danger")
        else:
            try:
                services.upload_deck(app_, data=read_limited(upload, DECK_MAX_SIZE), filename=upload.filename,
                                     by=current_user)
                db.session.commit()
            except Refused as refused:
                db.session.rollback()
                flash(_("Pitch deck refused: %(reason)s Your draft is unchanged.", reason=refused.message),
                      "danger")
            else:
                flash(_("Pitch deck uploaded."), "success")
    return redirect(url_for("incubator.edit", application_id=app_.id), 303)


@bp.route("/applications/<int:application_id>/decks/<int:deck_id>")
@role_required(Role.APPLICANT, Role.SECRETARIAT)
def deck_download(application_id: int, deck_id: int):
    version = queries.deck_of(application_or_404(application_id), deck_id)
    if version is None:
        abort(404)
    return send_stored(version.file)


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@role_required(Role.APPLICANT, Role.SECRETARIAT)
def withdraw(application_id: int):
    app_ = application_or_404(application_id)
    form = WithdrawForm()
    if not form.validate_on_submit():  # a note too long, an expired form: shown back with what was typed
        return render_application(app_, REFUSED, withdraw_form=form)
    try:
        services.withdraw(app_, by=current_user, note=form.note.data)
        db.session.commit()
    except Refused as refused:  # withdrawn or decided meanwhile: the page says where it stands
        db.session.rollback()
        flash(refused.message, "danger")
    else:
        flash(_("The application is withdrawn."), "success")
    return redirect(url_for("incubator.application", application_id=app_.id), 303)


@bp.route("/applications/<int:application_id>/messages", methods=["POST"])
@role_required(Role.APPLICANT, Role.SECRETARIAT)
def message(application_id: int):
    app_ = application_or_404(application_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.post_message(app_, body=form.body.data, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Message sent."), "success")
            return redirect(url_for("incubator.application", application_id=app_.id, _anchor="messages"), 303)
    return render_application(application_or_404(application_id), REFUSED, message_form=form)
