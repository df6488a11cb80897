"""One deal, for the secretariat and the partners it is shared with: create and edit (secretariat), the deal
page, its documents and their versions, the secretariat's internal notes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from club.core import storage
from club.core.refusals import REFUSED_STATUS, Refused, Stale, check_version, commit_or_rerender, refuse_at
from club.core.stale import stale_response
from club.deals import bp, queries, services
from club.deals.forms import DealForm, DocumentForm, NoteForm, VersionForm
from club.deals.models import AccessAction, Deal, DocumentKind
from club.deals.pickers import deal_label, deal_suggestions
from club.deals.views.page import PARTNER, SECRETARIAT, render_detail
from club.extensions import db
from club.forms import choices, form_view, format_decimal_input
from club.members.pickers import LIST_ID, Pick
from club.permissions import get_visible_or_404, role_required

# ---------------------------------------------------------------- create and edit


def _deal_form(formdata=None, **data) -> DealForm:
    form = DealForm(formdata=formdata, **data) if formdata is not None else DealForm(**data)
    form.owner_id.choices = choices([(0, _l("— no owner —"))] + [(u.id, u.name) for u in queries.secretariat_users()])
    return form


def _saved(deal: Deal) -> dict:
    """The deal as its edit form holds it (the form's first values; the version saved now on a stale edit)."""
    return {
        "title": deal.title, "kind": deal.kind.value, "target_id": deal.target_id,
        "investor_ids": [o.id for o in deal.investors], "signatory_ids": [o.id for o in deal.signatories],
        "amount": format_decimal_input(deal.amount), "stake": format_decimal_input(deal.stake),
        "owner_id": deal.owner_id or 0, "summary": deal.summary, "expected_close": deal.expected_close,
        "next_step": deal.next_step, "next_step_due": deal.next_step_due, "signed_on": deal.signed_on,
        "announced_on": deal.announced_on,
    }


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def new():
    form = _deal_form() if request.method == "POST" else _deal_form(owner_id=current_user.id)
    if not form.validate_on_submit():
        return render_template("deals/edit.html", form=form, deal=None), \
            REFUSED_STATUS if request.method == "POST" else 200

    def created(deal: Deal):
        flash(_("Deal “%(title)s” created.", title=deal.title), "success")
        return redirect(url_for("deals.detail", deal_id=deal.id), 303)

    return commit_or_rerender(
        lambda: services.create_deal(by=current_user, investor_ids=form.investor_ids.data,
                                     signatory_ids=form.signatory_ids.data, **form.values()),
        form, "deals/edit.html", context={"deal": None}, done=created)


@bp.route("/<int:deal_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(SECRETARIAT)
def edit(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    if request.method == "GET":
        return render_template("deals/edit.html", form=_deal_form(data={**_saved(deal), "version": str(deal.version)}),
                               deal=deal)
    form = _deal_form()
    if not form.validate_on_submit():
        try:  # stale and invalid at once: the conflict is said at once, beside the field errors
            check_version(deal, form.version.data)
        except Stale:
            return stale_response("deals/edit.html", form=form, saved=_saved(deal), version=deal.version, deal=deal)
        return render_template("deals/edit.html", form=form, deal=deal), REFUSED_STATUS

    def saved(changes: dict):
        flash(_("Deal saved.") if changes else _("Nothing to change."), "success" if changes else "info")
        return redirect(url_for("deals.detail", deal_id=deal.id), 303)

    return commit_or_rerender(
        lambda: services.update_deal(deal, by=current_user, version=form.version.data,
                                     investor_ids=form.investor_ids.data, signatory_ids=form.signatory_ids.data,
                                     **form.values()),
        form, "deals/edit.html", context={"deal": deal}, saved=_saved, record=deal, done=saved)


# ---------------------------------------------------------------- the deal page


@bp.route("/<int:deal_id>")
@role_required(SECRETARIAT, PARTNER)
def detail(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    if current_user.role == PARTNER:
        services.log_access(deal, current_user, AccessAction.VIEW)
        db.session.commit()
    return render_detail(deal)


# ---------------------------------------------------------------- documents


@bp.route("/<int:deal_id>/documents", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def add_document(deal_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_document(deal, title=form.title.data, kind=DocumentKind(form.kind.data),
                                  data=storage.read_limited(upload, services.MAX_DOCUMENT_SIZE),
                                  filename=upload.filename, by=current_user)
            db.session.commit()
        except Refused as refused:  # the file refused by the storage (empty, too big, not of its kinds)
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Document “%(title)s” added.", title=form.title.data), "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#documents", 303)
    return render_detail(deal, REFUSED_STATUS, document_form=form)


@bp.route("/<int:deal_id>/documents/<int:document_id>/versions", methods=["POST"])
@form_view
@role_required(SECRETARIAT)
def add_version(deal_id: int, document_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    document = queries.document_of(deal, document_id) or abort(404)
    form = VersionForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            version = services.add_version(document, data=storage.read_limited(upload, services.MAX_DOCUMENT_SIZE),
                                           filename=upload.filename, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Version %(number)s of “%(title)s” added.", number=version.number, title=document.title),
                  "success")
            return redirect(url_for("deals.detail", deal_id=deal.id) + "#documents", 303)
    return render_detail(deal, REFUSED_STATUS, version_form=form, version_document_id=document_id)


@bp.route("/<int:deal_id>/documents/<int:document_id>/versions/<int:version_id>")
@role_required(SECRETARIAT, PARTNER)
def download(deal_id: int, document_id: int, version_id: int):
    deal = get_visible_or_404(Deal, deal_id)
    document = queries.document_of(deal, document_id) or abort(404)
    version = queries.version_of(document, version_id) or abort(404)
    stored = version.stored
    if current_user.role == PARTNER:
        services.log_access(deal, current_user, AccessAction.DOWNLOAD, version)
        db.session.commit()
    return storage.send_stored(stored)


# ---------------------------------------------------------------- internal notes


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
    return render_detail(deal, REFUSED_STATUS, note_form=form)


@bp.route("/picks")
@role_required(SECRETARIAT)
def deal_picks():
    """The deals a deal picker suggests as one types (htmx swaps the field's ``<datalist>``): "Title — Target"."""
    field = request.args.get("field", "q")
    list_id = request.args.get("list", f"{field}-options")
    if not LIST_ID.match(field) or not LIST_ID.match(list_id):
        abort(404)
    rows = deal_suggestions(request.args.get(field, ""), current_user)
    return render_template("members/_picks.html", list_id=list_id,
                           rows=[Pick(row.id, deal_label(row.title, row.target), "") for row in rows])
