"""An organisation's documents: the secretariat adds a document, a new version, renames it, changes its kind or its
sharing, deletes it; the organisation's member contacts see and download the shared ones (their current version).
Everyone else: 404. Files are served through ``club.core.storage.send_stored`` once access is checked."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from club.core import storage
from club.core.pagination import page_number
from club.core.refusals import REFUSED_STATUS, Refused, Stale, check_version, commit_or_rerender, refuse_at
from club.core.stale import stale_response
from club.extensions import db
from club.forms import ConfirmForm, FlaskForm, VersionField, choices, form_view, no_line_breaks, strip_filter
from club.htmx import is_htmx_partial
from club.members import bp
from club.members import documents as services
from club.members.models import ORG_DOCUMENT_KIND_LABELS, Organization, OrganizationDocument, OrgDocumentKind
from club.members.views.common import STAFF, fragment, org_or_404, page_context
from club.permissions import Role, role_required

SEEING = (Role.SECRETARIAT, Role.MEMBER)
KIND_CHOICES = [(k.value, label) for k, label in ORG_DOCUMENT_KIND_LABELS.items()]


class DocumentForm(FlaskForm):
    # Ids of their own: the organisation page holds several forms, and a label must point at its own field.
    title = StringField(_l("Title"), id="org-document-title", filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), no_line_breaks])
    kind = SelectField(_l("Kind of document"), id="org-document-kind", choices=choices(KIND_CHOICES))
    shared = BooleanField(_l("Shared with the organisation's member contacts"), id="org-document-shared")
    file = FileField(_l("File (PDF, DOCX or XLSX, 10 MB at most)"), id="org-document-file",
                     validators=[FileRequired(), storage.FileWithinLimit(services.MAX_DOCUMENT_SIZE)],
                     render_kw={"accept": ".pdf,.docx,.xlsx"})


class DocumentVersionForm(FlaskForm):
    file = FileField(_l("New version (PDF, DOCX or XLSX, 10 MB at most)"), id="org-document-version-file",
                     validators=[FileRequired(), storage.FileWithinLimit(services.MAX_DOCUMENT_SIZE)],
                     render_kw={"accept": ".pdf,.docx,.xlsx"})


class DocumentEditForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200),
                                                                          no_line_breaks])
    kind = SelectField(_l("Kind of document"), choices=choices(KIND_CHOICES))
    shared = BooleanField(_l("Shared with the organisation's member contacts"))
    version = VersionField()


def documents_section(org: Organization, document_form=None) -> dict:
    """What ``members/_documents.html`` shows on the organisation page (a template global, so the page's context
    stays the members' own): the page of documents the current user sees and, for the secretariat, the form."""
    secretariat = current_user.role == Role.SECRETARIAT
    return {
        "page": services.documents_page(org, current_user, page_number("documents_page")),
        "can_manage": secretariat,
        "form": (document_form or DocumentForm(formdata=None, prefix="document")) if secretariat else None,
    }


def _document_or_404(org: Organization, document_id: int) -> OrganizationDocument:
    document = services.document_of(org, document_id, current_user)
    if document is None:
        abort(404)
    return document


def _saved(document: OrganizationDocument) -> dict:
    return {"title": document.title, "kind": document.kind.value, "shared": document.shared}


def _detail(org, document, status: int = 200, *, version_form=None):
    context = {"org": org, "document": document, "confirm": ConfirmForm(formdata=None),
               "version_form": version_form or DocumentVersionForm(formdata=None, prefix="version")}
    return render_template("members/document.html", **context), status


# ---------------------------------------------------------------------------------------------------------------
# The secretariat


@bp.route("/<int:org_id>/documents", methods=["POST"])
@form_view
@role_required(*STAFF)
def document_new(org_id: int):
    org = org_or_404(org_id)
    form = DocumentForm(prefix="document")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_document(org, title=form.title.data, kind=OrgDocumentKind(form.kind.data),
                                  shared=form.shared.data,
                                  data=storage.read_limited(upload, services.MAX_DOCUMENT_SIZE),
                                  filename=upload.filename, by=current_user)
            db.session.commit()
        except Refused as refused:  # the file refused by the storage (empty, too big, not of its kinds)
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Document “%(title)s” added.", title=form.title.data), "success")
            return redirect(url_for("members.detail", org_id=org_id, _anchor="documents"), 303)
    db.session.rollback()
    org = org_or_404(org_id)
    context = page_context(org, document_form=form)
    if is_htmx_partial():
        return fragment("members/_documents.html", context, REFUSED_STATUS)
    return fragment("members/detail.html", context, REFUSED_STATUS)


@bp.route("/<int:org_id>/documents/<int:org_document_id>")
@role_required(*STAFF)
def document_detail(org_id: int, org_document_id: int):
    org = org_or_404(org_id)
    return _detail(org, _document_or_404(org, org_document_id))


@bp.route("/<int:org_id>/documents/<int:org_document_id>/versions", methods=["POST"])
@form_view
@role_required(*STAFF)
def document_version_new(org_id: int, org_document_id: int):
    org = org_or_404(org_id)
    document = _document_or_404(org, org_document_id)
    form = DocumentVersionForm(prefix="version")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            version = services.add_version(document,
                                           data=storage.read_limited(upload, services.MAX_DOCUMENT_SIZE),
                                           filename=upload.filename, by=current_user)
            number, title = version.number, document.title
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Version %(number)s of “%(title)s” added.", number=number, title=title), "success")
            return redirect(url_for("members.document_detail", org_id=org_id, org_document_id=org_document_id), 303)
    db.session.rollback()
    org = org_or_404(org_id)
    return _detail(org, _document_or_404(org, org_document_id), REFUSED_STATUS, version_form=form)


@bp.route("/<int:org_id>/documents/<int:org_document_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def document_edit(org_id: int, org_document_id: int):
    org = org_or_404(org_id)
    document = _document_or_404(org, org_document_id)
    context = {"org": org, "document": document, "confirm": ConfirmForm(formdata=None)}
    if request.method == "GET":
        form = DocumentEditForm(formdata=None, data={**_saved(document), "version": document.version})
        return render_template("members/document_edit.html", form=form, **context)
    form = DocumentEditForm()
    if not form.validate_on_submit():
        try:  # stale and invalid at once: the conflict is said at once, beside the field errors
            check_version(document, form.version.data)
        except Stale:
            return stale_response("members/document_edit.html", form=form, saved=_saved(document),
                                  version=document.version, **context)
        return render_template("members/document_edit.html", form=form, **context), REFUSED_STATUS

    def done(changes):
        flash(_("Document saved.") if changes else _("Nothing to change."), "success" if changes else "info")
        return redirect(url_for("members.document_detail", org_id=org_id, org_document_id=org_document_id), 303)

    return commit_or_rerender(
        lambda: services.update_document(document, {"title": form.title.data, "kind": form.kind.data,
                                                    "shared": form.shared.data},
                                         version=form.version.data, by=current_user),
        form, "members/document_edit.html", context=context, saved=_saved, record=document, done=done)


@bp.route("/<int:org_id>/documents/<int:org_document_id>/delete", methods=["POST"])
@role_required(*STAFF)
def document_delete(org_id: int, org_document_id: int):
    org = org_or_404(org_id)
    _document_or_404(org, org_document_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("members.document_detail", org_id=org_id, org_document_id=org_document_id), 303)
    services.lock_organization(org)  # a double click deletes once; the second finds it gone
    document = services.document_of(org, org_document_id, current_user)
    seen = request.form.get("seen_versions", "")
    if document is None:
        flash(_("Already deleted."), "info")
    elif seen.isdigit() and int(seen) != len(document.versions):
        # a version was added since the page was read: nothing is deleted that the person has not seen
        db.session.rollback()
        flash(_("Nothing was deleted: a new version of this document was added meanwhile. Look at it first."),
              "warning")
        return redirect(url_for("members.document_detail", org_id=org_id, org_document_id=org_document_id), 303)
    else:
        title = document.title
        services.delete_document(document, by=current_user)
        db.session.commit()
        flash(_("Document “%(title)s” deleted.", title=title), "success")
    return redirect(url_for("members.detail", org_id=org_id, _anchor="documents"), 303)


# ---------------------------------------------------------------------------------------------------------------
# Downloads: the secretariat (every version), the organisation's member contacts (the current version of a shared
# document)


@bp.route("/<int:org_id>/documents/<int:org_document_id>/versions/<int:org_version_id>")
@role_required(*SEEING)
def document_download(org_id: int, org_document_id: int, org_version_id: int):
    org = org_or_404(org_id)
    document = _document_or_404(org, org_document_id)
    version = services.version_of(document, org_version_id, current_user)
    if version is None:
        abort(404)
    return storage.send_stored(version.stored)
