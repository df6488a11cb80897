"""What the members pages share: who reaches them, loading an organisation by the one rule, the organisation page's
context, and answering a section change (a fragment for htmx, Post/Redirect/Get otherwise)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from club.extensions import db
from club.forms import ConfirmForm
from club.htmx import is_htmx_partial
from club.members import labels, phones, queries, services
from club.members.forms import CommitmentForm, ContactForm, DuesForm, JobReportForm, MembershipForm
from club.members.models import Contact, Dues, JobCommitment, JobReport, MembershipStatus, Organization
from club.permissions import Role, visible

STAFF = (Role.SECRETARIAT,)
READERS = (Role.SECRETARIAT, Role.PARTNER, Role.MEMBER)
EDITORS = (Role.SECRETARIAT, Role.MEMBER)


def org_or_404(org_id: int) -> Organization:
    """The organisation, 404 unless ``Organization.visible_to`` lets the current user see it; loaded with all its
    page shows. An organisation merged into another: its pages (GET) redirect to the survivor's."""
    org = queries.load_organization(org_id, current_user)  # the rule and the page's loads: one statement
    if org is None:
        redirect_if_merged("organizations", Organization, "org_id", org_id)
        abort(404)
    return org


def redirect_if_merged(entity_type: str, model, argument: str, old_id: int) -> None:
    """A GET of a merged record's page: 301 to the same page of the record it was merged into, when the current
    user may see that one (``club.members.merging``); otherwise nothing (the caller answers 404)."""
    from club.members.merging import merged_into

    if request.method not in ("GET", "HEAD"):
        return
    new_id = merged_into(entity_type, old_id)
    if new_id is None or not is_visible_id(model, new_id):
        return
    url = url_for(request.endpoint, **{**(request.view_args or {}), argument: new_id})
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    abort(redirect(url, 301))


def is_visible_id(model, ident: int) -> bool:
    return db.session.scalar(sa.select(model.id).where(model.id == ident, visible(model, current_user))) is not None


def editable_org_or_404(org_id: int) -> Organization:
    org = org_or_404(org_id)
    if not org.can_edit(current_user):
        abort(404)
    return org


def _one_of(items, ident: int):
    found = next((item for item in items if item.id == ident), None)
    if found is None:
        abort(404)
    return found


def contact_of(org: Organization, contact_id: int) -> Contact:
    if not any(c.id == contact_id for c in org.contacts):
        redirect_if_merged("contacts", Contact, "contact_id", contact_id)
    return _one_of(org.contacts, contact_id)


def dues_of(org: Organization, dues_id: int) -> Dues:
    return _one_of(org.dues, dues_id)


def commitment_of(org: Organization, commitment_id: int) -> JobCommitment:
    return _one_of(org.job_commitments, commitment_id)


def report_of(commitment: JobCommitment, report_id: int) -> JobReport:
    return _one_of(commitment.reports, report_id)


def page_context(org: Organization, **overrides) -> dict:
    """Everything the organisation page and its fragments show, in a fixed number of queries."""
    user = current_user
    editable = org.can_edit(user)
    secretariat = user.role == Role.SECRETARIAT
    club_announced, club_created = queries.club_job_totals()
    commitments = [{"commitment": c, "created": queries.created_to_date(c)} for c in org.job_commitments]
    current_status = org.membership.status if org.membership else None
    context = {
        "org": org,
        "contacts": queries.visible_contacts(org.id, user),
        "can_edit": editable,
        "is_secretariat": secretariat,
        "sees_dues": org.sees_dues(user),
        "sees_phones": org.sees_phones(user),
        "commitments": commitments,
        "org_announced": sum(c["commitment"].jobs_announced for c in commitments),
        "org_created": sum(c["created"] for c in commitments),
        "club_announced": club_announced,
        "club_created": club_created,
        "editing_contact": None,
        "contact_form": ContactForm(formdata=None, prefix="contact") if editable else None,
        "edit_contact_form": None,
        "membership_form": MembershipForm(formdata=None, prefix="membership", current=current_status,
                                          current_tier_id=org.membership.tier_id if org.membership else None,
                                          status=(current_status or MembershipStatus.PENDING).value,
                                          tier=str(org.membership.tier_id or "") if org.membership else "",
                                          joined_on=org.membership.joined_on if org.membership else None,
                                          renews_on=org.membership.renews_on if org.membership else None)
        if secretariat else None,
        "allowed_statuses": services.TRANSITIONS[current_status],
        "dues_form": DuesForm(formdata=None, prefix="dues", year=date.today().year) if secretariat else None,
        "commitment_form": CommitmentForm(formdata=None, prefix="commitment") if secretariat else None,
        "report_forms": {c.id: JobReportForm(formdata=None, prefix=f"report{c.id}") for c in org.job_commitments}
        if editable else {},
        "confirm": ConfirmForm(formdata=None),
        "notice": None,
        **labels.as_context(),
    }
    context.update(overrides)
    return context


def fragment(template: str, context: dict, status: int = 200):
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def section(org: Organization, name: str, anchor: str, notice: str | None = None, **overrides):
    """After a section change: the fragment for htmx, a redirect (Post/Redirect/Get) otherwise."""
    if is_htmx_partial():
        return fragment(f"members/_{name}.html", page_context(org, notice=notice, **overrides))
    if notice:
        flash(notice, "success")
    return redirect(url_for("members.detail", org_id=org.id, _anchor=anchor), 303)


def section_errors(org: Organization, name: str, status: int = 422, **overrides):
    """A section form refused (its errors at its fields, the input kept, nothing saved): the fragment for htmx,
    the whole page otherwise."""
    db.session.rollback()
    org = org_or_404(org.id)
    context = page_context(org, **overrides)
    return fragment(f"members/_{name}.html" if is_htmx_partial() else "members/detail.html", context, status)


def phone_for_form(stored: str | None) -> str | None:
    """A stored number as an edit form shows it: the way people write it (saved again, it is the same number)."""
    return phones.display(stored) or None
