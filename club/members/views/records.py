"""The organisation's records: membership and dues (the secretariat), job commitments (the secretariat) and their
reports (the secretariat and the member contact); corrections on a page each, so they work without JavaScript."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.refusals import Refused, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.members import bp, services
from club.members.forms import (
    CommitmentEditForm,
    CommitmentForm,
    DuesEditForm,
    DuesForm,
    JobReportEditForm,
    JobReportForm,
    MembershipForm,
)
from club.members.models import MembershipStatus, MembershipTier, Organization, PaymentMethod
from club.members.views.common import (
    EDITORS,
    STAFF,
    commitment_of,
    dues_of,
    editable_org_or_404,
    org_or_404,
    report_of,
    section,
    section_errors,
)
from club.permissions import role_required

# ---------------------------------------------------------------------------------------------------------------
# Membership and dues (secretariat)


@bp.route("/<int:org_id>/membership", methods=["POST"])
@form_view
@role_required(*STAFF)
def membership(org_id: int):
    org = org_or_404(org_id)
    current = org.membership.status if org.membership else None
    form = MembershipForm(prefix="membership", current=current,
                          current_tier_id=org.membership.tier_id if org.membership else None)
    if form.validate_on_submit():
        def state():
            m = org.membership
            return (m.status, m.tier_id, m.joined_on, m.renews_on) if m else None

        try:
            services.lock_organization(org)  # what this request changes, not what a simultaneous one did
            before = state()
            tier_id = form.tier_id()
            services.change_membership(org, MembershipStatus(form.status.data),
                                       tier=db.session.get(MembershipTier, tier_id) if tier_id else None,
                                       joined_on=form.joined_on.data, renews_on=form.renews_on.data,
                                       note=form.note.data, by=current_user)
            changed = state() != before or bool(form.note.data)
            db.session.commit()
        except Refused as refused:  # a simultaneous change made this move impossible
            refuse_at(form, refused)
        else:
            return section(org, "membership", "membership",
                           _("Membership saved.") if changed else _("Nothing to change."))
    return section_errors(org, "membership", membership_form=form)


@bp.route("/<int:org_id>/dues", methods=["POST"])
@form_view
@role_required(*STAFF)
def dues(org_id: int):
    org = org_or_404(org_id)
    form = DuesForm(prefix="dues")
    if form.validate_on_submit():
        try:
            services.record_dues(org, form.year.data, amount=form.amount.data, invoiced_on=form.invoiced_on.data,
                                 paid_on=form.paid_on.data,
                                 method=PaymentMethod(form.method.data) if form.method.data else None,
                                 by=current_user)
            db.session.commit()
        except Refused as refused:
            refuse_at(form, refused)
        else:
            return section(org, "dues", "dues", _("Dues for %(year)s saved.", year=form.year.data))
    return section_errors(org, "dues", dues_form=form)


# ---------------------------------------------------------------------------------------------------------------
# Corrections of dues, commitments and job reports: the form, then the organisation page (303); refused, the
# form again (422); stale, the form again with both versions (409, ``club.core.stale``).


def _correction(org: Organization, record, form, *, fields: tuple[str, ...], save, saved, title: str, anchor: str,
                delete_url: str, done_message: str):
    context = {"org": org, "title": title, "anchor": anchor, "delete_url": delete_url,
               "confirm": ConfirmForm(formdata=None)}
    if request.method == "POST" and form.validate_on_submit():
        def done(changes):
            flash(done_message if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("members.detail", org_id=org.id, _anchor=anchor), 303)

        return commit_or_rerender(
            lambda: save(record, {name: getattr(form, name).data for name in fields}, form.version.data),
            form, "members/record_edit.html", context=context, saved=saved, record=record, done=done)
    return render_template("members/record_edit.html", form=form, **context), 422 if request.method == "POST" else 200


def _saved_dues(dues) -> dict:
    return {"amount": dues.amount, "invoiced_on": dues.invoiced_on, "paid_on": dues.paid_on,
            "method": dues.method.value if dues.method else ""}


@bp.route("/<int:org_id>/dues/<int:dues_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def dues_edit(org_id: int, dues_id: int):
    org = org_or_404(org_id)
    record = dues_of(org, dues_id)
    if request.method == "GET":
        form = DuesEditForm(formdata=None, prefix="dues", data={**_saved_dues(record), "version": record.version})
    else:
        form = DuesEditForm(prefix="dues")

    def save(dues, data, version):
        data["method"] = PaymentMethod(data["method"]) if data["method"] else None
        return services.update_dues(dues, data, version=version, by=current_user)

    return _correction(org, record, form, fields=services.DUES_FIELDS, save=save, saved=_saved_dues,
                       title=_("Correct the dues for %(year)s", year=record.year), anchor="dues",
                       delete_url=url_for("members.dues_delete", org_id=org.id, dues_id=record.id),
                       done_message=_("Dues for %(year)s corrected.", year=record.year))


@bp.route("/<int:org_id>/dues/<int:dues_id>/delete", methods=["POST"])
@role_required(*STAFF)
def dues_delete(org_id: int, dues_id: int):
    org = org_or_404(org_id)
    dues_of(org, dues_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)  # a double click deletes once; the second finds it gone
        record = next((d for d in org.dues if d.id == dues_id), None)
        if record is None:
            return section(org, "dues", "dues", _("Already deleted."))
        year = record.year
        services.delete_dues(record, by=current_user)
        db.session.commit()
        return section(org_or_404(org_id), "dues", "dues", _("Dues for %(year)s deleted.", year=year))
    return section(org, "dues", "dues")


# ---------------------------------------------------------------------------------------------------------------
# Jobs


@bp.route("/<int:org_id>/commitments", methods=["POST"])
@form_view
@role_required(*STAFF)
def commitment_new(org_id: int):
    org = org_or_404(org_id)
    form = CommitmentForm(prefix="commitment")
    if form.validate_on_submit():
        try:
            services.add_commitment(org, jobs_announced=form.jobs_announced.data, horizon=form.horizon.data,
                                    announced_on=form.announced_on.data, source=form.source.data, by=current_user)
            db.session.commit()
        except Refused as refused:
            refuse_at(form, refused)
        else:
            return section(org_or_404(org_id), "jobs", "jobs", _("Commitment recorded."))
    return section_errors(org, "jobs", commitment_form=form)


def _saved_commitment(commitment) -> dict:
    return {name: getattr(commitment, name) for name in services.COMMITMENT_FIELDS}


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def commitment_edit(org_id: int, commitment_id: int):
    org = org_or_404(org_id)
    record = commitment_of(org, commitment_id)
    form = CommitmentEditForm(prefix="commitment", commitment=record) if request.method == "POST" else \
        CommitmentEditForm(formdata=None, prefix="commitment", obj=record, commitment=record)
    return _correction(org, record, form, fields=services.COMMITMENT_FIELDS,
                       save=lambda c, data, version: services.update_commitment(c, data, version=version,
                                                                                by=current_user),
                       saved=_saved_commitment, title=_("Correct a job commitment"), anchor=f"commitment-{record.id}",
                       delete_url=url_for("members.commitment_delete", org_id=org.id, commitment_id=record.id),
                       done_message=_("Commitment corrected."))


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/delete", methods=["POST"])
@role_required(*STAFF)
def commitment_delete(org_id: int, commitment_id: int):
    org = org_or_404(org_id)
    commitment_of(org, commitment_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)
        record = next((c for c in org.job_commitments if c.id == commitment_id), None)
        if record is None:
            return section(org, "jobs", "jobs", _("Already deleted."))
        services.delete_commitment(record, by=current_user)
        db.session.commit()
        return section(org_or_404(org_id), "jobs", "jobs", _("Commitment deleted."))
    return section(org, "jobs", "jobs")


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/reports", methods=["POST"])
@form_view
@role_required(*EDITORS)
def report_new(org_id: int, commitment_id: int):
    org = editable_org_or_404(org_id)
    commitment = commitment_of(org, commitment_id)
    form = JobReportForm(prefix=f"report{commitment.id}", commitment=commitment)
    if form.validate_on_submit():
        try:
            services.add_job_report(commitment, reported_on=form.reported_on.data,
                                    jobs_created=form.jobs_created.data, note=form.note.data, by=current_user)
            db.session.commit()
        except Refused as refused:
            refuse_at(form, refused)
        else:
            return section(org_or_404(org_id), "jobs", "jobs", _("Job report recorded."))
    report_forms = {c.id: (form if c.id == commitment.id else JobReportForm(formdata=None, prefix=f"report{c.id}"))
                    for c in org.job_commitments}
    return section_errors(org, "jobs", report_forms=report_forms)


def _saved_report(report) -> dict:
    return {name: getattr(report, name) for name in services.REPORT_FIELDS}


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*EDITORS)
def report_edit(org_id: int, commitment_id: int, report_id: int):
    org = editable_org_or_404(org_id)
    commitment = commitment_of(org, commitment_id)
    record = report_of(commitment, report_id)
    if request.method == "POST":
        form = JobReportEditForm(prefix="report", commitment=commitment, current_jobs=record.jobs_created)
    else:
        form = JobReportEditForm(formdata=None, prefix="report", obj=record, commitment=commitment,
                                 current_jobs=record.jobs_created)
    return _correction(org, record, form, fields=services.REPORT_FIELDS,
                       save=lambda r, data, version: services.update_job_report(r, data, version=version,
                                                                                by=current_user),
                       saved=_saved_report, title=_("Correct a job report"), anchor=f"commitment-{commitment.id}",
                       delete_url=url_for("members.report_delete", org_id=org.id, commitment_id=commitment.id,
                                          report_id=record.id),
                       done_message=_("Job report corrected."))


@bp.route("/<int:org_id>/commitments/<int:commitment_id>/reports/<int:report_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def report_delete(org_id: int, commitment_id: int, report_id: int):
    org = editable_org_or_404(org_id)
    report_of(commitment_of(org, commitment_id), report_id)
    if ConfirmForm().validate_on_submit():
        services.lock_organization(org)
        commitment = next((c for c in org.job_commitments if c.id == commitment_id), None)
        record = next((r for r in commitment.reports if r.id == report_id), None) if commitment else None
        if record is None:
            return section(org, "jobs", "jobs", _("Already deleted."))
        services.delete_job_report(record, by=current_user)
        db.session.commit()
        return section(org_or_404(org_id), "jobs", "jobs", _("Job report deleted."))
    return section(org, "jobs", "jobs")
