"""The CSV import of organisations (secretariat): upload, preview with ticks, commit; and its template."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core.storage import UploadRefused, read_limited, read_stored, store
from club.extensions import db
from club.forms import form_view
from club.members import bp, importer, labels, queries, services
from club.members.forms import ImportCommitForm, ImportForm
from club.members.views.common import STAFF
from club.permissions import role_required


def _render_import(form, check, stored, *, commit_form=None, page: int = 1, confirmed=frozenset(), status: int = 200):
    if stored is not None and commit_form is None:
        commit_form = ImportCommitForm(formdata=None, upload=stored.key)
    page = min(max(page, 1), check.page_count) if check else 1
    response = make_response(render_template(
        "members/import.html", form=form, check=check, stored=stored, commit_form=commit_form, page=page,
        confirmed=confirmed, columns=importer.COLUMNS, field_labels=importer.FIELD_LABELS,
        contact_labels=importer.CONTACT_LABELS, **labels.as_context()), status)
    if stored is not None:
        # A boosted preview keeps the address of the upload page: reloading it never asks for a POST-only URL.
        response.headers["HX-Push-Url"] = "false"
    return response


@bp.route("/import", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def import_upload():
    form = ImportForm()
    check = stored = None
    if form.validate_on_submit():
        data = read_limited(form.file.data, importer.MAX_BYTES)
        try:
            stored = store(data, form.file.data.filename, kinds={"csv"}, max_size=importer.MAX_BYTES,
                           by=current_user)
        except UploadRefused as exc:
            form.file.errors.append(exc.message)
        else:
            check = importer.check(data)
            if check.problem:
                db.session.rollback()
                form.file.errors.append(check.problem)
                check = stored = None
            else:
                db.session.commit()
    return _render_import(form, check, stored)


@bp.route("/import/commit", methods=["POST"])
@form_view
@role_required(*STAFF)
def import_commit():
    """The preview's form: a page button moves in the preview (ticks kept, nothing saved), "Import" commits.

    The commit checks the whole file again with the ticks: a match left unticked, or ticked for a record that
    changed since, is a row error and nothing is saved.
    """
    form = ImportCommitForm()
    valid = form.validate_on_submit()
    stored = queries.stored_import(form.upload.data, current_user)
    if stored is None:
        flash(_("That upload is no longer available: choose the file again."), "warning")
        return redirect(url_for("members.import_upload"), 303)
    confirmed = importer.tokens(request.form.getlist("confirm"))
    page = importer.page_number(request.form.get("page"))
    data = read_stored(stored)
    if not valid or page is not None or request.form.get("action") != "commit":
        check = importer.check(data, confirmed)
        if valid and request.args.get("tick") == "page" and page is not None:
            # "Tick every row of this page": the rows the person has in front of them, nothing beyond.
            confirmed = confirmed | {r.token for r in check.page(page) if r.status == importer.Status.CONFIRM}
            check = importer.check(data, confirmed)
        return _render_import(ImportForm(formdata=None), check, stored, commit_form=form, page=page or 1,
                              confirmed=confirmed, status=200 if valid else 400)
    check = importer.check(data, confirmed, final=True)
    if not check.ok:
        first = check.page_of(check.errors[0].row) if check.errors else 1
        return _render_import(ImportForm(formdata=None), check, stored, commit_form=form, page=first,
                              confirmed=confirmed, status=422)
    try:
        result = services.apply_import(check.items, by=current_user, source=stored)
        db.session.commit()
    except (sa.exc.IntegrityError, StaleDataError):
        # The register changed between the check and the commit (a record saved, an organisation added).
        db.session.rollback()
        form.form_errors.append(_("The register changed while importing: nothing was saved. Check the preview "
                                  "again."))
        check = importer.check(data, confirmed)
        return _render_import(ImportForm(formdata=None), check, queries.stored_import(stored.key, current_user),
                              commit_form=form, confirmed=confirmed, status=409)
    flash(importer.done_message(result), "success")
    return redirect(url_for("members.index"), 303)


@bp.route("/import/template.csv")
@role_required(*STAFF)
def import_template():
    response = make_response(importer.template_csv())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="members-import-template.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
