"""The dues follow-up (the secretariat only; anyone else: 404): the year's dues with totals, filters and the CSV
export; the membership tiers; the memberships due for renewal and their renewal; the end of a membership."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from club.core.exports import table_response
from club.core.pagination import page_number
from club.core.refusals import Refused, commit_or_rerender, refuse_at
from club.core.spreadsheets import Column
from club.core.timezones import local_today
from club.extensions import db
from club.forms import form_view
from club.htmx import render_page_or_partial
from club.members import bp, labels, queries, services
from club.members.forms import EndMembershipForm, RenewForm, TierForm
from club.members.models import MembershipTier, Organization
from club.members.views.common import STAFF, org_or_404
from club.permissions import get_visible_or_404, role_required

# ---------------------------------------------------------------------------------------------------------------
# The year's dues


def _dues_context(filters, today) -> dict:
    return {"filters": filters, "filter_args": filters.args(), "years": queries.dues_years(today),
            "tier_options": queries.tier_options(), "today": today,
            "overdue_days": queries.OVERDUE_AFTER_DAYS, "states": queries.DUES_STATES, **labels.as_context()}


@bp.route("/dues")
@role_required(*STAFF)
def dues_list():
    today = local_today()
    filters = queries.DuesFilters.from_args(request.args, today)
    page, totals = queries.dues_page(filters, today, page_number())
    rows = [(row, queries.dues_state(row.Dues, today)) for row in page.items]
    return render_page_or_partial("members/dues.html", "members/_dues_rows.html", page=page, rows=rows,
                                  totals=totals, **_dues_context(filters, today))


@bp.route("/dues/export.csv")
@role_required(*STAFF)
def dues_export():
    """The filtered dues as CSV (``club.core.exports``): every row the page lists, every page of it."""
    return _dues_export("csv")


@bp.route("/dues/export.xlsx")
@role_required(*STAFF)
def dues_export_xlsx():
    """The same rows as ``dues_export``: amounts and dates as typed cells."""
    return _dues_export("xlsx")


def _dues_export(fmt: str):
    today = local_today()
    filters = queries.DuesFilters.from_args(request.args, today)
    context = labels.as_context()
    states = {"paid": _("paid"), "unpaid": _("unpaid"), "overdue": _("overdue")}
    columns = [Column(_("Organisation")), Column(_("Kind")), Column(_("Province")), Column(_("Tier")),
               Column(_("Year"), "year"), Column(_("Amount (MAD)"), "money"), Column(_("Invoiced on"), "date"),
               Column(_("Paid on"), "date"), Column(_("Payment method")), Column(_("State"))]
    rows = ((row.org_name, context["kind_labels"].get(row.kind.value, "") if row.kind else "",
             context["province_labels"].get(row.province.value, "") if row.province else "", row.tier_name or "",
             row.Dues.year, row.Dues.amount, row.Dues.invoiced_on, row.Dues.paid_on,
             context["method_labels"].get(row.Dues.method.value, "") if row.Dues.method else "",
             states[queries.dues_state(row.Dues, today)])
            for row in queries.dues_export_rows(filters, today))
    return table_response(fmt, f"dues-{filters.year}-{today.isoformat()}", _("Dues %(year)s", year=filters.year),
                          columns, rows)


# ---------------------------------------------------------------------------------------------------------------
# Tiers


@bp.route("/tiers", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def tiers():
    form = TierForm() if request.method == "POST" else TierForm(formdata=None)
    context = {"tiers": queries.tiers()}
    if request.method == "POST" and form.validate_on_submit():
        def created(tier):
            flash(_("Tier %(name)s added.", name=tier.name), "success")
            return redirect(url_for("members.tiers"), 303)

        return commit_or_rerender(lambda: services.create_tier(form.data_for_service(), by=current_user), form,
                                  "members/tiers.html", context=context, done=created)
    return render_template("members/tiers.html", form=form, **context), 422 if request.method == "POST" else 200


@bp.route("/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def tier_edit(tier_id: int):
    tier = get_visible_or_404(MembershipTier, tier_id)
    if request.method == "GET":
        form = TierForm(formdata=None, data={**TierForm.values_of(tier), "version": tier.version})
    else:
        form = TierForm()
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Tier saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("members.tiers"), 303)

        return commit_or_rerender(
            lambda: services.update_tier(tier, form.data_for_service(), version=form.version.data, by=current_user),
            form, "members/tiers_edit.html", context={"tier": tier}, saved=TierForm.values_of, record=tier,
            done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("members/tiers_edit.html", form=form, tier=tier), status


# ---------------------------------------------------------------------------------------------------------------
# Renewals


@bp.route("/renewals")
@role_required(*STAFF)
def renewals():
    today = local_today()
    page = queries.renewals_page(today, page_number())
    return render_page_or_partial("members/renewals.html", "members/_renewals_rows.html", page=page, today=today)


def _member_or_404(org_id: int) -> Organization:
    org = org_or_404(org_id)
    if org.membership is None:
        from flask import abort

        abort(404)
    return org


def _renew_context(org: Organization, today) -> dict:
    membership = org.membership
    plan = services.renewal_plan(membership, today) if membership.tier is not None else None
    dues_there = plan is not None and plan[2] is not None and any(d.year == plan[2] for d in org.dues)
    return {"org": org, "membership": membership, "plan": plan, "dues_there": dues_there, "today": today,
            **labels.as_context()}


@bp.route("/<int:org_id>/renew", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def renew(org_id: int):
    """The renewal's confirmation page (GET), and the renewal (POST): the next period, the dues of its year."""
    org = _member_or_404(org_id)
    today = local_today()
    if request.method == "GET":
        renews_on = org.membership.renews_on
        form = RenewForm(formdata=None, expected=renews_on.isoformat() if renews_on else "")
        return render_template("members/renewals_confirm.html", form=form, **_renew_context(org, today))
    form = RenewForm()
    if form.validate_on_submit():
        try:
            renewal = services.renew_membership(org.membership, expected=form.expected_date(), by=current_user,
                                                today=today)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            if renewal.dues is not None:
                flash(_("Membership of %(org)s renewed until %(date)s; dues for %(year)s invoiced.", org=org.name,
                        date=_format_date(renewal.renews_on), year=renewal.dues.year), "success")
            else:
                flash(_("Membership of %(org)s renewed until %(date)s.", org=org.name,
                        date=_format_date(renewal.renews_on)), "success")
            return redirect(_back(org), 303)
    org = _member_or_404(org_id)
    return render_template("members/renewals_confirm.html", form=form, **_renew_context(org, today)), 422


def _format_date(value) -> str:
    from flask_babel import format_date

    return format_date(value)


def _back(org: Organization) -> str:
    """Back to the renewals list, or to the organisation page when the renewal started there."""
    if request.values.get("back") == "org":
        return url_for("members.detail", org_id=org.id, _anchor="membership")
    return url_for("members.renewals")


# ---------------------------------------------------------------------------------------------------------------
# Ending a membership


@bp.route("/<int:org_id>/membership/end", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def membership_end(org_id: int):
    """Confirmation with a reason (GET), then the end (POST): the organisation is a non-member again."""
    org = _member_or_404(org_id)
    form = EndMembershipForm() if request.method == "POST" else EndMembershipForm(formdata=None)
    context = {"org": org, **labels.as_context()}
    if request.method == "POST" and form.validate_on_submit():
        def ended(_result):
            flash(_("%(org)s is no longer a member.", org=org.name), "success")
            return redirect(url_for("members.detail", org_id=org.id, _anchor="membership"), 303)

        return commit_or_rerender(lambda: services.end_membership(org, reason=form.reason.data, by=current_user),
                                  form, "members/renewals_end.html", context=context, done=ended)
    status = 422 if request.method == "POST" else 200
    return render_template("members/renewals_end.html", form=form, **context), status
