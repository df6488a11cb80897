"""Missions: list, page, edit, registrations and waiting list, invitations, attendance, report, calendar."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel import refresh as refresh_locale
from flask_login import current_user

from club.core.exports import csv_response
from club.core.pagination import paginate
from club.extensions import db
from club.forms import ConfirmForm, choices, form_view
from club.htmx import is_htmx_partial, render_page_or_partial
from club.members.models import SITE_LABELS, Contact, Organization, Site
from club.missions import bp, history, queries, services
from club.missions.calendar import calendar_bytes
from club.missions.forms import (
    ActionForm,
    AgendaForm,
    AnswerForm,
    AttendanceForm,
    DealLinkForm,
    FilterForm,
    InviteForm,
    MissionForm,
    OutcomeForm,
    RegisterForm,
    ReportForm,
    TransitionForm,
    to_local,
    to_utc,
)
from club.missions.models import (
    KIND_LABELS,
    REGISTRATION_STATUS_LABELS,
    SEATED,
    STATE_LABELS,
    TRANSITION_LABELS,
    AgendaItem,
    FollowUpAction,
    Invitation,
    Mission,
    MissionDeal,
    MissionKind,
    MissionOutcome,
    MissionState,
    Registration,
    RegistrationStatus,
    mission_partners,
)
from club.permissions import Role, get_visible_or_404, is_secretariat, public, role_required

SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)



def _mission(mission_id: int) -> Mission:
    return get_visible_or_404(Mission, mission_id)


def _in_mission(model, ident, mission: Mission):
    """A child row of ``mission`` (nested URLs must agree), else 404."""
    obj = db.session.get(model, ident)
    if obj is None or obj.mission_id != mission.id:
        abort(404)
    return obj


def _promoted_names(promoted) -> tuple[list[str], list[str]]:
    """(names with an email address, names without) of people who moved up from the waiting list."""
    return ([r.contact.name for r in promoted if r.contact.email],
            [r.contact.name for r in promoted if not r.contact.email])


def _flash_promoted(promoted: tuple[list[str], list[str]]) -> None:
    """Say who moved up from the waiting list, and only what is true of their email: it is queued."""
    mailed, unmailed = promoted
    total = len(mailed) + len(unmailed)
    if not total:
        return
    flash(ngettext("%(num)s person promoted from the waiting list: %(names)s.",
                   "%(num)s people promoted from the waiting list: %(names)s.", total,
                   names=", ".join(mailed + unmailed)), "info")
    if mailed:
        flash(ngettext("An email telling them is queued in the outbox.",
                       "Emails telling them are queued in the outbox (%(num)s).", len(mailed)), "info")
    if unmailed:
        flash(ngettext("%(names)s has no email address: tell them yourself.",
                       "%(names)s have no email address: tell them yourself.", len(unmailed),
                       names=", ".join(unmailed)), "warning")


def _back(mission: Mission, anchor: str = ""):
    return redirect(url_for("missions.detail", mission_id=mission.id) + anchor, 303)


# --- list --------------------------------------------------------------------------------------

@bp.route("/")
@role_required(*SEEING)
def index():
    filters = FilterForm(request.args)
    partner_rows = db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(mission_partners.c.organization_id)))
        .order_by(Organization.name)).all()
    filters.partner.choices = choices([(0, _l("All partners"))] + [(r.id, r.name) for r in partner_rows])
    filters.validate()
    page = paginate(queries.mission_list(
        current_user, when=filters.when.data or "upcoming", kind=filters.kind.data or "",
        state=filters.state.data or "", partner_id=filters.partner.data if isinstance(filters.partner.data, int) else 0,
    ), scalars=False, per_page=25)
    return render_page_or_partial("missions/index.html", "missions/_rows.html", page=page, filters=filters)


# --- create, edit, state -----------------------------------------------------------------------

def _data(form: MissionForm) -> services.MissionData:
    return services.MissionData(
        title=form.title.data, kind=MissionKind(form.kind.data), destination=form.destination.data,
        site=Site(form.site.data) if form.site.data else None,
        starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
        registration_deadline=to_utc(form.registration_deadline.data),
        capacity=form.capacity.data, seats_per_organization=form.seats_per_organization.data,
        objectives=form.objectives.data or None, partner_ids=tuple(form.partner_ids.data or ()),
    )


@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def new():
    form = MissionForm()
    if form.validate_on_submit():
        try:
            mission = services.create_mission(_data(form), by=current_user)
        except services.Refused as refused:
            form.form_errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Mission created as a draft. Add its agenda, then open registration."), "success")
            return redirect(url_for("missions.detail", mission_id=mission.id), 303)
    return render_template("missions/edit.html", form=form, mission=None)


@bp.route("/<int:mission_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def edit(mission_id: int):
    mission = _mission(mission_id)
    if request.method == "GET":
        # Not ``obj=mission``: WTForms would take the UTC datetimes from the object over these local ones.
        form = MissionForm(data={
            "title": mission.title, "kind": mission.kind.value, "destination": mission.destination,
            "site": mission.site.value if mission.site else "", "starts_at": to_local(mission.starts_at),
            "ends_at": to_local(mission.ends_at), "registration_deadline": to_local(mission.registration_deadline),
            "capacity": mission.capacity, "seats_per_organization": mission.seats_per_organization,
            "objectives": mission.objectives or "", "partner_ids": [p.id for p in mission.partners],
            "version": mission.version})
    else:
        form = MissionForm()
    stale = False
    if form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
        except ValueError:
            version = 0
        try:
            saved = services.update_mission(mission, _data(form), version=version, by=current_user)
        except services.StaleEdit:
            db.session.rollback()
            mission = _mission(mission_id)
            stale = True
            form.form_errors.append(_("Someone else saved this mission while you were editing it. Their version is "
                                      "shown beside yours: check and save again."))
            form.version.data = mission.version
        except services.Refused as refused:
            db.session.rollback()
            mission = _mission(mission_id)
            form.form_errors.append(refused.message)
        else:
            promoted = _promoted_names(saved.promoted)
            db.session.commit()
            if saved.changes:
                flash(_("Mission saved."), "success")
            elif not saved.promoted:
                flash(_("Nothing to change."), "info")
            _flash_promoted(promoted)
            return redirect(url_for("missions.detail", mission_id=mission.id), 303)
    return render_template("missions/edit.html", form=form, mission=mission, stale=stale,
                           kind_labels=KIND_LABELS, site_labels=SITE_LABELS), 409 if stale else 200


@bp.route("/<int:mission_id>/state", methods=["POST"])
@role_required(Role.SECRETARIAT)
def transition(mission_id: int):
    mission = _mission(mission_id)
    form = TransitionForm()
    if form.validate_on_submit():
        to = MissionState(form.to.data)
        try:
            moved = services.transition(mission, to, by=current_user)
            promoted = _promoted_names(moved.promoted)
        except services.Refused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            db.session.commit()
            flash(_("The mission is now: %(state)s.", state=STATE_LABELS[to]), "success")
            if moved.notified:
                flash(ngettext("An email telling the registered or waitlisted person is queued in the outbox.",
                               "An email telling each of the %(num)s registered or waitlisted people is queued in "
                               "the outbox.", moved.notified), "info")
            _flash_promoted(promoted)
    else:
        flash(_("Nothing was changed."), "warning")
    return _back(mission)


# --- the mission page --------------------------------------------------------------------------

@bp.route("/<int:mission_id>")
@role_required(*SEEING)
def detail(mission_id: int):
    mission = _mission(mission_id)
    staff = is_secretariat(current_user)
    context = {
        "mission": mission,
        "staff": staff,
        "counts": queries.counts_for(mission.id),
        "action_form": ConfirmForm(),
        "transition_labels": TRANSITION_LABELS,
        "status_labels": REGISTRATION_STATUS_LABELS,
        "site_labels": SITE_LABELS,
        "may_register": services.may_register_for(mission, current_user),
    }
    if staff:
        context["page"] = paginate(queries.registrations(mission.id), per_page=50)
        context["positions"] = queries.waitlist_positions(mission.id)
        context["invitations"] = queries.invitation_counts(mission.id)
        context["actions"] = _actions(mission.id)
        context["outcomes"] = _outcomes(mission.id)
        context["events"] = history.history(mission)
    else:
        context["organizations"] = queries.participating_organizations(mission.id)
        if current_user.role == Role.MEMBER and current_user.organization_id:
            context["people"] = queries.own_people(mission.id, current_user.organization_id)
            context["positions"] = queries.waitlist_positions(mission.id)
            context["seats_used"] = sum(1 for p in context["people"]
                                        if p["registration"] is not None and p["registration"].is_active)
        if mission.state == MissionState.DONE:
            context["actions"] = _actions(mission.id)
            context["outcomes"] = _outcomes(mission.id)
    return render_template("missions/detail.html", **context)


def _actions(mission_id: int) -> list[FollowUpAction]:
    return list(db.session.scalars(
        sa.select(FollowUpAction).where(FollowUpAction.mission_id == mission_id)
        .options(sa.orm.joinedload(FollowUpAction.owner_organization))
        .order_by(FollowUpAction.done_at.is_not(None), FollowUpAction.due_on, FollowUpAction.id)))


def _outcomes(mission_id: int) -> list[MissionOutcome]:
    return list(db.session.scalars(
        sa.select(MissionOutcome).where(MissionOutcome.mission_id == mission_id)
        .options(sa.orm.joinedload(MissionOutcome.organization)).order_by(MissionOutcome.created_at)))


@bp.route("/<int:mission_id>.ics")
@role_required(*SEEING)
def calendar(mission_id: int):
    mission = _mission(mission_id)
    response = Response(calendar_bytes(mission), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="mission-{mission.id}.ics"'
    return response


# --- agenda ------------------------------------------------------------------------------------

@bp.route("/<int:mission_id>/agenda", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def agenda(mission_id: int):
    mission = _mission(mission_id)
    form = AgendaForm()
    if form.validate_on_submit():
        try:
            services.add_agenda_item(mission, day=form.day.data, starts_at=form.starts_at.data, place=form.place.data,
                                     title=form.title.data, by=current_user)
        except services.Refused as refused:
            db.session.rollback()
            form.day.errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Agenda item added."), "success")
            return redirect(url_for("missions.agenda", mission_id=mission.id), 303)
    return render_template("missions/agenda.html", mission=mission, form=form, action_form=ConfirmForm())


@bp.route("/<int:mission_id>/agenda/<int:agenda_item_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def agenda_delete(mission_id: int, agenda_item_id: int):
    mission = _mission(mission_id)
    item = _in_mission(AgendaItem, agenda_item_id, mission)
    if ConfirmForm().validate_on_submit():
        services.delete_agenda_item(item, by=current_user)
        db.session.commit()
        flash(_("Agenda item removed."), "success")
    return redirect(url_for("missions.agenda", mission_id=mission.id), 303)


# --- registrations -----------------------------------------------------------------------------

def _contact_choices(mission: Mission, organization_id: int | None):
    stmt = (sa.select(Contact.id, Contact.name, Organization.name.label("org"))
            .join(Organization, Organization.id == Contact.organization_id)
            .where(~sa.exists().where(Registration.mission_id == mission.id, Registration.contact_id == Contact.id,
                                      Registration.status != RegistrationStatus.CANCELLED))
            .order_by(Organization.name_key, Contact.name_key).limit(2000))
    if organization_id:
        stmt = stmt.where(Contact.organization_id == organization_id)
    rows = db.session.execute(stmt).all()
    return choices([(0, _l("— choose —"))] + [(r.id, f"{r.org} — {r.name}") for r in rows])


@bp.route("/<int:mission_id>/register", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT, Role.MEMBER)
def register(mission_id: int):
    mission = _mission(mission_id)
    staff = is_secretariat(current_user)
    org_filter = None
    if staff:
        try:
            org_filter = int(request.args.get("organization_id", 0)) or None
        except ValueError:
            org_filter = None
    else:
        org_filter = current_user.organization_id or -1
    form = RegisterForm()
    form.contact_id.choices = _contact_choices(mission, org_filter)
    if request.method == "POST" and form.validate_on_submit():
        contact = db.session.get(Contact, form.contact_id.data)
        if contact is None or (not staff and contact.organization_id != current_user.organization_id):
            form.contact_id.errors.append(_("You can register only people of your own organisation."))
        else:
            try:
                registration = services.register(mission, contact, by=current_user)
            except services.Refused as refused:
                db.session.rollback()
                mission = _mission(mission_id)
                form.contact_id.errors.append(refused.message)
            else:
                db.session.commit()
                if registration.status == RegistrationStatus.REGISTERED:
                    flash(_("%(name)s is registered.", name=contact.name), "success")
                else:
                    flash(_("The mission is full: %(name)s is on the waiting list.", name=contact.name), "warning")
                return _back(mission, "#people")
    status = 422 if request.method == "POST" else 200
    organizations = []
    if staff:
        organizations = db.session.execute(sa.select(Organization.id, Organization.name)
                                           .where(Organization.archived_at.is_(None))
                                           .order_by(Organization.name)).all()
    return render_template("missions/register.html", mission=mission, form=form, staff=staff,
                           organizations=organizations, org_filter=org_filter,
                           may_register=services.may_register_for(mission, current_user)), status


@bp.route("/<int:mission_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.MEMBER)
def cancel_registration(mission_id: int, registration_id: int):
    mission = _mission(mission_id)
    registration = _in_mission(Registration, registration_id, mission)
    if not is_secretariat(current_user) and registration.organization_id != current_user.organization_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = registration.contact.name
        try:
            promoted = services.cancel_registration(registration, by=current_user)
        except services.Refused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            promoted = _promoted_names(promoted)
            db.session.commit()
            flash(_("Registration of %(name)s cancelled.", name=name), "success")
            _flash_promoted(promoted)
    return _back(mission, "#people")


# --- invitations -------------------------------------------------------------------------------

@bp.route("/<int:mission_id>/invitations", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def invitations(mission_id: int):
    mission = _mission(mission_id)
    form = InviteForm()
    if form.validate_on_submit():
        if form.audience.data == "chosen":
            ids = form.organization_ids.data
        elif form.audience.data == "filtered":
            ids = services.active_member_ids(kind=form.kind.data or None, province=form.province.data or None,
                                             site=form.site.data or None)
        else:
            ids = services.active_member_ids()
        try:
            invited = services.invite(mission, ids, all_contacts=form.scope.data == "all", by=current_user)
        except services.Refused as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
        else:
            db.session.commit()
            if invited.count:
                flash(ngettext("%(num)s person invited: the invitation email is queued in the outbox.",
                               "%(num)s people invited: the invitation emails are queued in the outbox.",
                               invited.count), "success")
            else:
                flash(_("Nobody new to invite."), "info")
            if invited.already_registered:
                flash(ngettext("%(num)s person already registered was not invited.",
                               "%(num)s people already registered were not invited.",
                               invited.already_registered), "info")
            if invited.already_invited:
                flash(ngettext("%(num)s person already invited was not invited again.",
                               "%(num)s people already invited were not invited again.",
                               invited.already_invited), "info")
            return redirect(url_for("missions.invitations", mission_id=mission.id), 303)
    page = paginate(
        sa.select(Invitation, Registration).join(Invitation.contact).join(Invitation.organization)
        .outerjoin(Registration, sa.and_(Registration.mission_id == Invitation.mission_id,
                                         Registration.contact_id == Invitation.contact_id))
        .where(Invitation.mission_id == mission.id)
        .options(sa.orm.contains_eager(Invitation.contact), sa.orm.contains_eager(Invitation.organization))
        .order_by(Invitation.answer.is_not(None), Organization.name_key, Contact.name_key, Invitation.id),
        per_page=50, scalars=False)
    return render_template("missions/invitations.html", mission=mission, form=form, page=page,
                           counts=queries.invitation_counts(mission.id),
                           positions=queries.waitlist_positions(mission.id),
                           status_labels=REGISTRATION_STATUS_LABELS), 422 if form.errors else 200


@bp.route("/<int:mission_id>/invitations/<int:invitation_id>/decline", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.MEMBER)
def decline(mission_id: int, invitation_id: int):
    mission = _mission(mission_id)
    invitation = _in_mission(Invitation, invitation_id, mission)
    if not is_secretariat(current_user) and invitation.organization_id != current_user.organization_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.decline(invitation, by=current_user)
        except services.Refused as refused:
            db.session.rollback()
            flash(refused.message, "warning")
        else:
            db.session.commit()
            flash(_("Invitation declined for %(name)s.", name=invitation.contact.name), "success")
    return _back(mission, "#people")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@form_view
@public
def answer(token: str):
    """The invitee's answer by the signed link in their email: no account, works without JavaScript."""
    invitation, problem = services.invitation_from_token(token)
    if invitation is None:
        return render_template("missions/answer.html", problem=problem, invitation=None), 404
    if not current_user.is_authenticated and "locale" not in session:
        # The page speaks the language of the email that brought the invitee here.
        locale = services.invitee_locale(invitation)
        if locale:
            session["locale"] = locale
            refresh_locale()
    form = AnswerForm()
    status = 200
    if form.validate_on_submit():
        accept = form.answer.data == "accept"
        try:
            result = services.answer_invitation(invitation, accept)
        except services.Refused as refused:
            db.session.rollback()
            form.answer.errors.append(refused.message)
            status = 409
        else:
            db.session.commit()
            if not result.changed:
                flash(_("Your answer was already recorded: nothing has changed."), "info")
            elif not accept:
                flash(_("Thank you: your answer is recorded, you will not take part."), "success")
            elif result.registration.status == RegistrationStatus.REGISTERED:
                flash(_("Thank you: you are registered. A confirmation email is queued in the outbox."), "success")
            else:
                flash(_("Thank you: the mission is full, you are on the waiting list. You will get an email if a "
                        "seat frees up."), "warning")
            return redirect(url_for("missions.answer", token=token), 303)
    elif request.method == "POST":
        status = 422
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation.id)
    mission = invitation.mission
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.mission_id == mission.id, Registration.contact_id == invitation.contact_id))
    return render_template("missions/answer.html", problem=None, invitation=invitation, mission=mission,
                           registration=registration, form=form, counts=queries.counts_for(mission.id),
                           positions=queries.waitlist_positions(mission.id), site_labels=SITE_LABELS,
                           status_labels=REGISTRATION_STATUS_LABELS), status


# --- on the day --------------------------------------------------------------------------------

@bp.route("/<int:mission_id>/attendance")
@role_required(Role.SECRETARIAT)
def attendance(mission_id: int):
    mission = _mission(mission_id)
    q = (request.args.get("q") or "").strip()[:100]
    stmt = queries.registrations(mission.id, statuses=SEATED)
    if q:
        from club.core.text import fold, like_escape

        stmt = stmt.where(Contact.name_key.like(f"%{like_escape(fold(q))}%", escape="\\"))
    page = paginate(stmt, per_page=100)
    return render_page_or_partial("missions/attendance.html", "missions/_attendance_rows.html", mission=mission,
                                  page=page, q=q, form=AttendanceForm(), counts=queries.counts_for(mission.id))


@bp.route("/<int:mission_id>/registrations/<int:registration_id>/attendance", methods=["POST"])
@role_required(Role.SECRETARIAT)
def attend(mission_id: int, registration_id: int):
    mission = _mission(mission_id)
    registration = _in_mission(Registration, registration_id, mission)
    form = AttendanceForm()
    error = None
    if form.validate_on_submit():
        try:
            services.set_attendance(registration, form.present.data == "1", by=current_user)
        except services.Refused as refused:
            db.session.rollback()
            error = refused.message
        else:
            db.session.commit()
    else:
        error = _("Nothing was changed.")
    if is_htmx_partial():
        response = render_page_or_partial("missions/_attendance_row.html", "missions/_attendance_row.html",
                                          mission=mission, r=registration, form=AttendanceForm(), error=error)
        return response
    if error:
        flash(error, "danger")
    back = request.form.get("back") or ""
    if not back.startswith("/missions/") or back.startswith("//") or "\\" in back:
        back = url_for("missions.attendance", mission_id=mission.id)
    response = redirect(back, 303)
    response.vary.add("HX-Request")
    return response


@bp.route("/<int:mission_id>/participants")
@role_required(Role.SECRETARIAT)
def participants(mission_id: int):
    mission = _mission(mission_id)
    rows = list(db.session.scalars(queries.registrations(mission.id, statuses=SEATED)))
    return render_template("missions/participants.html", mission=mission, rows=rows)


@bp.route("/<int:mission_id>/participants.csv")
@role_required(Role.SECRETARIAT)
def participants_csv(mission_id: int):
    mission = _mission(mission_id)
    header = [_("Name"), _("Title"), _("Organisation"), _("Email"), _("Phone"), _("Status"), _("Waiting list"),
              _("Registered on"), _("Registered by")]
    positions = queries.waitlist_positions(mission.id)
    return csv_response(f"mission-{mission.id}-participants.csv", header, (
        (r.contact.name, r.contact.title, r.organization.name, r.contact.email, r.contact.phone,
         str(REGISTRATION_STATUS_LABELS[r.status]), positions.get(r.id, ""),
         to_local(r.created_at).strftime("%Y-%m-%d %H:%M") if r.created_at else "",
         r.registered_by.name if r.registered_by else "")
        for r in db.session.scalars(queries.registrations(mission.id))))


# --- afterwards --------------------------------------------------------------------------------

@bp.route("/<int:mission_id>/report", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def report(mission_id: int):
    mission = _mission(mission_id)
    existing = mission.report
    if request.method == "GET":
        form = ReportForm(obj=existing, version=existing.version if existing else "")
    else:
        form = ReportForm()
    stale = False
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if form.version.data else None
        except ValueError:
            version = None
        try:
            services.save_report(mission, outcomes=form.outcomes.data, contacts_made=form.contacts_made.data,
                                 version=version, by=current_user)
        except services.StaleEdit:
            db.session.rollback()
            mission = _mission(mission_id)
            stale = True
            form.form_errors.append(_("Someone else saved this report while you were editing it. Their version is "
                                      "shown beside yours: check and save again."))
            form.version.data = mission.report.version if mission.report else ""
        else:
            db.session.commit()
            flash(_("Report saved."), "success")
            return _back(mission, "#report")
    return _report_page(mission, form=form, stale=stale), 409 if stale else 200


def _report_page(mission, **forms):
    """The report page, with the form that failed (if any) keeping what was typed."""
    context = {
        "form": ReportForm(obj=mission.report), "stale": False, "action_form": ActionForm(prefix="action"),
        "outcome_form": OutcomeForm(prefix="outcome"), "deal_form": DealLinkForm(prefix="deal"), **forms,
    }
    return render_template("missions/report.html", mission=mission, actions=_actions(mission.id),
                           outcomes=_outcomes(mission.id), deals=queries.mission_deals(mission.id),
                           confirm=ConfirmForm(), **context)


@bp.route("/<int:mission_id>/actions", methods=["POST"])
@role_required(Role.SECRETARIAT)
def action_new(mission_id: int):
    mission = _mission(mission_id)
    form = ActionForm(prefix="action")
    if form.validate_on_submit():
        services.add_action(mission, task=form.task.data, owner_organization_id=form.owner_organization_id.data,
                            owner_name=form.owner_name.data, due_on=form.due_on.data, by=current_user)
        db.session.commit()
        flash(_("Follow-up action added."), "success")
        return redirect(url_for("missions.report", mission_id=mission.id) + "#actions", 303)
    return _report_page(mission, action_form=form), 422


@bp.route("/<int:mission_id>/actions/<int:action_id>/done", methods=["POST"])
@role_required(Role.SECRETARIAT)
def action_done(mission_id: int, action_id: int):
    mission = _mission(mission_id)
    action = _in_mission(FollowUpAction, action_id, mission)
    if ConfirmForm().validate_on_submit():
        services.set_action_done(action, not action.is_done, by=current_user)
        db.session.commit()
    return redirect(url_for("missions.report", mission_id=mission.id) + "#actions", 303)


def _add_link(mission_id: int, form, field, load, add, done_message, anchor: str, form_name: str):
    """Link an organisation or a deal to a mission from the report page: one flow for both."""
    mission = _mission(mission_id)
    if form.validate_on_submit():
        target = load(field.data)
        try:
            add(mission, target, note=form.note.data, by=current_user)
        except services.Refused as refused:
            db.session.rollback()
            field.errors.append(refused.message)
        else:
            db.session.commit()
            flash(done_message(target), "success")
            return redirect(url_for("missions.report", mission_id=mission.id) + anchor, 303)
    return _report_page(_mission(mission_id), **{form_name: form}), 422


@bp.route("/<int:mission_id>/outcomes", methods=["POST"])
@role_required(Role.SECRETARIAT)
def outcome_new(mission_id: int):
    form = OutcomeForm(prefix="outcome")
    return _add_link(mission_id, form, form.organization_id, lambda ident: db.session.get(Organization, ident),
                     services.add_outcome, lambda org: _("%(name)s linked to this mission.", name=org.name),
                     "#outcomes", "outcome_form")


@bp.route("/<int:mission_id>/deals", methods=["POST"])
@role_required(Role.SECRETARIAT)
def deal_link_new(mission_id: int):
    from club.deals.models import Deal

    form = DealLinkForm(prefix="deal")
    return _add_link(mission_id, form, form.deal_id, lambda ident: db.session.get(Deal, ident),
                     services.add_deal_link, lambda deal: _("%(title)s linked to this mission.", title=deal.title),
                     "#deals", "deal_form")


@bp.route("/<int:mission_id>/deals/<int:deal_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def deal_link_delete(mission_id: int, deal_id: int):
    mission = _mission(mission_id)
    link = db.session.get(MissionDeal, (mission.id, deal_id))
    if link is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_deal_link(link, by=current_user)
        db.session.commit()
        flash(_("Link removed."), "success")
    return redirect(url_for("missions.report", mission_id=mission.id) + "#deals", 303)


@bp.route("/<int:mission_id>/outcomes/<int:org_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def outcome_delete(mission_id: int, org_id: int):
    mission = _mission(mission_id)
    outcome = db.session.get(MissionOutcome, (mission.id, org_id))
    if outcome is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_outcome(outcome, by=current_user)
        db.session.commit()
        flash(_("Link removed."), "success")
    return redirect(url_for("missions.report", mission_id=mission.id) + "#outcomes", 303)
