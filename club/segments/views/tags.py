"""Tags: the secretariat's list (add, rename, recolour, delete with the number of records carrying it), and a tag
added to or removed from an organisation or a contact (from the organisation's page). Secretariat only: 404 for
anyone else."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core.pagination import page_number
from club.core.refusals import commit_or_rerender
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.members.models import Contact
from club.permissions import Role, get_visible_or_404, role_required
from club.segments import bp, queries, services
from club.segments.forms import AddTagForm, TagForm
from club.segments.models import Tag

STAFF = (Role.SECRETARIAT,)


def _list_context():
    term = (request.args.get("q") or "")[:60]
    return {"page": queries.tags_page(term, page_number()), "term": term}


@bp.route("/tags", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def tags():
    form = TagForm()
    if request.method == "POST" and form.validate_on_submit():
        def added(tag):
            flash(_("Tag %(name)s added.", name=tag.name), "success")
            return redirect(url_for("segments.tags"), 303)

        return commit_or_rerender(lambda: services.create_tag(form.name.data, form.colour.data, by=current_user),
                                  form, "segments/tags.html", context=_list_context(), done=added)
    if request.method == "GET":
        form = TagForm(formdata=None)
    return render_template("segments/tags.html", form=form, **_list_context()), \
        422 if request.method == "POST" else 200


@bp.route("/tags/<int:tag_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def tag_edit(tag_id: int):
    tag = get_visible_or_404(Tag, tag_id)
    if request.method == "GET":
        form = TagForm(formdata=None, data={**TagForm.values_of(tag), "version": tag.version})
    else:
        form = TagForm()
    usage = queries.tag_usage(tag.id)
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Tag saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("segments.tags"), 303)

        return commit_or_rerender(
            lambda: services.update_tag(tag, form.name.data, form.colour.data, version=form.version.data,
                                        by=current_user),
            form, "segments/tag_edit.html", context={"tag": tag, "usage": usage}, saved=TagForm.values_of,
            record=tag, done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("segments/tag_edit.html", form=form, tag=tag, usage=usage), status


@bp.route("/tags/<int:tag_id>/delete", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def tag_delete(tag_id: int):
    """A confirmation page saying how many organisations and contacts carry the tag, then the deletion."""
    tag = get_visible_or_404(Tag, tag_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        name = tag.name
        try:
            services.delete_tag(tag, by=current_user)
            db.session.commit()
        except StaleDataError:  # deleted by someone else meanwhile: deleted all the same
            db.session.rollback()
        flash(_("Tag %(name)s deleted.", name=name), "success")
        return redirect(url_for("segments.tags"), 303)
    organisations, contacts = queries.tag_usage(tag.id)
    return render_template("segments/tag_delete.html", tag=tag, form=form, organisations=organisations,
                           contacts=contacts), 422 if request.method == "POST" else 200


# ---------------------------------------------------------------------------------------------------------------
# On an organisation's page


def _org_page(org_id: int, anchor: str = "tags") -> str:
    return url_for("members.detail", org_id=org_id) + "#" + anchor


def _add(record_name: str, org_id: int, action, **context):
    form = AddTagForm()
    if form.validate_on_submit():
        def added(tag):
            flash(_("Tagged %(tag)s.", tag=tag.name), "success")
            return redirect(_org_page(org_id), 303)

        return commit_or_rerender(lambda: action(form.name.data), form, "segments/tag_add.html",
                                  context={"record_name": record_name, "org_id": org_id, **context}, done=added)
    return render_template("segments/tag_add.html", form=form, record_name=record_name, org_id=org_id,
                           **context), 422


@bp.route("/organizations/<int:org_id>/tags", methods=["POST"])
@form_view
@role_required(*STAFF)
def org_tag_add(org_id: int):
    from club.members.models import Organization

    org = get_visible_or_404(Organization, org_id)
    return _add(org.name, org.id, lambda name: services.tag_organization(org, name, by=current_user),
                action_url=url_for("segments.org_tag_add", org_id=org.id))


@bp.route("/organizations/<int:org_id>/tags/<int:tag_id>/remove", methods=["POST"])
@role_required(*STAFF)
def org_tag_remove(org_id: int, tag_id: int):
    from club.members.models import Organization

    org = get_visible_or_404(Organization, org_id)
    tag = get_visible_or_404(Tag, tag_id)
    if ConfirmForm().validate_on_submit():
        if services.untag_organization(org, tag, by=current_user):
            db.session.commit()
            flash(_("Tag %(tag)s removed.", tag=tag.name), "success")
    return redirect(_org_page(org.id), 303)


def _contact_or_404(contact_id: int) -> Contact:
    contact = get_visible_or_404(Contact, contact_id)
    if contact.organization is None:
        abort(404)
    return contact


@bp.route("/contacts/<int:contact_id>/tags", methods=["POST"])
@form_view
@role_required(*STAFF)
def contact_tag_add(contact_id: int):
    contact = _contact_or_404(contact_id)
    return _add(contact.name, contact.organization_id,
                lambda name: services.tag_contact(contact, name, by=current_user),
                action_url=url_for("segments.contact_tag_add", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>/tags/<int:tag_id>/remove", methods=["POST"])
@role_required(*STAFF)
def contact_tag_remove(contact_id: int, tag_id: int):
    contact = _contact_or_404(contact_id)
    tag = get_visible_or_404(Tag, tag_id)
    if ConfirmForm().validate_on_submit():
        if services.untag_contact(contact, tag, by=current_user):
            db.session.commit()
            flash(_("Tag %(tag)s removed.", tag=tag.name), "success")
    return redirect(_org_page(contact.organization_id, "tags"), 303)
