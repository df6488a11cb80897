"""Deal screens: the board, the table, the deal page, the partners' room and the committee."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from club.core import audit, storage
from club.core.exports import csv_response
from club.core.pagination import paginate
from club.deals import bp, queries, services
from club.deals.forms import (
    CommentForm,
    CorrectionForm,
    DealForm,
    DocumentForm,
    MeetingForm,
    MoveForm,
    NoteForm,
    OpinionForm,
    ShareForm,
    TableFilterForm,
    VersionForm,
    format_decimal_input,
)
from club.deals.models import (
    DECISION_LABELS,
    KIND_LABELS,
    STAGE_LABELS,
    STAGES,
    TRANSITIONS,
    VERDICT_LABELS,
    AccessAction,
    CommitteeMeeting,
    Deal,
    DealAccess,
    DealComment,
    DealDocument,
    DealNote,
    DealShare,
    Decision,
    DocumentKind,
    DocumentVersion,
    Opinion,
    Stage,
    StageChange,
    Verdict,
    allowed_moves,
)
from club.extensions import db
from club.forms import choices, form_view
from club.htmx import is_htmx_partial, render_page_or_partial
from club.models import utcnow
from club.permissions import Role, get_visible_or_404, role_required
from club.security import safe_next

SECRETARIAT = Role.SECRETARIAT
PARTNER = Role.PARTNER

def _today() -> date:
    from club.core.timezones import local_today

    return local_today()


# ---------------------------------------------------------------- board and partners' room


def _board_context(message: str | None = None, message_kind: str = "danger") -> dict:
    figures = queries.column_figures()
    cards = queries.board_cards()
    labels = {stage: str(label) for stage, label in STAGE_LABELS.items()}  # translated once, not per card
    return {"figures": figures, "cards": cards, "stages": STAGES, "stage_labels": labels,
            "transitions": TRANSITIONS, "board_message": message, "board_message_kind": message_kind,
            "today": _today(), "per_column": queries.BOARD_CARDS_PER_COLUMN}


@bp.route("/")
@role_required(SECRETARIAT, PARTNER)
def index():
    if current_user.role == PARTNER:
        page = paginate(queries.visible_deals(current_user).order_by(Deal.updated_at.desc(), Deal.id.desc()),
                        per_page=50)
        return render_template("deals/room.html", page=page, stage_labels=STAGE_LABELS, kind_labels=KIND_LABELS)
    if request.headers.get("HX-Boosted") == "true":
        # A boosted swap would not run the board's scripts (drag and drop): ask htmx for a full page load.
        response = make_response("", 200)
        response.headers["HX-Redirect"] = request.full_path.rstrip("?")
        response.vary.add("HX-Request")
        return response
    return render_page_or_partial("deals/board.html", "deals/_board.html", **_board_context())


@bp.route("/<int:deal_id>/move", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def move(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = MoveForm()
    form.to_stage.choices = choices((s.value, STAGE_LABELS[s]) for s in STAGES)
    back = safe_next(request.values.get("next"), url_for("deals.detail", deal_id=deal.id))
    if request.method == "GET":
        if request.args.get("to_stage") in {s.value for s in STAGES}:
            form.to_stage.data = request.args["to_stage"]
        return render_template("deals/move.html", deal=deal, form=form, back=back,
                               moves=allowed_moves(deal.stage), stage_labels=STAGE_LABELS)
    message = None
    if form.validate_on_submit():
        try:
            services.move_deal(deal, Stage(form.to_stage.data), by=current_user, reason=form.reason.data,
                               signed_on=form.signed_on.data)
            db.session.commit()
        except services.DealRefused as refused:
            db.session.rollback()
            message = str(refused.message)
            getattr(form, refused.field, form.to_stage).errors.append(refused.message)
        except StaleDataError:
            db.session.rollback()
            message = _("Someone else changed this deal at the same moment; look at it again.")
            form.to_stage.errors.append(message)
        else:
            done = _("“%(title)s” moved to %(stage)s.", title=deal.title, stage=STAGE_LABELS[deal.stage])
            if is_htmx_partial():
                return render_page_or_partial("deals/board.html", "deals/_board.html",
                                              **_board_context(done, "success"))
            flash(done, "success")
            return redirect(back, 303)
    else:
        message = _("The move was not recorded: check the form.")
    deal = db.session.get(Deal, deal_id)
    if is_htmx_partial():
        text = _("“%(title)s” was not moved: %(reason)s", title=deal.title, reason=message)
        context = _board_context(text)
        if form.to_stage.data in {s.value for s in TRANSITIONS[deal.stage]}:
            context["retry_url"] = url_for("deals.move", deal_id=deal.id, to_stage=form.to_stage.data,
                                           next=url_for("deals.index"))
        return render_page_or_partial("deals/board.html", "deals/_board.html", **context)
    return render_template("deals/move.html", deal=deal, form=form, back=back,
                           moves=allowed_moves(deal.stage), stage_labels=STAGE_LABELS), 422


# ---------------------------------------------------------------- table and export


def _table_filter_form() -> TableFilterForm:
    form = TableFilterForm(request.args)
    # Only organisations that are party to a deal: the register may hold a hundred thousand others.
    form.investor.choices = choices([(0, _l("All"))] + [(i, n) for i, n in queries.investor_organisations()])
    form.target.choices = choices([(0, _l("All"))] + [(i, n) for i, n in queries.target_organisations()])
    form.owner.choices = choices([(0, _l("All"))] + [(u.id, u.name) for u in queries.secretariat_users()])
    return form


@bp.route("/table")
@role_required(SECRETARIAT)
def table():
    form = _table_filter_form()
    args = form.cleaned()
    where = queries.table_filters(args, _today())
    page = paginate(queries.table_query(where, args["sort"], args["descending"]), per_page=50, scalars=False)
    count, total = queries.table_totals(where)
    return render_page_or_partial("deals/table.html", "deals/_table.html", form=form, page=page, count=count,
                                  total=total, today=_today(), args=args, kind_labels=KIND_LABELS,
                                  stage_labels=STAGE_LABELS)


@bp.route("/table.csv")
@role_required(SECRETARIAT)
def export():
    form = _table_filter_form()
    args = form.cleaned()
    where = queries.table_filters(args, _today())
    header = ["id", _("Title"), _("Kind"), _("Stage"), _("Days in stage"), _("Target"), _("Investors"),
              _("Amount (MAD)"), _("Stake (%)"), _("Owner"), _("Expected close"), _("Next step"),
              _("Next step due"), _("Signed on")]
    rows = db.session.execute(queries.table_query(where, args["sort"], args["descending"])).unique()
    return csv_response(f"deals-{_today().isoformat()}.csv", header, (
        (deal.id, deal.title, KIND_LABELS[deal.kind], STAGE_LABELS[deal.stage], days, deal.target.name,
         "; ".join(o.name for o in deal.investors),
         "" if deal.amount is None else f"{deal.amount:.2f}", "" if deal.stake is None else f"{deal.stake:.2f}",
         deal.owner.name if deal.owner else "", deal.expected_close, deal.next_step, deal.next_step_due,
         deal.signed_on)
        for deal, days in rows))


# ---------------------------------------------------------------- create and edit


def _deal_form(formdata=None, **data) -> DealForm:
    form = DealForm(formdata=formdata, **data) if formdata is not None else DealForm(**data)
    orgs = choices((i, n) for i, n in queries.organisations())
    form.target_id.choices = orgs
    form.investor_ids.choices = orgs
    form.signatory_ids.choices = orgs
    form.owner_id.choices = choices([(0, _l("— no owner —"))] + [(u.id, u.name) for u in queries.secretariat_users()])
    return form


def _refused(form: DealForm, refused: services.DealRefused) -> None:
    getattr(form, refused.field or "title").errors.append(refused.message)


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def new():
    form = _deal_form() if request.method == "POST" else _deal_form(owner_id=current_user.id)
    if form.validate_on_submit():
        try:
            deal = services.create_deal(by=current_user, investor_ids=form.investor_ids.data,
                                        signatory_ids=form.signatory_ids.data, **form.values())
        except services.DealRefused as refused:
            db.session.rollback()
            _refused(form, refused)
        else:
            db.session.commit()
            flash(_("Deal “%(title)s” created.", title=deal.title), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("deals/edit.html", form=form, deal=None), status


def _edit_data(deal: Deal) -> dict:
    return {
        "title": deal.title, "kind": deal.kind.value, "target_id": deal.target_id,
        "investor_ids": [o.id for o in deal.investors], "signatory_ids": [o.id for o in deal.signatories],
        "amount": format_decimal_input(deal.amount), "stake": format_decimal_input(deal.stake),
        "owner_id": deal.owner_id or 0, "summary": deal.summary, "expected_close": deal.expected_close,
        "next_step": deal.next_step, "next_step_due": deal.next_step_due, "signed_on": deal.signed_on,
        "announced_on": deal.announced_on, "version": str(deal.version),
    }


@bp.route("/<int:deal_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def edit(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    if request.method == "GET":
        form = _deal_form(data=_edit_data(deal))
        return render_template("deals/edit.html", form=form, deal=deal)
    form = _deal_form()
    conflict = None
    valid = form.validate_on_submit()
    if form.version.data != str(deal.version):
        # Stale (or no version at all): 409 with both versions, whatever else the form says.
        conflict = deal
    elif valid:
        try:
            changes = services.update_deal(deal, by=current_user, investor_ids=form.investor_ids.data,
                                           signatory_ids=form.signatory_ids.data, **form.values())
            db.session.commit()
        except services.DealRefused as refused:
            db.session.rollback()
            _refused(form, refused)
        except StaleDataError:
            db.session.rollback()
            conflict = db.session.get(Deal, deal_id)
        else:
            flash(_("Deal saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("deals.detail", deal_id=deal.id), 303)
    deal = db.session.get(Deal, deal_id)
    if conflict is not None:
        form.version.data = str(deal.version)  # saving again now overwrites, knowingly
        form.form_errors.append(_("Someone else saved this deal while you were editing it. Your version is in "
                                  "the form; the version now saved is shown beside it. Save again to keep yours."))
    return render_template("deals/edit.html", form=form, deal=deal, conflict=conflict), 409 if conflict else 422


# ---------------------------------------------------------------- the deal page


def _stage_durations(changes, now) -> list[dict]:
    rows = []
    for i, change in enumerate(changes):
        end = changes[i + 1].at if i + 1 < len(changes) else None
        rows.append({"change": change, "days": ((end or now) - change.at).days, "current": end is None})
    return rows


def detail_context(deal: Deal, user) -> dict:
    """Everything the deal page shows, in a constant number of queries, filtered for ``user``."""
    is_staff = user.role == SECRETARIAT
    now = utcnow()
    changes = list(db.session.scalars(
        sa.select(StageChange).where(StageChange.deal_id == deal.id).order_by(StageChange.at, StageChange.id)))
    documents = list(db.session.scalars(
        sa.select(DealDocument).where(DealDocument.deal_id == deal.id).order_by(DealDocument.id)
        .options(selectinload(DealDocument.versions))))
    comments_stmt = sa.select(DealComment).where(DealComment.deal_id == deal.id).order_by(DealComment.id)
    opinions_stmt = sa.select(Opinion).where(Opinion.deal_id == deal.id).order_by(Opinion.id)
    context = {"deal": deal, "is_staff": is_staff, "today": _today(), "stage_rows": _stage_durations(changes, now),
               "documents": documents, "stage_labels": STAGE_LABELS, "verdict_labels": VERDICT_LABELS,
               "decision_labels": DECISION_LABELS, "moves": allowed_moves(deal.stage)}
    if is_staff:
        context["notes"] = list(db.session.scalars(
            sa.select(DealNote).where(DealNote.deal_id == deal.id).order_by(DealNote.id.desc())))
        context["shares"] = list(db.session.scalars(
            sa.select(DealShare).where(DealShare.deal_id == deal.id).order_by(DealShare.id)))
        context["comments"] = list(db.session.scalars(comments_stmt))
        context["opinions"] = list(db.session.scalars(opinions_stmt))
        context["meetings"] = list(db.session.scalars(
            sa.select(CommitteeMeeting).where(CommitteeMeeting.deal_id == deal.id).order_by(CommitteeMeeting.id)
            .options(selectinload(CommitteeMeeting.members),
                     selectinload(CommitteeMeeting.decisions))))
        context["events"] = audit.events_for("deals", deal.id, limit=50)
        context["access_log"] = list(db.session.scalars(
            sa.select(DealAccess).where(DealAccess.deal_id == deal.id).order_by(DealAccess.id.desc()).limit(100)))
        shared_ids = {s.organization_id for s in context["shares"]}
        context["share_choices"] = [(i, n) for i, n in queries.partner_organisations() if i not in shared_ids]
        context["thread_choices"] = [(s.organization_id, s.organization.name) for s in context["shares"]]
    else:
        org = user.organization_id
        context["comments"] = list(db.session.scalars(comments_stmt.where(DealComment.organization_id == org)))
        opinions = list(db.session.scalars(opinions_stmt))
        context["my_opinion"] = next((o for o in opinions if o.user_id == user.id), None)
        context["opinions"] = opinions if deal.opinions_open else [o for o in opinions if o.user_id == user.id]
    return context


def _forms_for(deal: Deal, context: dict, **bound) -> dict:
    forms = {}
    if context["is_staff"]:
        move = bound.get("move_form") or MoveForm(formdata=None)
        move.to_stage.choices = choices((s.value, STAGE_LABELS[s]) for s in context["moves"])
        forms["move_form"] = move
        forms["document_form"] = bound.get("document_form") or DocumentForm(formdata=None)
        forms["version_form"] = VersionForm(formdata=None)
        forms["note_form"] = bound.get("note_form") or NoteForm(formdata=None)
        share = bound.get("share_form") or ShareForm(formdata=None)
        share.organization_id.choices = choices(context["share_choices"])
        forms["share_form"] = share
        comment = bound.get("comment_form") or CommentForm(formdata=None)
        comment.organization_id.choices = choices(context["thread_choices"])
        forms["comment_form"] = comment
        forms["correction_form"] = bound.get("correction_form") or CorrectionForm(formdata=None)
        forms["correction_meeting_id"] = bound.get("correction_meeting_id")
    else:
        forms["comment_form"] = bound.get("comment_form") or CommentForm(formdata=None)
        mine = context.get("my_opinion")
        forms["opinion_form"] = bound.get("opinion_form") or OpinionForm(
            formdata=None, verdict=mine.verdict.value if mine else None, comment=mine.comment if mine else "")
    from club.forms import ConfirmForm

    forms["confirm_form"] = ConfirmForm(formdata=None)
    return forms


def _render_detail(deal: Deal, status: int = 200, **bound):
    context = detail_context(deal, current_user)
    context.update(_forms_for(deal, context, **bound))
    return render_template("deals/detail.html", **context), status


@bp.route("/<int:deal_id>")
@role_required(SECRETARIAT, PARTNER)
def detail(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    if current_user.role == PARTNER:
        services.log_access(deal, current_user, AccessAction.VIEW)
        db.session.commit()
        deal = db.session.get(Deal, deal_id)
    body, status = _render_detail(deal)
    return body, status


# ---------------------------------------------------------------- documents


def _document_of(deal: Deal, document_id: int) -> DealDocument:
    document = db.session.get(DealDocument, document_id)
    if document is None or document.deal_id != deal.id:
        abort(404)
    return document


@bp.route("/<int:deal_id>/documents", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def add_document(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = storage.read_limited(upload, services.MAX_DOCUMENT_SIZE)
        try:
            services.add_document(deal, title=form.title.data, kind=DocumentKind(form.kind.data), data=data,
                                  filename=upload.filename, by=current_user)
        except storage.UploadRefused as refused:
            db.session.rollback()
            form.file.errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Document “%(title)s” added.", title=form.title.data), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#documents", 303)
    return _render_detail(db.session.get(Deal, deal_id), 422, document_form=form)


@bp.route("/<int:deal_id>/documents/<int:document_id>/versions", methods=["POST"])
@role_required(SECRETARIAT)
def add_version(deal_id: int, document_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    document = _document_of(deal, document_id)
    form = VersionForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = storage.read_limited(upload, services.MAX_DOCUMENT_SIZE)
        try:
            version = services.add_version(document, data=data, filename=upload.filename, by=current_user)
        except storage.UploadRefused as refused:
            db.session.rollback()
            flash(_("The new version was refused: %(reason)s", reason=refused.message), "danger")
        else:
            db.session.commit()
            flash(_("Version %(number)s of “%(title)s” added.", number=version.number, title=document.title),
                  "success")
    else:
        flash(_("Choose a file for the new version."), "danger")
    return redirect(url_for("deals.detail", deal_id=deal.id) + "#documents", 303)


@bp.route("/<int:deal_id>/documents/<int:document_id>/versions/<int:version_id>")
@role_required(SECRETARIAT, PARTNER)
def download(deal_id: int, document_id: int, version_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    document = _document_of(deal, document_id)
    version = db.session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document.id:
        abort(404)
    stored = version.stored
    if current_user.role == PARTNER:
        services.log_access(deal, current_user, AccessAction.DOWNLOAD, version)
        db.session.commit()
        stored = db.session.get(DocumentVersion, version_id).stored
    return storage.send_stored(stored)


# ---------------------------------------------------------------- notes, shares, comments, opinions


@bp.route("/<int:deal_id>/notes", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def add_note(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = NoteForm()
    if form.validate_on_submit():
        services.add_note(deal, form.body.data, by=current_user)
        db.session.commit()
        flash(_("Note added."), "success")
        return redirect(url_for("deals.detail", deal_id=deal.id) + "#notes", 303)
    return _render_detail(deal, 422, note_form=form)


@bp.route("/<int:deal_id>/shares", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def add_share(deal_id: int):
    from club.members.models import Organization

    deal = get_visible_or_404(Deal, deal_id)
    form = ShareForm()
    form.organization_id.choices = choices(queries.partner_organisations())
    if form.validate_on_submit():
        organization = db.session.get(Organization, form.organization_id.data)
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
    return _render_detail(deal, 422, share_form=form)


@bp.route("/<int:deal_id>/shares/<int:share_id>/revoke", methods=["POST"])
@role_required(SECRETARIAT)
def revoke_share(deal_id: int, share_id: int):
    from club.forms import ConfirmForm

    deal = get_visible_or_404(Deal, deal_id)
    row = db.session.get(DealShare, share_id)
    if row is None or row.deal_id != deal.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = row.organization.name
        services.revoke(row, by=current_user)
        db.session.commit()
        flash(_("%(name)s no longer sees this deal.", name=name), "success")
    return redirect(url_for("deals.detail", deal_id=deal.id) + "#shares", 303)


@bp.route("/<int:deal_id>/opinions-open", methods=["POST"])
@role_required(SECRETARIAT)
def opinions_open(deal_id: int):
    from club.forms import ConfirmForm

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
        org = form.organization_id.data if current_user.role == SECRETARIAT else current_user.organization_id
        try:
            services.add_comment(deal, form.body.data, by=current_user, organization_id=org)
        except services.DealRefused as refused:
            db.session.rollback()
            form.body.errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Comment added."), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#comments", 303)
    return _render_detail(db.session.get(Deal, deal_id), 422, comment_form=form)


@bp.route("/<int:deal_id>/opinion", methods=["POST"])
@form_view
@role_required(PARTNER)
def give_opinion(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = OpinionForm()
    if form.validate_on_submit():
        try:
            try:
                services.give_opinion(deal, by=current_user, verdict=Verdict(form.verdict.data),
                                      comment=form.comment.data or "")
                db.session.commit()
            except IntegrityError:  # a double submit: the first one created it, this one updates it
                db.session.rollback()
                deal = db.session.get(Deal, deal_id)
                services.give_opinion(deal, by=current_user, verdict=Verdict(form.verdict.data),
                                      comment=form.comment.data or "")
                db.session.commit()
        except services.DealRefused as refused:
            db.session.rollback()
            form.verdict.errors.append(refused.message)
        else:
            flash(_("Your opinion is recorded. You can change it while the deal is in committee."), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#opinions", 303)
    return _render_detail(db.session.get(Deal, deal_id), 422, opinion_form=form)


# ---------------------------------------------------------------- investment committee


@bp.route("/<int:deal_id>/committee", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def committee(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = MeetingForm()
    if request.method == "GET" and not form.held_on.data:
        form.held_on.data = _today()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.record_meeting(deal, by=current_user, held_on=form.held_on.data,
                                        quorum_reached=form.quorum_reached.data, members=form.member_rows(),
                                        decision=Decision(form.decision.data), minutes=form.minutes.data)
            except services.DealRefused as refused:
                db.session.rollback()
                target = form.decision if refused.field == "decision" else form.held_on
                if refused.field == "members":
                    form.form_errors.append(refused.message)
                else:
                    target.errors.append(refused.message)
            else:
                db.session.commit()
                flash(_("Committee meeting and decision recorded."), "success")
                return redirect(url_for("deals.detail", deal_id=deal.id) + "#committee", 303)
        deal = db.session.get(Deal, deal_id)
        return render_template("deals/committee.html", deal=deal, form=form), 422
    return render_template("deals/committee.html", deal=deal, form=form)


@bp.route("/<int:deal_id>/committee/<int:meeting_id>/corrections", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def correct(deal_id: int, meeting_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    meeting = db.session.get(CommitteeMeeting, meeting_id)
    if meeting is None or meeting.deal_id != deal.id:
        abort(404)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            services.correct_decision(meeting, by=current_user, decision=Decision(form.decision.data),
                                      minutes=form.minutes.data)
        except services.DealRefused as refused:
            db.session.rollback()
            form.decision.errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Correction recorded; the decision as first written is kept."), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#committee", 303)
    return _render_detail(db.session.get(Deal, deal_id), 422, correction_form=form,
                          correction_meeting_id=meeting_id)

