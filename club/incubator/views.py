"""Incubator screens: public calls, the applicant portal, the secretariat's workflow, reviews, cohort."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from club.auth.models import User
from club.core.audit import events_for
from club.core.exports import csv_response
from club.core.pagination import Page, page_number, paginate
from club.core.storage import read_limited, send_stored
from club.extensions import db
from club.forms import ConfirmForm, as_id, form_view
from club.htmx import render_page_or_partial
from club.incubator import bp, queries, services
from club.incubator.forms import (
    ApplicationForm,
    AssignForm,
    CallForm,
    ConflictForm,
    DeckForm,
    FilterForm,
    LinkOrganizationForm,
    MessageForm,
    MoveForm,
    ReviewForm,
    WithdrawForm,
    read_scores,
    to_local,
    to_utc,
)
from club.incubator.models import (
    OPEN_STATES,
    RECOMMENDATION_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    Application,
    Call,
    DeckVersion,
    Review,
    Status,
)
from club.incubator.services import DECK_MAX_SIZE, DECK_REQUEST_LIMIT, EDITABLE_FIELDS, Refused, StaleVersion
from club.members.models import PROVINCE_LABELS, Organization
from club.permissions import Role, get_visible_or_404, public, role_required, signed_in

FIELD_LABELS = {
    "deck": _l("Pitch deck"),
    "consent": _l("Consent to data processing"),
}


@bp.app_template_filter("score")
def score_filter(value, digits: int = 2) -> str:
    """A score or an average in the reader's locale ("3,70" in French), a dash when there is none."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "0" * digits)


def _labels():
    return {"status": STATUS_LABELS, "stage": STAGE_LABELS, "province": PROVINCE_LABELS,
            "recommendation": RECOMMENDATION_LABELS}


def _version(form) -> int:
    """The version token the form was loaded with; a forged or missing one never matches (a stale edit)."""
    value = as_id(form.version.data)
    return -1 if value is None else value


def _call_or_404(call_id: int) -> Call:
    return get_visible_or_404(Call, call_id)


def _secretariat_call(call_id: int) -> Call:
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    return call


def _application_or_404(application_id: int) -> Application:
    application = queries.load_application(application_id)
    if application is None or not application.is_visible_to(current_user):
        abort(404)
    return application


# Calls -------------------------------------------------------------------------------------------

@bp.route("/")
@public
def index():
    context = {"open_calls": queries.open_calls(), "labels": _labels()}
    if current_user.is_authenticated:
        role = current_user.role
        if role == Role.APPLICANT:
            context["my_applications"] = queries.applications_of(current_user)
        if role in (Role.PARTNER, Role.SECRETARIAT):
            context["assignments"] = queries.assignments_of(current_user)
        if role == Role.SECRETARIAT:
            context["calls"] = queries.all_calls_with_counts()
    return render_template("incubator/index.html", **context)


@bp.route("/calls/<int:call_id>")
@public
def call(call_id: int):
    the_call = _call_or_404(call_id)
    mine = None
    if current_user.is_authenticated and current_user.role == Role.APPLICANT:
        mine = db.session.scalar(sa.select(Application).where(Application.call_id == the_call.id,
                                                              Application.applicant_id == current_user.id))
    return render_template("incubator/call.html", call=the_call, mine=mine, form=ConfirmForm())


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


@bp.route("/calls/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def call_new():
    form = CallForm()
    if request.method == "GET":
        form.is_blind_first_round.data = True
    if form.validate_on_submit():
        if db.session.scalar(sa.select(Call.id).where(Call.title == form.title.data)):
            form.title.errors.append(_("A call with this title already exists."))
        else:
            try:
                new_call = services.create_call(**_call_fields(form), criteria=_criteria_from(form), by=current_user)
            except Refused as exc:
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("Call created."), "success")
                return redirect(url_for("incubator.call", call_id=new_call.id), 303)
    return render_template("incubator/call_form.html", form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def call_edit(call_id: int):
    the_call = _secretariat_call(call_id)
    if request.method == "GET":
        form = CallForm(obj=the_call, version=the_call.version)
        # Moroccan time in the fields (obj= would win over keyword values and show UTC)
        form.opens_at.data, form.closes_at.data = to_local(the_call.opens_at), to_local(the_call.closes_at)
        for entry, criterion in zip(form.criteria.entries, the_call.criteria, strict=False):
            sub = entry.form
            sub.criterion_id.data = str(criterion.id)
            sub.name.data, sub.weight.data = criterion.name, criterion.weight
            sub.low_anchor.data, sub.high_anchor.data = criterion.low_anchor, criterion.high_anchor
        while len(form.criteria.entries) < len(the_call.criteria) + 2:
            form.criteria.append_entry()
    else:
        form = CallForm()
    stale = None
    if form.validate_on_submit():
        duplicate = db.session.scalar(sa.select(Call.id).where(Call.title == form.title.data, Call.id != the_call.id))
        if duplicate:
            form.title.errors.append(_("A call with this title already exists."))
        else:
            try:
                changes = services.update_call(the_call, version=_version(form),
                                               criteria=_criteria_from(form), by=current_user, **_call_fields(form))
            except StaleVersion as exc:
                db.session.rollback()
                stale = the_call
                form.form_errors.append(exc.message)
                form.version.data = the_call.version
            except Refused as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("Call saved.") if changes else _("Nothing to change."), "success" if changes else "info")
                return redirect(url_for("incubator.call", call_id=the_call.id), 303)
    return render_template("incubator/call_form.html", form=form, call=the_call, stale=stale), 409 if stale else 200


@bp.route("/calls/<int:call_id>/second-round", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def second_round(call_id: int):
    """Opening the second round reveals the names to every reviewer: a page asks for confirmation first."""
    the_call = _secretariat_call(call_id)
    if request.method == "GET":
        if the_call.review_round != 1 or not the_call.is_blind_first_round:
            return redirect(url_for("incubator.applications", call_id=the_call.id), 303)
        reviewers = db.session.scalar(sa.select(sa.func.count(sa.distinct(Review.reviewer_id))).join(Application)
                                      .where(Application.call_id == the_call.id, Review.has_conflict.is_not(True)))
        return render_template("incubator/second_round.html", call=the_call, form=ConfirmForm(), reviewers=reviewers)
    if ConfirmForm().validate_on_submit():
        try:
            services.open_second_round(the_call, by=current_user)
        except Refused as exc:
            flash(exc.message, "warning")
        else:
            db.session.commit()
            flash(_("Second round open: reviewers now see the startups' names."), "success")
    return redirect(url_for("incubator.applications", call_id=the_call.id), 303)


@bp.route("/calls/<int:call_id>/applications")
@role_required(Role.SECRETARIAT)
def applications(call_id: int):
    the_call = _secretariat_call(call_id)
    filters = FilterForm(request.args)
    filters.validate()
    page = paginate(queries.call_applications(the_call, status=filters.status.data, q=filters.q.data))
    stats = queries.stats_by_application([a.id for a in page.items])
    assign_form = AssignForm()
    assign_form.set_reviewers(queries.reviewers())
    return render_page_or_partial("incubator/applications.html", "incubator/_applications.html", call=the_call,
                                  page=page, stats=stats, filters=filters, assign_form=assign_form,
                                  labels=_labels(), confirm_form=ConfirmForm())


@bp.route("/calls/<int:call_id>/assign", methods=["POST"])
@role_required(Role.SECRETARIAT)
def assign_bulk(call_id: int):
    the_call = _secretariat_call(call_id)
    form = AssignForm()
    form.set_reviewers(queries.reviewers())
    ids = [i for i in map(as_id, request.form.getlist("application_ids")) if i is not None]
    if not form.validate_on_submit():
        flash(_("Choose a reviewer."), "danger")
    elif not ids:
        flash(_("Tick the applications to assign."), "danger")
    else:
        reviewer = db.session.get(User, int(form.reviewer.data))
        chosen = list(db.session.scalars(sa.select(Application).where(Application.id.in_(ids),
                                                                      Application.call_id == the_call.id)))
        try:
            created, existing = services.assign(chosen, reviewer, by=current_user)
        except Refused as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            message = ngettext("%(name)s assigned to %(num)s application.", "%(name)s assigned to %(num)s applications.",
                               len(created), name=reviewer.name)
            if existing:
                message += " " + ngettext("%(num)s was already assigned.", "%(num)s were already assigned.", existing)
            flash(message, "success")
    return redirect(url_for("incubator.applications", call_id=the_call.id, **request.args), 303)


@bp.route("/calls/<int:call_id>/ranking")
@role_required(Role.SECRETARIAT)
def ranking(call_id: int):
    the_call = _secretariat_call(call_id)
    # Counting the ranked rows needs no scores: count the applications, then fetch one page of the ranking.
    per_page = 100
    total = queries.ranked_count(the_call)
    number = min(page_number(), max(1, -(-total // per_page)))
    rows = list(db.session.execute(queries.ranking(the_call).limit(per_page).offset((number - 1) * per_page)))
    page = Page(items=rows, page=number, per_page=per_page, total=total)
    return render_template("incubator/ranking.html", call=the_call, page=page, labels=_labels())


@bp.route("/calls/<int:call_id>/scores.csv")
@role_required(Role.SECRETARIAT)
def scores_csv(call_id: int):
    the_call = _secretariat_call(call_id)
    criteria = the_call.criteria
    total = sum(c.weight for c in criteria) or 1
    header = ([_("Application"), _("Startup"), _("Status"), _("Reviewer"), _("Final")]
              + [f"{c.name} (×{c.weight})" for c in criteria] + [_("Weighted score"), _("Recommendation"), _("Comment")])

    def rows():
        for review in queries.scores_export(the_call):
            by_criterion = review.score_by_criterion
            complete = all(c.id in by_criterion for c in criteria)
            weighted = (round(sum(by_criterion[c.id] * c.weight for c in criteria) / total, 2) if complete else "")
            app_ = review.application
            yield [app_.id, app_.startup_name, str(STATUS_LABELS[app_.status]), review.reviewer.name,
                   _("yes") if review.is_final else _("no"), *[by_criterion.get(c.id, "") for c in criteria],
                   weighted, str(review.recommendation_label or ""), review.comment]

    return csv_response(f"scores-call-{the_call.id}.csv", header, rows())


@bp.route("/calls/<int:call_id>/cohort")
@role_required(Role.SECRETARIAT)
def cohort(call_id: int):
    the_call = _secretariat_call(call_id)
    rows = queries.cohort(the_call)
    totals = {"jobs_12m": sum(a.jobs_12m or 0 for a in rows), "jobs_36m": sum(a.jobs_36m or 0 for a in rows)}
    return render_template("incubator/cohort.html", call=the_call, rows=rows, totals=totals, labels=_labels())


# The applicant's portal ---------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/apply", methods=["POST"])
@role_required(Role.APPLICANT)
def apply(call_id: int):
    the_call = _call_or_404(call_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("incubator.call", call_id=the_call.id), 303)
    try:
        application = services.create_application(the_call, applicant=current_user)
    except Refused as exc:
        flash(exc.message, "danger")
        return redirect(url_for("incubator.index"), 303)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a double click: the first one created it
        db.session.rollback()
        application = db.session.scalar(sa.select(Application).where(Application.call_id == the_call.id,
                                                                     Application.applicant_id == current_user.id))
    return redirect(url_for("incubator.edit", application_id=application.id), 303)


@bp.route("/applications/<int:application_id>")
@signed_in
def application(application_id: int):
    app_ = _application_or_404(application_id)
    if current_user.role == Role.PARTNER:
        review = next(r for r in app_.reviews if r.reviewer_id == current_user.id)
        return redirect(url_for("incubator.review", review_id=review.id))
    return _render_application(app_)


def _render_application(app_: Application, status: int = 200, **forms):
    """The application page; ``forms`` are the refused ones, shown back with their errors and input."""
    blank = {"formdata": None}  # the other forms of the page never read a POST meant for another one
    context = {"application": app_, "labels": _labels(), "message_form": forms.get("message_form")
               or MessageForm(**blank), "withdraw_form": forms.get("withdraw_form") or WithdrawForm(**blank),
               "confirm_form": ConfirmForm(**blank), "open_states": OPEN_STATES}
    if current_user.role == Role.SECRETARIAT:
        move_form = MoveForm(**blank)
        move_form.set_targets(services.secretariat_moves(app_))
        assign_form = AssignForm(**blank)
        assign_form.set_reviewers(queries.reviewers())
        link_form = LinkOrganizationForm(**blank)
        link_form.set_choices(app_, services.suggested_organizations(app_), _organization_choices(),
                           can_create=app_.status in services.HOLDS_A_PLACE)
        context.update(link_form=link_form, suggestions=services.suggested_organizations(app_))
        context.update(move_form=move_form, assign_form=assign_form, stats=queries.stats_for(app_),
                       criterion_averages=queries.criterion_averages(app_),
                       events=events_for("incubator_applications", app_.id, limit=20))
    return render_template("incubator/application.html", **context), status


def _stale_differences(app_: Application, form: ApplicationForm) -> list[dict]:
    rows = []
    for name in EDITABLE_FIELDS:
        saved = getattr(app_, name)
        saved = saved.value if hasattr(saved, "value") else saved
        typed = getattr(form, name).data
        if (saved or None) != (typed or None):
            rows.append({"label": getattr(form, name).label.text, "saved": saved, "typed": typed})
    return rows


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.APPLICANT)
def edit(application_id: int):
    app_ = _application_or_404(application_id)
    if not app_.can_edit(current_user):
        flash(_("A submitted application can no longer be edited."), "info")
        return redirect(url_for("incubator.application", application_id=app_.id), 303)
    if request.method == "GET":
        form = ApplicationForm(obj=app_, version=app_.version, consent=app_.consent_at is not None,
                               stage=app_.stage.value if app_.stage else "",
                               province=app_.province.value if app_.province else "")
    else:
        form = ApplicationForm()
    missing: list[str] = []
    stale = None
    status = 200
    upload = request.files.get("deck") if request.method == "POST" else None
    upload = upload if upload is not None and upload.filename else None
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in EDITABLE_FIELDS if name in request.form}
        try:
            services.save_draft(app_, version=_version(form), data=data, consent=form.consent.data,
                                by=current_user)
        except StaleVersion as exc:
            db.session.rollback()
            app_ = _application_or_404(application_id)
            stale = _stale_differences(app_, form)
            form.form_errors.append(exc.message)
            form.version.data = app_.version
            status = 409
            if upload is not None:
                form.deck.errors.append(_("The pitch deck was not saved either: choose the file again."))
        else:
            # The text is saved whatever becomes of the deck sent with it.
            deck_refused = None
            if upload is not None:
                try:
                    services.upload_deck(app_, data=read_limited(upload, DECK_MAX_SIZE), filename=upload.filename,
                                         by=current_user)
                except Refused as exc:
                    deck_refused = exc.message
            db.session.commit()
            if deck_refused is not None:
                app_ = _application_or_404(application_id)
                form.version.data = app_.version
                form.form_errors.append(_("Your draft is saved, but the pitch deck was refused: %(reason)s",
                                          reason=deck_refused))
                form.deck.errors.append(deck_refused)
                status = 422
            elif request.form.get("action") != "submit":
                flash(_("Draft and pitch deck saved.") if upload is not None else _("Draft saved."), "success")
                return redirect(url_for("incubator.edit", application_id=app_.id), 303)
            else:
                try:
                    services.submit(app_, by=current_user)
                except Refused as exc:
                    db.session.rollback()
                    app_ = _application_or_404(application_id)
                    form.version.data = app_.version
                    form.form_errors.append(_("Your draft is saved, but it could not be submitted: %(reason)s",
                                              reason=exc.message))
                    missing = list(exc.problems)
                    for name in missing:
                        if name in EDITABLE_FIELDS:
                            getattr(form, name).errors.append(_("Required to submit."))
                    status = 422
                else:
                    db.session.commit()
                    flash(_("Your application is submitted. You can follow its progress here."), "success")
                    return redirect(url_for("incubator.application", application_id=app_.id), 303)
    elif request.method == "POST":
        status = 422
        if upload is not None:
            form.deck.errors.append(_("Nothing was saved: correct the fields marked in red, then choose the file "
                                      "again."))
    return render_template("incubator/edit.html", application=app_, form=form, missing=missing,
                           field_labels=FIELD_LABELS, stale=stale, labels=_labels(),
                           max_mb=DECK_MAX_SIZE // (1024 * 1024)), status


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
    app_ = _application_or_404(application_id)
    form = DeckForm()
    if form.validate_on_submit():
        upload = request.files.get("deck")
        if upload is None or not upload.filename:
            flash(_("Choose a PDF file to upload."), "danger")
        else:
            data = read_limited(upload, DECK_MAX_SIZE)
            try:
                services.upload_deck(app_, data=data, filename=upload.filename, by=current_user)
            except Refused as exc:
                db.session.rollback()
                flash(_("Pitch deck refused: %(reason)s Your draft is unchanged.", reason=exc.message), "danger")
            else:
                db.session.commit()
                flash(_("Pitch deck uploaded."), "success")
    return redirect(url_for("incubator.edit", application_id=app_.id), 303)


@bp.route("/applications/<int:application_id>/decks/<int:deck_id>")
@role_required(Role.APPLICANT, Role.SECRETARIAT)
def deck_download(application_id: int, deck_id: int):
    app_ = _application_or_404(application_id)
    version = db.session.get(DeckVersion, deck_id)
    if version is None or version.application_id != app_.id:
        abort(404)
    return send_stored(version.file)


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@role_required(Role.APPLICANT, Role.SECRETARIAT)
def withdraw(application_id: int):
    app_ = _application_or_404(application_id)
    form = WithdrawForm()
    if not form.validate_on_submit():  # a note too long, an expired form: shown back with what was typed
        return _render_application(app_, 422, withdraw_form=form)
    try:
        services.withdraw(app_, by=current_user, note=form.note.data)
    except Refused as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("The application is withdrawn."), "success")
    return redirect(url_for("incubator.application", application_id=app_.id), 303)


@bp.route("/applications/<int:application_id>/messages", methods=["POST"])
@role_required(Role.APPLICANT, Role.SECRETARIAT)
def message(application_id: int):
    app_ = _application_or_404(application_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.post_message(app_, body=form.body.data, by=current_user)
        except Refused as exc:
            db.session.rollback()
            form.body.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Message sent."), "success")
            return redirect(url_for("incubator.application", application_id=app_.id, _anchor="messages"), 303)
    return _render_application(_application_or_404(application_id), 422, message_form=form)


# The secretariat's workflow ----------------------------------------------------------------------

@bp.route("/applications/<int:application_id>/move", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def move(application_id: int):
    app_ = _application_or_404(application_id)
    targets = services.secretariat_moves(app_)
    if request.method == "GET":
        wanted = request.args.get("to_status", "")
        if wanted not in {s.value for s in targets}:
            if wanted:
                flash(_("An application cannot move from %(old)s to %(new)s.", old=STATUS_LABELS[app_.status],
                        new=STATUS_LABELS.get(Status(wanted), wanted) if wanted in Status._value2member_map_
                        else wanted), "danger")
            return redirect(url_for("incubator.application", application_id=app_.id), 303)
        subject, body = services.default_move_mail(app_, Status(wanted))
        form = MoveForm(to_status=wanted, version=app_.version, subject=subject, body=body)
        form.set_targets(targets)
        return render_template("incubator/move.html", application=app_, form=form, labels=_labels(),
                               places_taken=services.places_taken(app_.call))
    form = MoveForm()
    form.set_targets(targets)
    if form.validate_on_submit():
        try:
            services.move(app_, Status(form.to_status.data), by=current_user, version=_version(form),
                          note=form.note.data,
                          mail_subject=form.subject.data if form.send_mail.data else None,
                          mail_body=form.body.data if form.send_mail.data else None)
        except Refused as exc:  # a stale version included: the typed note and email are kept
            db.session.rollback()
            app_ = _application_or_404(application_id)
            form.form_errors.append(exc.message)
            form.version.data = app_.version
            stale = isinstance(exc, StaleVersion)
            return render_template("incubator/move.html", application=app_, form=form, labels=_labels(),
                                   places_taken=services.places_taken(app_.call), stale=stale), 409 if stale else 200
        db.session.commit()
        flash(_("Status changed to %(status)s.", status=STATUS_LABELS[Status(form.to_status.data)]), "success")
        return redirect(url_for("incubator.application", application_id=app_.id), 303)
    if form.to_status.errors:
        flash(_("This move is not allowed from the current status."), "danger")
        return redirect(url_for("incubator.application", application_id=app_.id), 303)
    return render_template("incubator/move.html", application=app_, form=form, labels=_labels(),
                           places_taken=services.places_taken(app_.call))


def _organization_choices():
    from club.members.queries import organization_choices

    return organization_choices()


def _link_form(app_: Application) -> LinkOrganizationForm:
    form = LinkOrganizationForm()
    form.set_choices(app_, services.suggested_organizations(app_), _organization_choices(),
                           can_create=app_.status in services.HOLDS_A_PLACE)
    return form


@bp.route("/applications/<int:application_id>/organization", methods=["POST"])
@role_required(Role.SECRETARIAT)
def link_organization(application_id: int):
    app_ = _application_or_404(application_id)
    form = _link_form(app_)
    if not form.validate_on_submit():
        flash(_("Choose the organisation of the startup."), "danger")
    else:
        chosen = None if form.organization.data == "new" else db.session.get(Organization, int(form.organization.data))
        try:
            org = services.link_organization(app_, chosen, by=current_user)
        except Refused as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("The application is linked to %(name)s.", name=org.name), "success")
    return redirect(url_for("incubator.application", application_id=app_.id, _anchor="organization-title"), 303)


@bp.route("/applications/<int:application_id>/reviewers", methods=["POST"])
@role_required(Role.SECRETARIAT)
def assign(application_id: int):
    app_ = _application_or_404(application_id)
    form = AssignForm()
    form.set_reviewers(queries.reviewers())
    if form.validate_on_submit():
        reviewer = db.session.get(User, int(form.reviewer.data))
        try:
            created, existing = services.assign([app_], reviewer, by=current_user)
        except Refused as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            if created:
                flash(_("%(name)s will review this application.", name=reviewer.name), "success")
            elif existing:
                flash(_("%(name)s was already assigned.", name=reviewer.name), "info")
            else:
                flash(_("A draft cannot be reviewed."), "warning")
    else:
        flash(_("Choose a reviewer."), "danger")
    return redirect(url_for("incubator.application", application_id=app_.id, _anchor="reviews"), 303)


@bp.route("/applications/<int:application_id>/reviews/<int:review_id>/remove", methods=["POST"])
@role_required(Role.SECRETARIAT)
def unassign(application_id: int, review_id: int):
    app_ = _application_or_404(application_id)
    review = db.session.get(Review, review_id)
    if review is None or review.application_id != app_.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.unassign(review, by=current_user)
        except Refused as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Assignment removed."), "success")
    return redirect(url_for("incubator.application", application_id=app_.id, _anchor="reviews"), 303)


# Reviews -----------------------------------------------------------------------------------------

def _review_or_404(review_id: int) -> Review:
    return get_visible_or_404(Review, review_id)


def _render_review(review: Review, form: ReviewForm, *, typed: dict | None = None, bad: dict | None = None,
                   problems: dict | None = None, stale: Review | None = None, conflict_form: ConflictForm | None = None):
    app_ = review.application
    blind = app_.call.is_blind
    if review.is_final:
        form.comment.render_kw = {"readonly": True}
    return render_template("incubator/review.html", review=review, application=app_, call=app_.call, blind=blind,
                           form=form, conflict_form=conflict_form or ConflictForm(formdata=None), typed=typed or review.score_by_criterion,
                           bad=bad or {}, problems=problems or {}, stale=stale, labels=_labels())


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT, Role.PARTNER)
def review(review_id: int):
    the_review = _review_or_404(review_id)
    if request.method == "GET" or the_review.has_conflict is not False or the_review.is_final:
        form = ReviewForm(obj=the_review, version=the_review.version,
                          recommendation=the_review.recommendation.value if the_review.recommendation else None)
        if request.method == "POST":
            flash(_("This review can no longer be changed."), "warning")
            return redirect(url_for("incubator.review", review_id=the_review.id), 303)
        return _render_review(the_review, form)
    form = ReviewForm()
    criteria = the_review.application.call.criteria
    scores, bad = read_scores(request.form, criteria)
    if not form.validate_on_submit():
        return _render_review(the_review, form, typed=scores, bad=bad)
    if bad:
        form.form_errors.append(_("Scores go from 1 to 5."))
        return _render_review(the_review, form, typed=scores, bad=bad, problems=dict.fromkeys(bad, True))
    try:
        services.save_review(the_review, version=_version(form), scores=scores,
                             comment=form.comment.data or "", recommendation=form.recommendation.data or None,
                             final=request.form.get("action") == "final", by=current_user)
    except StaleVersion as exc:
        db.session.rollback()
        the_review = _review_or_404(review_id)
        form.form_errors.append(exc.message)
        form.version.data = the_review.version
        return _render_review(the_review, form, typed=scores, stale=the_review), 409
    except Refused as exc:
        db.session.rollback()
        the_review = _review_or_404(review_id)
        form.form_errors.append(exc.message)
        return _render_review(the_review, form, typed=scores, problems=exc.problems)
    db.session.commit()
    flash(_("Review marked final. Thank you.") if the_review.is_final else _("Review saved."), "success")
    return redirect(url_for("incubator.review", review_id=the_review.id), 303)


@bp.route("/reviews/<int:review_id>/conflict", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.PARTNER)
def conflict(review_id: int):
    the_review = _review_or_404(review_id)
    form = ConflictForm()
    if not form.validate_on_submit():  # shown back with the note typed
        if form.has_conflict.errors and not form.has_conflict.data:
            form.has_conflict.errors[:] = [_("Say whether you have a conflict of interest.")]
        review_form = ReviewForm(formdata=None, obj=the_review, version=the_review.version,
                                 recommendation=the_review.recommendation.value if the_review.recommendation else None)
        return _render_review(the_review, review_form, conflict_form=form), 422
    try:
        services.declare_conflict(the_review, has_conflict=form.has_conflict.data == "yes", note=form.note.data,
                                  by=current_user)
    except Refused as exc:
        flash(exc.message, "warning")
        return redirect(url_for("incubator.review", review_id=the_review.id), 303)
    db.session.commit()
    if the_review.has_conflict:
        flash(_("Your conflict of interest is recorded; any scores you gave are removed and this application is "
                "no longer assigned to you."), "info")
        return redirect(url_for("incubator.index"), 303)
    flash(_("No conflict of interest declared. You can now score the application."), "success")
    return redirect(url_for("incubator.review", review_id=the_review.id), 303)


@bp.route("/reviews/<int:review_id>/deck")
@role_required(Role.SECRETARIAT, Role.PARTNER)
def review_deck(review_id: int):
    the_review = _review_or_404(review_id)
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
