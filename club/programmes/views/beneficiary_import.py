"""The CSV import of a programme's beneficiaries (the secretariat and the lead): upload, a preview with every row's
errors, a commit of all rows or none; and its template file. The same flow as the member import."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import REFUSED_STATUS, Refused
from club.core.storage import read_limited, read_stored, store
from club.extensions import db
from club.forms import form_view
from club.members.importer import page_number
from club.members.queries import stored_import
from club.permissions import role_required
from club.programmes import bp
from club.programmes.forms.beneficiaries import ImportCommitForm, ImportForm
from club.programmes.services import beneficiaries as services
from club.programmes.services import beneficiary_import as importer
from club.programmes.views.beneficiaries import SEEING, programme_led_or_404


def _render(programme, form, check, stored, *, commit_form=None, page: int = 1, status: int = 200):
    if stored is not None and commit_form is None:
        commit_form = ImportCommitForm(formdata=None, upload=stored.key)
    response = make_response(render_template(
        "programmes/beneficiary_import.html", programme=programme, form=form, check=check, stored=stored,
        commit_form=commit_form, page=min(max(page, 1), check.page_count) if check else 1,
        columns=importer.COLUMNS, open=programme.state not in services.CLOSED_STATES), status)
    if stored is not None:
        response.headers["HX-Push-Url"] = "false"  # reloading the preview never asks for a POST-only URL
    return response


@bp.route("/<int:programme_id>/beneficiaries/import", methods=["GET", "POST"])
@form_view
@role_required(*SEEING)
def beneficiary_import(programme_id: int):
    programme = programme_led_or_404(programme_id)
    form = ImportForm()
    check = stored = None
    status = 200
    if form.validate_on_submit():
        data = read_limited(form.file.data, importer.MAX_BYTES)
        try:
            services.check_open(programme, field="file")
            stored = store(data, form.file.data.filename, kinds={"csv"}, max_size=importer.MAX_BYTES,
                           by=current_user)
        except Refused as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
            status = REFUSED_STATUS
        else:
            check = importer.check(data, programme)
            if check.problem:
                db.session.rollback()
                form.file.errors.append(check.problem)
                check = stored = None
                status = REFUSED_STATUS
            else:
                db.session.commit()
    elif form.is_submitted():
        status = REFUSED_STATUS
    return _render(programme, form, check, stored, status=status)


@bp.route("/<int:programme_id>/beneficiaries/import/commit", methods=["POST"])
@form_view
@role_required(*SEEING)
def beneficiary_import_commit(programme_id: int):
    """The preview's form: a page button moves in the preview (nothing saved); "Import" checks the whole file again
    and enrols every row, or none when any row is wrong."""
    programme = programme_led_or_404(programme_id)
    form = ImportCommitForm()
    valid = form.validate_on_submit()
    stored = stored_import(form.upload.data, current_user)
    if stored is None:
        flash(_("That upload is no longer available: choose the file again."), "warning")
        return redirect(url_for("programmes.beneficiary_import", programme_id=programme.id), 303)
    page = page_number(request.form.get("page"))
    data = read_stored(stored)
    check = importer.check(data, programme)
    if not valid or page is not None or request.form.get("action") != "commit":
        return _render(programme, ImportForm(formdata=None), check, stored, commit_form=form, page=page or 1,
                       status=200 if valid else 400)
    services.lock_programme(programme.id)  # two commits of one file at once: the second sees the first's people
    check = importer.check(data, programme)
    if not check.ok:
        db.session.rollback()
        return _render(programme, ImportForm(formdata=None), check, stored, commit_form=form,
                       status=REFUSED_STATUS)
    try:
        count = services.import_people(programme, [r.values for r in check.rows], by=current_user,
                                       source_name=stored.original_name)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return _render(programme, ImportForm(formdata=None), importer.check(data, programme),
                       stored_import(stored.key, current_user), commit_form=form, status=REFUSED_STATUS)
    except sa.exc.IntegrityError:
        db.session.rollback()
        form.form_errors.append(_("The programme changed while importing: nothing was saved. Check the preview "
                                  "again."))
        return _render(programme, ImportForm(formdata=None), importer.check(data, programme),
                       stored_import(stored.key, current_user), commit_form=form, status=409)
    flash(importer.done_message(count), "success")
    return redirect(url_for("programmes.beneficiaries", programme_id=programme.id), 303)


@bp.route("/<int:programme_id>/beneficiaries/import/template.csv")
@role_required(*SEEING)
def beneficiary_import_template(programme_id: int):
    programme_led_or_404(programme_id)
    response = make_response(importer.template_csv())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="beneficiaries-import-template.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
