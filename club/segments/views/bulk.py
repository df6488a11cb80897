"""Bulk actions on the register and on a segment (secretariat only, without JavaScript): the ticked rows or "all N
matching", then tag, untag, change membership status, export (CSV or XLSX) or write to them (the mailing form).
Acting on more than the ticked rows of a page asks for confirmation first; above ``IN_REQUEST_LIMIT`` rows the action runs as
one job of the queue, followed on its page (done/total, refreshing itself)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from club.core.jobs import enqueue
from club.core.pagination import page_number
from club.core.refusals import Refused
from club.extensions import db
from club.forms import ConfirmForm, as_id
from club.htmx import render_page_or_partial
from club.members.models import MEMBERSHIP_STATUS_LABELS, MembershipStatus
from club.members.queries import PER_PAGE, RegisterFilters, ids_arg
from club.permissions import Role, get_visible_or_404, role_required, visible
from club.segments import bp, queries, services
from club.segments.describe import describe_filters
from club.segments.jobs import run_bulk_action
from club.segments.models import BULK_KIND_LABELS, BULK_STATE_LABELS, BulkAction, BulkKind, Segment, Tag

STAFF = (Role.SECRETARIAT,)
ACTIONS = {"tag", "untag", "status", "export", "export_xlsx", "write"}
EXPORTS = {"export": "members.export", "export_xlsx": "members.export_xlsx"}  # the register's own exports


def _segment(form) -> Segment | None:
    """The segment the bar was on; 404 for one the user may not see (never the whole register instead)."""
    if not form.get("segment_id"):
        return None
    ident = as_id(form.get("segment_id"))
    segment = db.session.scalar(db.select(Segment).where(Segment.id == ident, visible(Segment, current_user))) \
        if ident is not None else None
    if segment is None:
        abort(404)
    return segment


def _back(segment: Segment | None, filter_args: dict):
    if segment is not None:
        return redirect(url_for("segments.detail", segment_id=segment.id), 303)
    return redirect(url_for("members.index", **filter_args), 303)


@bp.route("/bulk", methods=["POST"])
@role_required(*STAFF)
def bulk():
    form = request.form
    segment = _segment(form)
    view = queries.segment_view(segment) if segment is not None else None
    filters = view.filters if view is not None else RegisterFilters.from_args(form, may_see_archived=True)
    filter_args = filters.args()
    if view is not None and view.dropped:
        flash(_("Nothing was done: some of this segment's filters no longer exist (see above). Edit the segment's "
                "view in the register and save it again."), "warning")
        return _back(segment, filter_args)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was done: the form had expired. Try again."), "warning")
        return _back(segment, filter_args)
    action = form.get("action", "")
    everything = form.get("scope") == "all"
    ids = None if everything else (ids_arg(form) or [])
    if action not in ACTIONS:
        flash(_("Choose an action."), "warning")
        return _back(segment, filter_args)
    if ids == []:
        flash(_("Tick at least one row, or all the rows matching."), "warning")
        return _back(segment, filter_args)
    audience = (_("Segment: %(name)s", name=segment.name) if segment is not None
                else _("Register: %(filters)s", filters=describe_filters(filters)))
    if action in EXPORTS:
        return redirect(url_for(EXPORTS[action], **filter_args, **({"ids": ",".join(map(str, ids))} if ids else {})),
                        303)
    if action == "write":
        return redirect(url_for("mailings.new", **filter_args, **({"ids": ids} if ids else {}), audience=audience),
                        303)
    kind = BulkKind(action)
    tag = status = None
    if kind in (BulkKind.TAG, BulkKind.UNTAG):
        tag_id = as_id(form.get("bulk_tag"))
        tag = db.session.get(Tag, tag_id) if tag_id is not None else None
        if tag is None:
            flash(_("Choose a tag."), "warning")
            return _back(segment, filter_args)
    else:
        value = form.get("bulk_status", "")
        status = MembershipStatus(value) if value in {s.value for s in MembershipStatus} else None
        if status is None:
            flash(_("Choose a status."), "warning")
            return _back(segment, filter_args)
    count = queries.selection_count(filters, ids, current_user)
    if not count:
        flash(_("No organisation is selected."), "warning")
        return _back(segment, filter_args)
    if (everything or count > PER_PAGE) and form.get("confirmed") != "1":
        return render_template("segments/bulk_confirm.html", count=count, kind=kind, tag=tag, status=status,
                               segment=segment, audience=audience, fields=_resent(form), form=ConfirmForm(),
                               status_labels=MEMBERSHIP_STATUS_LABELS,
                               back=url_for("segments.detail", segment_id=segment.id) if segment
                               else url_for("members.index", **filter_args))
    try:
        action_row = services.start_bulk(kind, filters, ids, tag=tag, status=status, segment=segment,
                                         audience=audience, by=current_user)
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "warning")
        return _back(segment, filter_args)
    if action_row.total > services.IN_REQUEST_LIMIT:
        db.session.commit()
        enqueue(run_bulk_action, action_row.id)  # unreachable queue: the sweep runs it (club.segments.jobs)
        return redirect(url_for("segments.bulk_detail", bulk_id=action_row.id), 303)
    services.run_all(action_row)
    db.session.commit()
    flash(_outcome(action_row), "success")
    return _back(segment, filter_args)


def _resent(form) -> list[tuple[str, str]]:
    """The posted choices, sent again by the confirmation page (its own CSRF token replaces the old one)."""
    return [(k, v) for k, v in form.items(multi=True) if k not in ("csrf_token", "confirmed") and len(v) <= 2000][:1100]


def _outcome(bulk: BulkAction) -> str:
    done = ngettext("%(num)s organisation changed", "%(num)s organisations changed", bulk.changed)
    if bulk.skipped:
        return _("%(done)s, %(skipped)s.", done=done, skipped=ngettext(
            "%(num)s skipped", "%(num)s skipped", bulk.skipped))
    return done + "."


@bp.route("/bulk/<int:bulk_id>")
@role_required(*STAFF)
def bulk_detail(bulk_id: int):
    """A bulk action: its progress while it runs (the page refreshes itself), then the records it affected."""
    bulk = get_visible_or_404(BulkAction, bulk_id)
    shown = request.args.get("show", "")
    skipped = {"changed": False, "skipped": True}.get(shown)
    items = queries.bulk_items_page(bulk.id, skipped=skipped, page=page_number()) if bulk.is_finished else None
    return render_page_or_partial("segments/bulk.html", "segments/_bulk_progress.html", bulk=bulk, items=items,
                                  shown=shown if skipped is not None else "", kind_labels=BULK_KIND_LABELS,
                                  state_labels=BULK_STATE_LABELS, status_labels=MEMBERSHIP_STATUS_LABELS,
                                  outcome=_outcome(bulk))
