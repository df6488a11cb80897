"""Programmes: the list, a programme's page (what each role sees follows ``Programme.access_of``), creating and
editing a programme (the secretariat; also from a mission's follow-up action), its state, its partners and their
funding shares, and its documents."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from club.core import audit, storage
from club.core.pagination import paginate
from club.core.refusals import REFUSED_STATUS, Refused, Stale, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, choices, form_view, format_decimal_input
from club.htmx import render_page_or_partial
from club.permissions import Role, get_visible_or_404, role_required
from club.programmes import bp, charts
from club.programmes.forms.programmes import (
    DocumentForm,
    FigureForm,
    FilterForm,
    MilestoneForm,
    PartnerEditForm,
    PartnerForm,
    ProgrammeForm,
    TransitionForm,
)
from club.programmes.models import (
    BENEFICIARY_STATUS_LABELS,
    GENDER_LABELS,
    MEASURE_LABELS,
    PARTNER_ROLE_LABELS,
    STATE_LABELS,
    TRANSITION_LABELS,
    Access,
    IndicatorSource,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeState,
    ProgressReport,
)
from club.programmes.queries import programmes as queries
from club.programmes.services import programmes as services

SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)
LEADING = (Role.SECRETARIAT, Role.MEMBER)


def programme_or_404(programme_id: int, minimum: Access = Access.PUBLIC) -> tuple[Programme, Access]:
    """The programme and how much of it the user sees; 404 below ``minimum`` (or when it is not visible)."""
    programme = get_visible_or_404(Programme, programme_id, options=queries.programme_options())
    access = programme.access_of(current_user)
    if access < minimum or access == Access.NONE:
        abort(404)
    return programme, access


def led_or_404(programme_id: int) -> Programme:
    """The programme, for someone who writes as its lead (the secretariat, the lead's member contacts)."""
    programme, _access = programme_or_404(programme_id, Access.LEAD)
    if not services.may_lead(programme, current_user):
        abort(404)
    return programme


def back_to(programme: Programme, anchor: str = ""):
    return redirect(url_for("programmes.detail", programme_id=programme.id) + anchor, 303)


# --- the list ----------------------------------------------------------------------------------------------------

@bp.route("/")
@role_required(*SEEING)
def index():
    filters = FilterForm(request.args)
    filters.lead.choices = choices([("", _l("All lead organisations"))] + queries.lead_choices(current_user))
    filters.validate()
    lead = filters.lead.data if isinstance(filters.lead.data, int) else 0
    page = paginate(queries.programme_list(current_user, queries.Filters(
        kind=filters.kind.data or "", state=filters.state.data or "", province=filters.province.data or "",
        lead=lead, q=(filters.q.data or "")[:100] if not filters.q.errors else "")), per_page=25)
    # What each row shows of its programme's main indicator: only where the user sees the indicators.
    beyond = [p.id for p in page.items if p.access_of(current_user) >= Access.PARTNER]
    mains = queries.main_indicators(beyond)
    results = queries.indicator_results(beyond)
    return render_page_or_partial("programmes/index.html", "programmes/_rows.html", page=page, filters=filters,
                                  mains=mains, results=results)


# --- a programme's page ------------------------------------------------------------------------------------------

def detail_context(programme: Programme, access: Access, **forms) -> dict:
    """What the programme's page shows to ``current_user`` (``access``), with a form that was refused (if any)
    keeping what was typed."""
    context = {"programme": programme, "access": access, "Access": Access, "staff": access == Access.SECRETARIAT,
               "may_lead": services.may_lead(programme, current_user), "may_change": False,
               "state_labels": STATE_LABELS}
    if access >= Access.PARTNER:
        indicator_ids = [i.id for i in programme.indicators]
        figures = [i.id for i in programme.indicators if i.source == IndicatorSource.FIGURES]
        tallies = queries.tally([programme.id])
        context.update(
            results=queries.indicator_results([programme.id], tallies),
            latest=queries.latest_figures(figures),
            measure_labels=MEASURE_LABELS,
            milestones=queries.milestones(programme.id),
            reports=queries.reports(programme.id, current_user),
            aggregates=queries.beneficiary_aggregates(tallies[programme.id]),
            status_labels=BENEFICIARY_STATUS_LABELS, gender_labels=GENDER_LABELS,
            funding_total=queries.funding_total(programme),
            indicator_ids=indicator_ids,
        )
        # The indicators against their targets, from the results just read (no query): aggregates, as the table.
        context["indicators_chart"] = (charts.indicators_chart(programme.indicators, context["results"])
                                       if programme.indicators else None)
    if access >= Access.LEAD:
        context["documents"] = queries.documents(programme.id, current_user)
    if context["may_lead"]:
        context["confirm"] = ConfirmForm()
        context["milestone_form"] = forms.get("milestone_form") or MilestoneForm(prefix="milestone",
                                                                               formdata=None)
        context["document_form"] = forms.get("document_form") or DocumentForm(formdata=None)
        figure_forms = {}
        for indicator in programme.indicators:
            if indicator.source == IndicatorSource.FIGURES and programme.state not in services.ENDED:
                figure_forms[indicator.id] = FigureForm(prefix=f"figure-{indicator.id}", formdata=None)
        figure_forms.update(forms.get("figure_forms") or {})
        context["figure_forms"] = figure_forms
        context["may_report"] = context["may_change"] = programme.state not in services.ENDED
    if context["staff"]:
        context["transition_form"] = TransitionForm(formdata=None)
        context["transition_labels"] = TRANSITION_LABELS
        report_ids = [r.id for r in context.get("reports", [])]
        context["events"] = audit.events_for_any({"programmes": [programme.id],
                                                  ProgressReport.__tablename__: report_ids})
    context["open_form"] = next(iter(forms), None)
    return context


def render_detail(programme: Programme, access: Access, status: int = 200, **forms):
    return render_template("programmes/detail.html", **detail_context(programme, access, **forms)), status


@bp.route("/<int:programme_id>")
@role_required(*SEEING)
def detail(programme_id: int):
    programme, access = programme_or_404(programme_id)
    return render_detail(programme, access)


# --- create, edit, state -----------------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def new():
    action = None
    if request.method == "GET":
        action_id = request.args.get("action_id", type=int)
        data = {}
        if action_id:
            action = queries.follow_up_action(action_id)
            if action is None:
                abort(404)
            made = queries.programme_of_action(action.id)
            if made is not None:
                flash(_("This follow-up action already became the programme “%(title)s”.", title=made.title), "info")
                return redirect(url_for("programmes.detail", programme_id=made.id), 303)
            data = {"title": action.task[:200], "mission_action_id": action.id,
                    "lead": action.owner_organization.name if action.owner_organization else "",
                    "starts_on": action.due_on}
        form = ProgrammeForm(data=data)
    else:
        form = ProgrammeForm()
        if form.mission_action_id.data:
            action = queries.follow_up_action(form.mission_action_id.data)
    context = {"programme": None, "action": action}
    if form.validate_on_submit():
        def created(programme):
            flash(_("Programme created as a draft. Add its partners and indicators, then launch it."), "success")
            return redirect(url_for("programmes.detail", programme_id=programme.id), 303)

        return commit_or_rerender(lambda: services.create_programme(form.programme_data(), by=current_user), form,
                                  "programmes/edit.html", context=context, done=created)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/edit.html", form=form, **context), status


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def edit(programme_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    if request.method == "GET":
        form = ProgrammeForm(data={**ProgrammeForm.values_of(programme), "version": programme.version})
    else:
        form = ProgrammeForm()
    context = {"programme": programme, "action": None}
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Programme saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            return back_to(programme)

        return commit_or_rerender(
            lambda: services.update_programme(programme, form.programme_data(), version=form.version.data,
                                              by=current_user),
            form, "programmes/edit.html", context=context, saved=ProgrammeForm.values_of, record=programme,
            done=saved)
    status = REFUSED_STATUS if request.method == "POST" else 200
    return render_template("programmes/edit.html", form=form, **context), status


@bp.route("/<int:programme_id>/state", methods=["POST"])
@role_required(Role.SECRETARIAT)
def transition(programme_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("Nothing was changed."), "warning")
        return back_to(programme)
    to = ProgrammeState(form.to.data)
    try:
        services.transition(programme, to, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return back_to(programme)
    flash(_("The programme is now: %(state)s.", state=STATE_LABELS[to]), "success")
    return back_to(programme)


# --- partners ----------------------------------------------------------------------------------------------------

def _partner_form(partner: ProgrammePartner, formdata=None) -> PartnerEditForm:
    prefix = f"partner-{partner.organization_id}"
    if formdata is not None:
        return PartnerEditForm(prefix=prefix)
    return PartnerEditForm(prefix=prefix, formdata=None,
                           data={"role": partner.role.value, "funding": format_decimal_input(partner.funding),
                                 "version": partner.version})


def _partners_page(programme: Programme, status: int = 200, **forms):
    edit_forms = {p.organization_id: _partner_form(p) for p in programme.partners}
    edit_forms.update(forms.get("edit_forms") or {})
    return render_template("programmes/partners.html", programme=programme,
                           form=forms.get("form") or PartnerForm(formdata=None), edit_forms=edit_forms,
                           confirm=ConfirmForm(), funding_total=queries.funding_total(programme)), status


def _partner_or_404(programme: Programme, organization_id: int) -> ProgrammePartner:
    partner = db.session.get(ProgrammePartner, (programme.id, organization_id))
    if partner is None:
        abort(404)
    return partner


@bp.route("/<int:programme_id>/partners")
@role_required(Role.SECRETARIAT)
def partners(programme_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    return _partners_page(programme)


@bp.route("/<int:programme_id>/partners/new", methods=["POST"])
@form_view
@role_required(Role.SECRETARIAT)
def partner_new(programme_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    form = PartnerForm()
    if form.validate_on_submit():
        name = form.organization.organization.name
        try:
            services.add_partner(programme, form.organization.organization, role=PartnerRole(form.role.data),
                                 funding=form.funding.decimal, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("%(name)s is now a partner of the programme.", name=name), "success")
            return redirect(url_for("programmes.partners", programme_id=programme.id), 303)
    db.session.expire_all()
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    return _partners_page(programme, REFUSED_STATUS, form=form)


@bp.route("/<int:programme_id>/partners/<int:partner_id>", methods=["POST"])
@form_view
@role_required(Role.SECRETARIAT)
def partner_edit(programme_id: int, partner_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    partner = _partner_or_404(programme, partner_id)
    form = _partner_form(partner, request.form)
    if form.validate_on_submit():
        name = partner.organization.name
        try:
            changes = services.update_partner(partner, role=PartnerRole(form.role.data), funding=form.funding.decimal,
                                              by=current_user, version=form.version.data)
            db.session.commit()
        except Stale:
            db.session.rollback()
            saved = _partner_form(db.session.get(ProgrammePartner, (programme.id, partner_id)))
            form.version.data = saved.version.data  # sending again now replaces the saved version, knowingly
            form.form_errors.append(_(
                "Someone else saved this partner while you were editing it: saved now, %(role)s, %(funding)s. Your "
                "version is in the form; save again to keep it.", role=PARTNER_ROLE_LABELS[PartnerRole(
                    saved.role.data)], funding=saved.funding.data or "—"))
            db.session.expire_all()
            programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
            return _partners_page(programme, 409, edit_forms={partner_id: form})
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("%(name)s: saved.", name=name) if changes else _("Nothing to change."),
                  "success" if changes else "info")
            return redirect(url_for("programmes.partners", programme_id=programme.id), 303)
    db.session.expire_all()
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    return _partners_page(programme, REFUSED_STATUS, edit_forms={partner_id: form})


@bp.route("/<int:programme_id>/partners/<int:partner_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def partner_delete(programme_id: int, partner_id: int):
    programme, _access = programme_or_404(programme_id, Access.SECRETARIAT)
    partner = _partner_or_404(programme, partner_id)
    if ConfirmForm().validate_on_submit():
        name = partner.organization.name
        services.remove_partner(partner, by=current_user)
        db.session.commit()
        flash(_("%(name)s is no longer a partner of the programme.", name=name), "success")
    return redirect(url_for("programmes.partners", programme_id=programme.id), 303)


# --- documents ---------------------------------------------------------------------------------------------------

@bp.route("/<int:programme_id>/documents", methods=["POST"])
@form_view
@role_required(*LEADING)
def document_new(programme_id: int):
    programme = led_or_404(programme_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_document(programme, title=form.title.data,
                                  data=storage.read_limited(upload, services.MAX_DOCUMENT_SIZE),
                                  filename=upload.filename, by=current_user)
            db.session.commit()
        except Refused as refused:  # the file refused by the storage (empty, too big, not of its kinds)
            db.session.rollback()
            refuse_at(form, refused)
        else:
            flash(_("Document “%(title)s” added.", title=form.title.data), "success")
            return back_to(programme, "#documents")
    programme, access = programme_or_404(programme_id)
    return render_detail(programme, access, REFUSED_STATUS, document_form=form)


@bp.route("/<int:programme_id>/documents/<int:programme_document_id>")
@role_required(*SEEING)
def document(programme_id: int, programme_document_id: int):
    programme, _access = programme_or_404(programme_id)
    found = queries.document_of(programme, programme_document_id, current_user)
    if found is None:
        abort(404)
    return storage.send_stored(found.file)
