"""Segments: saved views of the register. Save the current view, list them (own and shared, each with its live
count), open one (the register with its filters, paginated as the register is; what its stored filters hold that no
longer exists is shown as dropped), rename, share, delete. Export is the register's CSV with the segment's filters.
Secretariat only: 404 for anyone else, and a private segment is its owner's."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core.pagination import page_number
from club.core.refusals import Refused, commit_or_rerender
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import render_page_or_partial
from club.members import labels
from club.members.queries import RegisterFilters, register_page
from club.permissions import Role, get_visible_or_404, role_required
from club.segments import bp, queries, services
from club.segments.describe import describe_filters
from club.segments.forms import SegmentForm
from club.segments.models import Segment

STAFF = (Role.SECRETARIAT,)


@bp.route("/")
@role_required(*STAFF)
def index():
    page, rows = queries.segments_page(current_user, page_number())
    tags = queries.tags_by_id({t for row in rows for t in row[1].filters.tag_ids})  # one query for the page
    return render_template("segments/index.html", page=page, rows=rows,
                           describe=lambda filters: describe_filters(filters, tags=tags))


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def new():
    """Save the register's current view (its filters come in the query string) as a segment."""
    filters = RegisterFilters.from_args(request.args, may_see_archived=True)
    description = describe_filters(filters)
    form = SegmentForm()
    context = {"filters": filters, "description": description, "filter_args": filters.args()}
    if form.validate_on_submit():
        def created(segment):
            flash(_("Segment %(name)s saved.", name=segment.name), "success")
            return redirect(url_for("segments.detail", segment_id=segment.id), 303)

        return commit_or_rerender(
            lambda: services.create_segment(form.name.data, filters, shared=form.is_shared.data, by=current_user),
            form, "segments/new.html", context=context, done=created)
    return render_template("segments/new.html", form=form, **context), 422 if request.method == "POST" else 200


def _segment_or_404(segment_id: int) -> Segment:
    return get_visible_or_404(Segment, segment_id)


@bp.route("/<int:segment_id>")
@role_required(*STAFF)
def detail(segment_id: int):
    segment = _segment_or_404(segment_id)
    view = queries.segment_view(segment)
    page = register_page(view.filters, current_user, after=request.args.get("after"),
                         before=request.args.get("before"), last=request.args.get("last") == "1")
    context = {"segment": segment, "view": view, "page": page, "filters": view.filters, "filter_args": view.args,
               "rows_endpoint": "segments.detail", "page_args": {"segment_id": segment.id},
               "rows_subject": segment, "description": describe_filters(view.filters),
               "delete_form": ConfirmForm(), **labels.as_context()}
    return render_page_or_partial("segments/detail.html", "members/_rows.html", **context)


@bp.route("/<int:segment_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def edit(segment_id: int):
    segment = _segment_or_404(segment_id)
    if request.method == "GET":
        form = SegmentForm(formdata=None, data={**SegmentForm.values_of(segment), "version": segment.version})
    else:
        form = SegmentForm()
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Segment saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("segments.detail", segment_id=segment.id), 303)

        return commit_or_rerender(
            lambda: services.update_segment(segment, form.name.data, shared=form.is_shared.data,
                                            version=form.version.data, by=current_user),
            form, "segments/edit.html", context={"segment": segment}, saved=SegmentForm.values_of, record=segment,
            done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("segments/edit.html", form=form, segment=segment), status


@bp.route("/<int:segment_id>/delete", methods=["POST"])
@role_required(*STAFF)
def delete(segment_id: int):
    segment = _segment_or_404(segment_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was deleted: the form had expired. Try again."), "warning")
        return redirect(url_for("segments.detail", segment_id=segment.id), 303)
    name = segment.name
    try:
        services.delete_segment(segment, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "danger")
        return redirect(url_for("segments.detail", segment_id=segment_id), 303)
    except StaleDataError:  # deleted by someone else meanwhile
        db.session.rollback()
    flash(_("Segment %(name)s deleted.", name=name), "success")
    return redirect(url_for("segments.index"), 303)
