"""An organisation's contacts: in place with htmx, a page of their own without JavaScript."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.core.refusals import REFUSED_STATUS, Refused, Stale, refuse_at
from club.core.stale import stale_response
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import is_htmx_partial, render_page_or_partial
from club.members import bp, services
from club.members.forms import ContactForm
from club.members.models import Contact, Organization
from club.members.views.common import (
    EDITORS,
    READERS,
    contact_of,
    editable_org_or_404,
    org_or_404,
    page_context,
    phone_for_form,
    section,
    section_errors,
)
from club.permissions import role_required


@bp.route("/<int:org_id>/contacts")
@role_required(*READERS)
def contacts(org_id: int):
    org = org_or_404(org_id)
    return render_page_or_partial("members/detail.html", "members/_contacts.html", **page_context(org))


@bp.route("/<int:org_id>/contacts/new", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def contact_new(org_id: int):
    org = editable_org_or_404(org_id)
    form = ContactForm(prefix="contact")
    if form.validate_on_submit():
        try:
            contact = services.add_contact(org, form.data_for_service(), by=current_user)
            db.session.commit()
        except Refused as refused:
            refuse_at(form, refused)
        else:
            return section(org, "contacts", "contacts", _("%(name)s was added.", name=contact.name))
    if request.method == "POST":
        if is_htmx_partial():
            return section_errors(org, "contacts", contact_form=form)
        db.session.rollback()
        org = editable_org_or_404(org_id)
        return render_template("members/contact_form.html", org=org, form=form, contact=None), REFUSED_STATUS
    return render_template("members/contact_form.html", org=org, form=form, contact=None)


def saved_contact(contact: Contact) -> dict:
    """The contact as the form holds it (the version saved now, beside the person's on a stale edit)."""
    return {"name": contact.name, "title": contact.title, "email": contact.email, "phone": contact.phone,
            "is_primary": contact.is_primary}


def _contact_form_page(org: Organization, contact: Contact, form: ContactForm, status: int = 200, *, stale=False):
    """The contact's form: in the contacts fragment for htmx, on its own page otherwise; a stale edit answers
    409 with both versions (``club.core.stale``)."""
    if is_htmx_partial():
        template = "members/_contacts.html"
        context = page_context(org, editing_contact=contact.id, edit_contact_form=form)
    else:
        template, context = "members/contact_form.html", {"org": org, "contact": contact}
    if stale:
        body, status = stale_response(template, form=form, saved=saved_contact(contact), version=contact.version,
                                      **context)
    else:
        body = render_template(template, form=form, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


@bp.route("/<int:org_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def contact_edit(org_id: int, contact_id: int):
    org = editable_org_or_404(org_id)
    contact = contact_of(org, contact_id)
    prefix = f"contact{contact.id}"
    if request.method == "GET":
        form = ContactForm(formdata=None, prefix=prefix, obj=contact, version=contact.version)
        form.phone.data = phone_for_form(contact.phone)
        return _contact_form_page(org, contact, form)
    form = ContactForm(prefix=prefix)
    stale = False
    if form.validate_on_submit():
        try:
            changes = services.update_contact(contact, form.data_for_service(), version=form.version.data,
                                              by=current_user)
            db.session.commit()
        except Refused as refused:
            refuse_at(form, refused)
        except (Stale, StaleDataError):
            stale = True
        else:
            return section(org, "contacts", "contacts",
                           _("%(name)s was updated.", name=contact.name) if changes else None)
    db.session.rollback()  # nothing of this request is kept; the page shows the contact as saved now
    org = editable_org_or_404(org_id)
    contact = contact_of(org, contact_id)
    return _contact_form_page(org, contact, form, REFUSED_STATUS, stale=stale)


@bp.route("/<int:org_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def contact_delete(org_id: int, contact_id: int):
    org = editable_org_or_404(org_id)
    contact_of(org, contact_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)
        contact = next((c for c in org.contacts if c.id == contact_id), None)
        if contact is None:
            return section(org, "contacts", "contacts", _("Already deleted."))
        name = contact.name
        services.remove_contact(contact, by=current_user)
        db.session.commit()
        return section(org, "contacts", "contacts", _("%(name)s was removed.", name=name))
    return section(org, "contacts", "contacts")
