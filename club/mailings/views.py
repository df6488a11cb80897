"""The routes of mailings: the secretariat's list, drafts, preview, test send and send, a mailing's recipients;
the consent buttons of an organisation's page (secretariat, and the organisation's own member contacts); the
public unsubscribe link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from club.core import audit
from club.core.jobs import enqueue
from club.core.pagination import page_number, paginate
from club.core.refusals import Refused, Stale, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, as_id, form_view
from club.htmx import render_page_or_partial
from club.mailings import bp, jobs, queries, services
from club.mailings.forms import MailingForm, SendForm, TestSendForm
from club.mailings.merge import FIELDS
from club.mailings.models import (
    MAILING_STATE_LABELS,
    RECIPIENT_SCOPE_LABELS,
    RECIPIENT_STATUS_LABELS,
    ConsentSource,
    ContactConsent,
    Mailing,
    RecipientScope,
    RecipientStatus,
)
from club.members.models import (
    LANGUAGE_LABELS,
    MEMBERSHIP_STATUS_LABELS,
    ORG_KIND_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    TRADE_LABELS,
    Contact,
    Language,
    MembershipStatus,
    OrgKind,
    Province,
    Site,
    Trade,
)
from club.permissions import Role, get_visible_or_404, public, role_required

STAFF = (Role.SECRETARIAT,)


def _mailing_or_404(mailing_id: int) -> Mailing:
    return get_visible_or_404(Mailing, mailing_id)


def describe(audience: dict) -> str:
    """The audience in words, from the register's filters ("Call centre · Active · Oujda-Angad")."""
    filters = queries.audience_filters(audience)
    parts = []
    if filters.kind:
        parts.append(str(ORG_KIND_LABELS[OrgKind(filters.kind)]))
    if filters.status:
        parts.append(_("No membership") if filters.status == "none"
                     else str(MEMBERSHIP_STATUS_LABELS[MembershipStatus(filters.status)]))
    if filters.province:
        parts.append(str(PROVINCE_LABELS[Province(filters.province)]))
    if filters.site:
        parts.append(str(SITE_LABELS[Site(filters.site)]))
    if filters.trade:
        parts.append(str(TRADE_LABELS[Trade(filters.trade)]))
    if filters.language:
        parts.append(str(LANGUAGE_LABELS[Language(filters.language)]))
    if filters.q:
        parts.append(_("“%(q)s”", q=filters.q))
    ids = (audience or {}).get("ids")
    if ids is not None:
        parts.append(ngettext("a selection of %(num)s organisation", "a selection of %(num)s organisations",
                              len(ids)))
    return " · ".join(parts) if parts else _("Every organisation of the register")


def _audience_of_request() -> dict:
    return queries.audience_from_args(request.args)


def _context(**extra) -> dict:
    return {"state_labels": MAILING_STATE_LABELS, "scope_labels": RECIPIENT_SCOPE_LABELS,
            "status_labels": RECIPIENT_STATUS_LABELS, "merge_fields": FIELDS, **extra}


# ---------------------------------------------------------------------------------------------------------------
# The list and the drafts


@bp.route("/")
@role_required(*STAFF)
def index():
    page = paginate(queries.mailing_list(), per_page=queries.PER_PAGE)
    return render_page_or_partial("mailings/index.html", "mailings/_rows.html", **_context(page=page))


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def new():
    audience = _audience_of_request()
    label = " ".join((request.args.get("audience") or "").split())[:200] or describe(audience)
    form = MailingForm(data={"audience_label": label} if request.method == "GET" else None)
    scope = form.scope.data if form.scope.data in {s.value for s in RecipientScope} else RecipientScope.PRIMARY
    probe = Mailing(audience=audience, scope=RecipientScope(scope))
    context = _context(mailing=None, audience=audience, summary=queries.summary(probe),
                       audience_text=describe(audience))
    if form.validate_on_submit():
        def created(mailing):
            flash(_("Draft saved. Preview it, send yourself a test, then send it."), "success")
            return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)

        return commit_or_rerender(lambda: services.create_mailing(form.mailing_data(), audience, by=current_user),
                                  form, "mailings/form.html", context=context, done=created)
    status = 422 if request.method == "POST" else 200
    return render_template("mailings/form.html", form=form, **context), status


@bp.route("/<int:mailing_id>")
@role_required(*STAFF)
def detail(mailing_id: int):
    mailing = _mailing_or_404(mailing_id)
    context = _context(mailing=mailing, audience_text=describe(mailing.audience),
                       events=audit.events_for("mailings", mailing.id), confirm=ConfirmForm())
    if mailing.is_draft:
        context.update(summary=queries.summary(mailing), test_form=TestSendForm(data={"language": "fr"}))
    else:
        context.update(totals=queries.totals(mailing))
    return render_template("mailings/detail.html", **context)


@bp.route("/<int:mailing_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def edit(mailing_id: int):
    mailing = _mailing_or_404(mailing_id)
    if not mailing.is_draft:
        flash(_("This mailing has been sent: it can no longer be changed."), "info")
        return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)
    if request.method == "GET":
        form = MailingForm(data={**MailingForm.values_of(mailing), "version": mailing.version})
    else:
        form = MailingForm()
    context = _context(mailing=mailing, audience=mailing.audience, summary=queries.summary(mailing),
                       audience_text=describe(mailing.audience))
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Draft saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)

        return commit_or_rerender(
            lambda: services.update_mailing(mailing, form.mailing_data(), version=form.version.data, by=current_user),
            form, "mailings/form.html", context=context, saved=MailingForm.values_of, record=mailing, done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("mailings/form.html", form=form, **context), status


@bp.route("/<int:mailing_id>/delete", methods=["POST"])
@role_required(*STAFF)
def delete(mailing_id: int):
    mailing = _mailing_or_404(mailing_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was deleted: the form had expired. Try again."), "warning")
        return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)
    try:
        services.delete_mailing(mailing, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "warning")
        return redirect(url_for("mailings.detail", mailing_id=mailing_id), 303)
    except Exception:  # noqa: BLE001 - deleted or sent by someone else meanwhile
        db.session.rollback()
        flash(_("This mailing was changed meanwhile: nothing was deleted."), "warning")
        return redirect(url_for("mailings.index"), 303)
    flash(_("Draft deleted."), "success")
    return redirect(url_for("mailings.index"), 303)


# ---------------------------------------------------------------------------------------------------------------
# Preview and test


@bp.route("/<int:mailing_id>/preview")
@role_required(*STAFF)
def preview(mailing_id: int):
    """Pick a recipient among the audience (typed, a page at a time), and read the letter as they will."""
    mailing = _mailing_or_404(mailing_id)
    q = "".join(ch for ch in (request.args.get("q") or "") if ch.isprintable()).strip()[:100]
    contact_id = as_id(request.args.get("contact"))
    row = queries.audience_contact(mailing, contact_id) if contact_id else None
    if row is None:
        row = queries.first_audience_contact(mailing)
    letter = services.preview(mailing, row) if row is not None else None
    candidates = queries.audience_page(mailing, q, page_number())
    return render_template("mailings/preview.html", **_context(
        mailing=mailing, row=row, letter=letter, q=q, candidates=candidates,
        test_form=TestSendForm(data={"language": letter["locale"] if letter else "fr",
                                     "contact": row.id if row else ""})))


@bp.route("/<int:mailing_id>/test", methods=["POST"])
@role_required(*STAFF)
def test(mailing_id: int):
    mailing = _mailing_or_404(mailing_id)
    form = TestSendForm()
    if not form.validate_on_submit():
        flash(_("Nothing was sent: the form had expired or was damaged. Try again."), "warning")
        return redirect(url_for("mailings.preview", mailing_id=mailing.id), 303)
    contact_id = as_id(form.contact.data)
    row = queries.audience_contact(mailing, contact_id) if contact_id else None
    services.send_test(mailing, by=current_user, locale=form.language.data, row=row)
    db.session.commit()
    flash(_("A test was sent to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("mailings.preview", mailing_id=mailing.id, contact=row.id if row else None), 303)


# ---------------------------------------------------------------------------------------------------------------
# Sending


@bp.route("/<int:mailing_id>/send", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def send(mailing_id: int):
    mailing = _mailing_or_404(mailing_id)
    if not mailing.is_draft:
        flash(_("This mailing has already been sent."), "info")
        return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)
    form = SendForm(data={"version": mailing.version} if request.method == "GET" else None)
    summary = queries.summary(mailing)
    if form.validate_on_submit():
        try:
            started = services.start_sending(mailing, version=form.version.data, by=current_user)
            db.session.commit()
        except (Refused, Stale) as problem:
            db.session.rollback()
            if isinstance(problem, Refused):
                refuse_at(form, problem)
            else:
                form.form_errors.append(_("This mailing was changed meanwhile: read it again before sending."))
            return render_template("mailings/send.html", form=form, **_context(mailing=mailing, summary=summary)), \
                409 if isinstance(problem, Stale) else 422
        if not started:
            flash(_("This mailing has already been sent."), "info")
            return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)
        enqueue(jobs.send_mailing, mailing.id)
        flash(ngettext("The mailing is being sent to %(num)s recipient.",
                       "The mailing is being sent to %(num)s recipients.", summary.recipients), "success")
        return redirect(url_for("mailings.detail", mailing_id=mailing.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("mailings/send.html", form=form, **_context(mailing=mailing, summary=summary)), status


@bp.route("/<int:mailing_id>/recipients")
@role_required(*STAFF)
def recipients(mailing_id: int):
    mailing = _mailing_or_404(mailing_id)
    status = request.args.get("status", "")
    if status not in {s.value for s in RecipientStatus}:
        status = ""
    page = paginate(queries.recipients(mailing, status), per_page=queries.PER_PAGE, scalars=False)
    return render_page_or_partial("mailings/recipients.html", "mailings/_recipient_rows.html", **_context(
        mailing=mailing, page=page, status=status, totals=queries.totals(mailing)))


# ---------------------------------------------------------------------------------------------------------------
# Consent, from an organisation's page


def _contact_for_consent(contact_id: int) -> Contact:
    """The contact, when the user may change their consent: the secretariat (a consent given in writing), or the
    person themselves (a member account of the contact's organisation with the contact's email): a member never
    gives nor withdraws a colleague's consent, nor undoes a colleague's unsubscribe."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or not contact.email:
        abort(404)
    if current_user.role == Role.MEMBER and not services.may_change_consent(current_user, contact):
        abort(404)
    return contact


def _consent_change(contact_id: int, change, done: str, unchanged: str):
    contact = _contact_for_consent(contact_id)
    back = url_for("members.detail", org_id=contact.organization_id) + "#mailing-consent"
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was recorded: the form had expired. Try again."), "warning")
        return redirect(back, 303)
    source = ConsentSource.SECRETARIAT if current_user.role == Role.SECRETARIAT else ConsentSource.MEMBER
    changed = change(contact, by=current_user, source=source)
    db.session.commit()
    flash((done if changed else unchanged) % {"name": contact.name}, "success" if changed else "info")
    return redirect(back, 303)


@bp.route("/consent/<int:contact_id>/give", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.MEMBER)
def consent_give(contact_id: int):
    return _consent_change(contact_id, services.give_consent, _("Consent recorded for %(name)s."),
                           _("%(name)s had already given their consent."))


@bp.route("/consent/<int:contact_id>/withdraw", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.MEMBER)
def consent_withdraw(contact_id: int):
    return _consent_change(contact_id, services.withdraw_consent, _("Consent withdrawn for %(name)s."),
                           _("%(name)s had no consent to withdraw."))


# ---------------------------------------------------------------------------------------------------------------
# The unsubscribe link (no sign-in)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@form_view
@public
def unsubscribe(token: str):
    found = services.read_unsubscribe_token(token)
    mailing = db.session.get(Mailing, found[0]) if found else None
    if found is None or mailing is None:
        return render_template("mailings/unsubscribe.html", problem="invalid", contact=None, form=None), 404
    contact = db.session.get(Contact, found[1]) if found[1] is not None else None
    if found[1] is not None and contact is None:
        return render_template("mailings/unsubscribe.html", problem="gone", contact=None, form=None), 404
    form = ConfirmForm()
    consent = db.session.get(ContactConsent, contact.id) if contact is not None else None
    done = consent is not None and consent.unsubscribed_at is not None  # already: said so, nothing to confirm
    if request.method == "POST" and contact is not None and not done:
        if form.validate_on_submit():
            services.unsubscribe(contact, mailing=mailing)
            db.session.commit()
            done = True
        else:
            return render_template("mailings/unsubscribe.html", problem="expired", contact=contact, form=form,
                                   mailing=mailing), 400
    return render_template("mailings/unsubscribe.html", problem=None, contact=contact, form=form, mailing=mailing,
                           done=done)

