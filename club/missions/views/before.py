"""Before the mission: the list, the mission page, creating and editing a mission, its state and agenda,
registrations and the waiting list, invitations and the invitees' answers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel import refresh as refresh_locale
from flask_login import current_user

from club.core.pagination import paginate
from club.core.refusals import REFUSED_STATUS, Refused, commit_or_rerender, refuse_at
from club.extensions import db
from club.forms import ConfirmForm, choices, form_view
from club.htmx import render_page_or_partial
from club.members.models import SITE_LABELS, Contact
from club.missions import bp, charts, history, queries, services
from club.missions.forms import (
    AgendaForm,
    AnswerForm,
    FilterForm,
    InviteForm,
    MissionForm,
    RegisterFilterForm,
    RegisterForm,
    TransitionForm,
)
from club.missions.models import (
    REGISTRATION_STATUS_LABELS,
    STATE_LABELS,
    TRANSITION_LABELS,
    AgendaItem,
    Invitation,
    MissionState,
    Registration,
    RegistrationStatus,
)
from club.missions.views.common import (
    SEEING,
    back_to,
    flash_promoted,
    in_mission_or_404,
    mission_or_404,
    promoted_names,
)
from club.permissions import Role, is_secretariat, public, role_required, visible

# --- list --------------------------------------------------------------------------------------


@bp.route("/")
@role_required(*SEEING)
def index():
    filters = FilterForm(request.args)
    filters.partner.choices = choices([(0, _l("All partners"))] + queries.partner_choices())
    filters.validate()
    page = paginate(queries.mission_list(
        current_user, when=filters.when.data or "upcoming", kind=filters.kind.data or "",
        state=filters.state.data or "", partner_id=filters.partner.data if isinstance(filters.partner.data, int) else 0,
    ), scalars=False, per_page=25)
    # The seats of the missions on this page, from the rows read above (no query): the secretariat's and the
    # partners' (members see each mission's fill in the table).
    chart = charts.fill_chart(page.items) if current_user.role in (Role.SECRETARIAT, Role.PARTNER) else None
    return render_page_or_partial("missions/index.html", "missions/_rows.html", page=page, filters=filters,
                                  fill_chart=chart)


# --- create, edit, state -----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def new():
    form = MissionForm()
    if form.validate_on_submit():
        def created(mission):
            flash(_("Mission created as a draft. Add its agenda, then open registration."), "success")
            return redirect(url_for("missions.detail", mission_id=mission.id), 303)

        return commit_or_rerender(lambda: services.create_mission(form.mission_data(), by=current_user), form,
                                  "missions/edit.html", context={"mission": None}, done=created)
    return render_template("missions/edit.html", form=form, mission=None)


@bp.route("/<int:mission_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def edit(mission_id: int):
    mission = mission_or_404(mission_id)
    if request.method == "GET":
        form = MissionForm(data={**MissionForm.values_of(mission), "version": mission.version})
    else:
        form = MissionForm()
    if form.validate_on_submit():
        def save():
            saved = services.update_mission(mission, form.mission_data(), version=form.version.data,
                                            by=current_user)
            return bool(saved.changes), promoted_names(saved.promoted)

        def saved(result):
            changed, promoted = result
            if changed:
                flash(_("Mission saved."), "success")
            elif not any(promoted):
                flash(_("Nothing to change."), "info")
            flash_promoted(promoted)
            return redirect(url_for("missions.detail", mission_id=mission.id), 303)

        return commit_or_rerender(save, form, "missions/edit.html", context={"mission": mission},
                                  saved=MissionForm.values_of, record=mission, done=saved)
    return render_template("missions/edit.html", form=form, mission=mission)


@bp.route("/<int:mission_id>/state", methods=["POST"])
@role_required(Role.SECRETARIAT)
def transition(mission_id: int):
    mission = mission_or_404(mission_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("Nothing was changed."), "warning")
        return back_to(mission)
    to = MissionState(form.to.data)
    try:
        moved = services.transition(mission, to, by=current_user)
        promoted = promoted_names(moved.promoted)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return back_to(mission)
    flash(_("The mission is now: %(state)s.", state=STATE_LABELS[to]), "success")
    if moved.notified:
        flash(ngettext("An email telling the registered or waitlisted person is queued in the outbox.",
                       "An email telling each of the %(num)s registered or waitlisted people is queued in "
                       "the outbox.", moved.notified), "info")
    flash_promoted(promoted)
    return back_to(mission)


# --- the mission page --------------------------------------------------------------------------

@bp.route("/<int:mission_id>")
@role_required(*SEEING)
def detail(mission_id: int):
    mission = mission_or_404(mission_id)
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
    context["fill_chart"] = charts.mission_fill_chart(mission, context["counts"])
    if staff:
        context["page"] = paginate(queries.registrations(mission.id), per_page=50)
        context["positions"] = queries.waitlist_positions(mission.id)
        context["invitations"] = queries.invitation_counts(mission.id)
        context["actions"] = queries.follow_up_actions(mission.id)
        context["outcomes"] = queries.outcomes(mission.id)
        context["events"] = history.history(mission)
    else:
        context["organizations"] = queries.participating_organizations(mission.id)
        if current_user.role == Role.MEMBER and current_user.organization_id:
            context["people"] = queries.own_people(mission.id, current_user.organization_id)
            context["positions"] = queries.waitlist_positions(mission.id)
            context["seats_used"] = sum(1 for p in context["people"]
                                        if p["registration"] is not None and p["registration"].is_active)
        if mission.state == MissionState.DONE:
            context["actions"] = queries.follow_up_actions(mission.id)
            context["outcomes"] = queries.outcomes(mission.id)
    return render_template("missions/detail.html", **context)


# --- agenda ------------------------------------------------------------------------------------

@bp.route("/<int:mission_id>/agenda", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def agenda(mission_id: int):
    mission = mission_or_404(mission_id)
    form = AgendaForm()
    if form.validate_on_submit():
        def added(_item):
            flash(_("Agenda item added."), "success")
            return redirect(url_for("missions.agenda", mission_id=mission.id), 303)

        return commit_or_rerender(
            lambda: services.add_agenda_item(mission, day=form.day.data, starts_at=form.starts_at.data,
                                             place=form.place.data, title=form.title.data, by=current_user),
            form, "missions/agenda.html", context={"mission": mission, "action_form": ConfirmForm()}, done=added)
    return render_template("missions/agenda.html", mission=mission, form=form, action_form=ConfirmForm())


@bp.route("/<int:mission_id>/agenda/<int:agenda_item_id>/delete", methods=["POST"])
@role_required(Role.SECRETARIAT)
def agenda_delete(mission_id: int, agenda_item_id: int):
    mission = mission_or_404(mission_id)
    item = in_mission_or_404(AgendaItem, agenda_item_id, mission)
    if ConfirmForm().validate_on_submit():
        services.delete_agenda_item(item, by=current_user)
        db.session.commit()
        flash(_("Agenda item removed."), "success")
    return redirect(url_for("missions.agenda", mission_id=mission.id), 303)


# --- registrations and the waiting list ---------------------------------------------------------

@bp.route("/<int:mission_id>/register", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT, Role.MEMBER)
def register(mission_id: int):
    mission = mission_or_404(mission_id)
    staff = is_secretariat(current_user)
    filter_form = RegisterFilterForm(request.args) if staff else None
    if staff:
        org_filter = filter_form.organization.data if "organization" in request.args and filter_form.validate() \
            else None
    else:
        org_filter = current_user.organization_id or -1
    form = RegisterForm()
    form.contact_id.offer(queries.registrable(mission.id, org_filter, current_user),
                          url_for("missions.register_picks", mission_id=mission.id,
                                  **({"organization_id": org_filter} if staff and org_filter else {})),
                          organization_id=org_filter, pick_conditions=[visible(Contact, current_user)])
    context = {"mission": mission, "staff": staff, "org_filter": org_filter, "filter_form": filter_form,
               "may_register": services.may_register_for(mission, current_user)}
    if request.method == "POST" and form.validate_on_submit():
        def register_them():
            contact = db.session.get(Contact, form.contact_id.data)
            if contact is None:  # the same answer as for someone else's colleague: ids cannot be probed
                raise Refused(_("You can register only people of your own organisation."), field="contact_id")
            registration = services.register(mission, contact, by=current_user)
            return contact.name, registration.status

        def registered(result):
            name, status = result
            if status == RegistrationStatus.REGISTERED:
                flash(_("%(name)s is registered.", name=name), "success")
            else:
                flash(_("The mission is full: %(name)s is on the waiting list.", name=name), "warning")
            return back_to(mission, "#people")

        return commit_or_rerender(register_them, form, "missions/register.html", context=context, done=registered)
    return render_template("missions/register.html", form=form, **context), 422 if request.method == "POST" else 200


@bp.route("/<int:mission_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.MEMBER)
def cancel_registration(mission_id: int, registration_id: int):
    mission = mission_or_404(mission_id)
    registration = in_mission_or_404(Registration, registration_id, mission)
    if not is_secretariat(current_user) and registration.organization_id != current_user.organization_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = registration.contact.name
        try:
            promoted = promoted_names(services.cancel_registration(registration, by=current_user))
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            flash(_("Registration of %(name)s cancelled.", name=name), "success")
            flash_promoted(promoted)
    return back_to(mission, "#people")


# --- invitations -------------------------------------------------------------------------------

@bp.route("/<int:mission_id>/invitations", methods=["GET", "POST"])
@form_view
@role_required(Role.SECRETARIAT)
def invitations(mission_id: int):
    mission = mission_or_404(mission_id)
    form = InviteForm()
    if form.validate_on_submit():
        if form.audience.data == "chosen":
            ids = form.organization_ids.data
        elif form.audience.data == "filtered":
            ids = services.active_member_ids(kind=form.kind.data or None, province=form.province.data or None,
                                             site=form.site.data or None)
        else:
            ids = services.active_member_ids()
        try:  # by hand: the page's rows are read after a refusal's rollback, not before the service call
            invited = services.invite(mission, ids, all_contacts=form.scope.data == "all", by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            refuse_at(form, refused)
        else:
            _flash_invited(invited)
            return redirect(url_for("missions.invitations", mission_id=mission.id), 303)
    page = paginate(queries.invitation_rows(mission.id), per_page=50, scalars=False)
    return render_template("missions/invitations.html", mission=mission, form=form, page=page,
                           counts=queries.invitation_counts(mission.id),
                           positions=queries.waitlist_positions(mission.id),
                           status_labels=REGISTRATION_STATUS_LABELS), REFUSED_STATUS if form.errors else 200


def _flash_invited(invited: services.Invited) -> None:
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


@bp.route("/<int:mission_id>/invitations/<int:invitation_id>/decline", methods=["POST"])
@role_required(Role.SECRETARIAT, Role.MEMBER)
def decline(mission_id: int, invitation_id: int):
    mission = mission_or_404(mission_id)
    invitation = in_mission_or_404(Invitation, invitation_id, mission)
    if not is_secretariat(current_user) and invitation.organization_id != current_user.organization_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = invitation.contact.name
        try:
            services.decline(invitation, by=current_user)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "warning")
        else:
            flash(_("Invitation declined for %(name)s.", name=name), "success")
    return back_to(mission, "#people")


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
            registered = result.registration is not None and result.registration.status == RegistrationStatus.REGISTERED
            db.session.commit()
        except Refused as refused:  # by hand: the answer's two buttons carry no field but ``answer``
            db.session.rollback()
            form.answer.errors.append(refused.message)
            status = REFUSED_STATUS
        else:
            if not result.changed:
                flash(_("Your answer was already recorded: nothing has changed."), "info")
            elif not accept:
                flash(_("Thank you: your answer is recorded, you will not take part."), "success")
            elif registered:
                flash(_("Thank you: you are registered. A confirmation email is queued in the outbox."), "success")
            else:
                flash(_("Thank you: the mission is full, you are on the waiting list. You will get an email if a "
                        "seat frees up."), "warning")
            return redirect(url_for("missions.answer", token=token), 303)
    elif request.method == "POST":
        status = REFUSED_STATUS
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation.id)
    mission = invitation.mission
    return render_template("missions/answer.html", problem=None, invitation=invitation, mission=mission,
                           registration=queries.registration_of(mission.id, invitation.contact_id), form=form,
                           counts=queries.counts_for(mission.id), positions=queries.waitlist_positions(mission.id),
                           site_labels=SITE_LABELS, status_labels=REGISTRATION_STATUS_LABELS), status
