"""The routes of activities: an organisation's timeline (the secretariat: everything; its member contacts: the
shared activities and the organisation's history), logging, editing and deleting an activity (the secretariat),
an activity's page, and each secretariat user's tasks (marked done or reopened with a button that works without
JavaScript). Outside those audiences, 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from club.activities import bp, queries, services
from club.activities.forms import ActivityForm, OrganisationChoiceForm
from club.activities.models import FILTER_LABELS, KIND_LABELS, Activity, ActivityKind
from club.core.pagination import paginate
from club.core.refusals import Refused, commit_or_rerender
from club.extensions import db
from club.forms import ConfirmForm, as_id, form_view
from club.htmx import render_page_or_partial
from club.members.models import Organization
from club.members.queries import organisation_suggestions, organisations_named
from club.permissions import Role, get_visible_or_404, role_required
from club.security import safe_next

STAFF = (Role.SECRETARIAT,)
READERS = (Role.SECRETARIAT, Role.MEMBER)
LINKS = {"deal_id": "deal", "application_id": "application", "mission_id": "mission", "programme_id": "programme"}


def _org_for_timeline(org_id: int) -> Organization:
    org = get_visible_or_404(Organization, org_id)
    if not queries.sees_timeline(org, current_user):
        abort(404)
    return org


def _activity_or_404(activity_id: int) -> Activity:
    return get_visible_or_404(Activity, activity_id)


def _link_model(name: str):
    if name == "deal_id":
        from club.deals.models import Deal
        return Deal
    if name == "application_id":
        from club.incubator.models import Application
        return Application
    if name == "mission_id":
        from club.missions.models import Mission
        return Mission
    from club.programmes.models import Programme
    return Programme


def link_from_args(args) -> tuple[str, object] | None:
    """The deal, application, mission or programme named in the query string (404 when unknown or not visible,
    None when none is named)."""
    for name in LINKS:
        raw = args.get(name)
        if raw:
            ident = as_id(raw)
            if ident is None:
                abort(404)
            return name, get_visible_or_404(_link_model(name), ident)
    return None


def organisation_of_link(name: str, obj) -> int | None:
    """The organisation a deal (its target) or an application (its startup) is with; None for the others."""
    if name == "deal_id":
        return obj.target_id
    if name == "application_id":
        return obj.organization_id
    return None


def link_title(name: str, obj) -> str:
    return str(getattr(obj, "title", None) or getattr(obj, "display_name", None) or f"#{obj.id}")


def link_url(name: str, obj) -> str:
    endpoint = {"deal_id": ("deals.detail", "deal_id"), "application_id": ("incubator.application", "application_id"),
                "mission_id": ("missions.detail", "mission_id"),
                "programme_id": ("programmes.detail", "programme_id")}[name]
    return url_for(endpoint[0], **{endpoint[1]: obj.id})


# --- the timeline -------------------------------------------------------------------------------------------------

@bp.route("/organizations/<int:org_id>")
@role_required(*READERS)
def organization(org_id: int):
    org = _org_for_timeline(org_id)
    filters = queries.TimelineFilters.from_args(request.args)
    page = queries.timeline(org.id, current_user, filters, after=request.args.get("after"))
    contacts = queries.contact_choices(org.id) if current_user.role == Role.SECRETARIAT else []
    return render_template("activities/organization.html", org=org, page=page, filters=filters,
                           filter_labels=FILTER_LABELS, contacts=contacts, staff=current_user.role == Role.SECRETARIAT,
                           today=queries.today(), done_form=ConfirmForm())


# --- logging, editing, deleting -----------------------------------------------------------------------------------

@bp.route("/new")
@role_required(*STAFF)
def start():
    """"Log an activity" from a deal, an application (their organisation is known) or a mission or a programme
    (the organisation is typed by name: a GET form that works without JavaScript)."""
    link = link_from_args(request.args)
    if link is None:
        abort(404)
    name, obj = link
    org_id = organisation_of_link(name, obj)
    if org_id:
        return redirect(url_for("activities.new", org_id=org_id, **{name: obj.id}), 303)
    form = OrganisationChoiceForm(request.args)
    suggestions = []
    if "organization" in request.args and form.validate():
        found = organisations_named(form.organization.data, current_user)
        if len(found) == 1:
            return redirect(url_for("activities.new", org_id=found[0].id, **{name: obj.id}), 303)
        if found:
            form.organization.errors.append(_("Several organisations have this name: type it exactly."))
        else:
            form.organization.errors.append(_("No organisation of that name in the register."))
        suggestions = organisation_suggestions(form.organization.data, current_user)
    status = 422 if form.organization.errors else 200
    return render_template("activities/start.html", form=form, link_name=name, link=obj,
                           link_title=link_title(name, obj), link_url=link_url(name, obj),
                           suggestions=suggestions), status


@bp.route("/suggestions")
@role_required(*STAFF)
def suggestions():
    """The organisations' names the start form suggests as one types (htmx swaps the ``<datalist>``)."""
    return render_template("activities/_suggestions.html",
                           names=organisation_suggestions(request.args.get("organization", ""), current_user))


def _form_context(org, form, activity=None, link=None) -> dict:
    return {"org": org, "form": form, "activity": activity, "today": queries.today(),
            "link_name": link[0] if link else None, "link": link[1] if link else None,
            "link_title": link_title(*link) if link else None, "link_url": link_url(*link) if link else None,
            "kind_labels": KIND_LABELS}


@bp.route("/organizations/<int:org_id>/new", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def new(org_id: int):
    org = get_visible_or_404(Organization, org_id)
    link = link_from_args(request.args)
    if link is not None:
        expected = organisation_of_link(*link)
        if expected is not None and expected != org.id:
            abort(404)
    staff = queries.staff_choices()
    if request.method == "GET":
        kind = request.args.get("kind", "")
        form = ActivityForm(formdata=None, data={
            "kind": kind if kind in queries.KINDS else ActivityKind.CALL.value,
            "occurred_on": queries.today(), "user_ids": [current_user.id] if kind != "task" else []})
    else:
        form = ActivityForm()
    form.offer(queries.contact_choices(org.id), staff)
    context = _form_context(org, form, link=link)
    if form.validate_on_submit():
        def logged(activity):
            flash(_("Activity logged: %(subject)s.", subject=activity.subject), "success")
            if activity.is_overdue(queries.today()):
                flash(_("This task is already overdue."), "warning")
            if link is not None:
                return redirect(link_url(*link), 303)
            return redirect(url_for("activities.organization", org_id=org.id), 303)

        links = {link[0]: link[1].id} if link else {}
        return commit_or_rerender(lambda: services.log_activity(org, form.activity_data(), by=current_user,
                                                                links=links),
                                  form, "activities/form.html", context={k: v for k, v in context.items()
                                                                         if k != "form"}, done=logged)
    status = 422 if request.method == "POST" else 200
    return render_template("activities/form.html", **context), status


@bp.route("/<int:activity_id>")
@role_required(*READERS)
def detail(activity_id: int):
    activity = _activity_or_404(activity_id)
    from club.core import audit

    staff = current_user.role == Role.SECRETARIAT
    links = []
    for name in LINKS:
        ident = getattr(activity, name)
        if ident and staff:
            obj = db.session.get(_link_model(name), ident)
            if obj is not None:
                links.append((name, link_title(name, obj), link_url(name, obj)))
    return render_template("activities/detail.html", activity=activity, staff=staff, links=links,
                           today=queries.today(), confirm=ConfirmForm(), kind_labels=KIND_LABELS,
                           events=audit.events_for(Activity.__tablename__, activity.id) if staff else [])


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@form_view
@role_required(*STAFF)
def edit(activity_id: int):
    activity = _activity_or_404(activity_id)
    org = activity.organization
    if request.method == "GET":
        form = ActivityForm(formdata=None, data={**ActivityForm.values_of(activity), "version": activity.version})
    else:
        form = ActivityForm()
    form.offer(*queries.choices_keeping(activity))
    context = _form_context(org, form, activity=activity)
    if form.validate_on_submit():
        def saved(changes):
            flash(_("Activity saved.") if changes else _("Nothing to change."), "success" if changes else "info")
            if changes and activity.is_overdue(queries.today()):
                flash(_("This task is overdue."), "warning")
            return redirect(url_for("activities.detail", activity_id=activity.id), 303)

        return commit_or_rerender(
            lambda: services.update_activity(activity, form.activity_data(), version=form.version.data,
                                             by=current_user),
            form, "activities/form.html", context={k: v for k, v in context.items() if k != "form"},
            saved=ActivityForm.values_of, record=activity, done=saved)
    status = 422 if request.method == "POST" else 200
    return render_template("activities/form.html", **context), status


def _finish(activity_id: int, action, done_message: str, unchanged_message: str):
    activity = _activity_or_404(activity_id)
    fallback = url_for("activities.detail", activity_id=activity.id)
    target = safe_next(request.form.get("next"), fallback)
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was changed: the form had expired. Try again."), "warning")
        return redirect(target, 303)
    try:
        changed = action(activity, by=current_user)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "warning")
        return redirect(target, 303)
    except StaleDataError:
        db.session.rollback()
        flash(_("This activity was changed meanwhile: check it and try again."), "warning")
        return redirect(target, 303)
    flash(done_message if changed else unchanged_message, "success" if changed else "info")
    return redirect(target, 303)


@bp.route("/<int:activity_id>/done", methods=["POST"])
@role_required(*STAFF)
def done(activity_id: int):
    return _finish(activity_id, services.complete_task, _("Task done."), _("This task was already done."))


@bp.route("/<int:activity_id>/reopen", methods=["POST"])
@role_required(*STAFF)
def reopen(activity_id: int):
    return _finish(activity_id, services.reopen_task, _("Task reopened."), _("This task was already open."))


@bp.route("/<int:activity_id>/delete", methods=["POST"])
@role_required(*STAFF)
def delete(activity_id: int):
    activity = _activity_or_404(activity_id)
    org_id = activity.organization_id
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was deleted: the form had expired. Try again."), "warning")
        return redirect(url_for("activities.detail", activity_id=activity.id), 303)
    subject = activity.subject
    try:
        services.delete_activity(activity, by=current_user)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("This activity was changed or deleted meanwhile: nothing was deleted."), "warning")
        return redirect(url_for("activities.organization", org_id=org_id), 303)
    flash(_("Activity deleted: %(subject)s.", subject=subject), "success")
    return redirect(url_for("activities.organization", org_id=org_id), 303)


# --- tasks --------------------------------------------------------------------------------------------------------

@bp.route("/tasks")
@role_required(*STAFF)
def tasks():
    filters = queries.TaskFilters.from_args(request.args)
    page = paginate(queries.task_list(current_user, filters), per_page=queries.PER_PAGE)
    return render_page_or_partial("activities/tasks.html", "activities/_task_rows.html", page=page, filters=filters,
                                  today=queries.today(), done_form=ConfirmForm())
