"""User administration (secretariat admins) and the mail outbox."""

from __future__ import annotations

import base64

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from club.admin import bp
from club.admin.forms import ROLE_LABELS, AccessForm, InviteForm, UserFilterForm
from club.auth import services
from club.auth.models import User
from club.core.jobs import enqueue, last_heartbeat, worker_alive
from club.core.models import OutboxMessage, OutboxStatus
from club.core.outbox import console_mode, counts_by_status, retry_now
from club.core.pagination import paginate
from club.core.refusals import refuse_at
from club.core.tasks import sweep_outbox
from club.core.text import like_escape
from club.extensions import db
from club.forms import ConfirmForm, form_view
from club.htmx import render_page_or_partial
from club.permissions import Role, admin_required, get_visible_or_404

OUTBOX_STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Pending"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.LOGGED: _l("Not sent (development)"),
    OutboxStatus.FAILED: _l("Failed"),
}


def _user_query(filters: UserFilterForm) -> sa.Select:
    stmt = sa.select(User).order_by(User.name, User.id)
    q = (filters.q.data or "").strip().lower()
    if q:
        pattern = f"%{like_escape(q)}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"),
                                 User.email.like(pattern, escape="\\")))
    if filters.role.data in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(filters.role.data))
    if filters.status.data == "active":
        stmt = stmt.where(User.active.is_(True))
    elif filters.status.data == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif filters.status.data == "invited":
        stmt = stmt.where(User.password_hash.is_(None), User.active.is_(True))
    return stmt


@bp.route("/users")
@admin_required
def users():
    filters = UserFilterForm(request.args)
    filters.validate()
    page = paginate(_user_query(filters))
    return render_page_or_partial("admin/users.html", "admin/_user_rows.html", page=page, filters=filters,
                                  role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@form_view
@admin_required
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = services.invite(email=form.email.data, name=form.name.data, role=Role(form.role.data),
                                   is_admin=form.is_admin.data, organization_id=form.organization_id.data or None,
                                   by=current_user)
            db.session.commit()
        except services.EmailTaken as refused:
            db.session.rollback()
            refuse_at(form, refused)
        except IntegrityError:  # two admins inviting the same address at once: the unique index says it
            db.session.rollback()
            refuse_at(form, services.EmailTaken(form.email.data))
        else:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.user", user_id=user.id), 303)
    return render_template("admin/invite.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@form_view
@admin_required
def user(user_id: int):
    target = get_visible_or_404(User, user_id)
    form = AccessForm(obj=target, role=target.role.value, organization_id=target.organization_id or 0) \
        if request.method == "GET" else AccessForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        if target.id == current_user.id and (role != Role.SECRETARIAT or not form.is_admin.data):
            form.role.errors.append(_("You cannot remove your own administrator rights."))
        else:
            changes = services.change_access(target, role=role, is_admin=form.is_admin.data,
                                             organization_id=form.organization_id.data or None, by=current_user)
            db.session.commit()
            flash(_("Access updated.") if changes else _("Nothing to change."), "success" if changes else "info")
            return redirect(url_for("admin.user", user_id=target.id), 303)
    from club.core.audit import events_for

    return render_template("admin/user.html", target=target, form=form, action_form=ConfirmForm(),
                           events=events_for("users", target.id), role_labels=ROLE_LABELS)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(user_id: int):
    target = get_visible_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        if target.id == current_user.id:
            flash(_("You cannot deactivate your own account."), "danger")
        else:
            services.set_active(target, False, by=current_user)
            db.session.commit()
            flash(_("%(name)s can no longer sign in.", name=target.name), "success")
    return redirect(url_for("admin.user", user_id=target.id), 303)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@admin_required
def activate(user_id: int):
    target = get_visible_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        services.set_active(target, True, by=current_user)
        db.session.commit()
        flash(_("%(name)s can sign in again.", name=target.name), "success")
    return redirect(url_for("admin.user", user_id=target.id), 303)


@bp.route("/users/<int:user_id>/resend", methods=["POST"])
@admin_required
def resend_invitation(user_id: int):
    target = get_visible_or_404(User, user_id)
    if ConfirmForm().validate_on_submit() and not target.has_password and target.active:
        services.send_invitation(target, by=current_user)
        db.session.commit()
        flash(_("Invitation sent again to %(email)s.", email=target.email), "success")
    return redirect(url_for("admin.user", user_id=target.id), 303)


@bp.route("/outbox")
@admin_required
def outbox():
    status = request.args.get("status", "")
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in OutboxStatus}:
        stmt = stmt.where(OutboxMessage.status == OutboxStatus(status))
    page = paginate(stmt)
    heartbeat = last_heartbeat()
    return render_template("admin/outbox.html", page=page, status=status, statuses=list(OutboxStatus),
                           action_form=ConfirmForm(), status_labels=OUTBOX_STATUS_LABELS,
                           console=console_mode(), counts=counts_by_status(), heartbeat=heartbeat,
                           worker_alive=worker_alive(heartbeat))


def _message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


@bp.route("/outbox/<int:message_id>")
@admin_required
def outbox_message(message_id: int):
    """One message as it was written: recipient, subject, state, its text and HTML parts (admins only)."""
    message = _message_or_404(message_id)
    attachments = [{"filename": a["filename"], "content_type": a["content_type"],
                    "size": len(base64.b64decode(a["data"]))} for a in message.attachments or []]
    return render_template("admin/outbox_message.html", message=message, status_labels=OUTBOX_STATUS_LABELS,
                           attachments=attachments)


@bp.route("/outbox/<int:message_id>/html")
@admin_required
def outbox_message_html(message_id: int):
    """The HTML part as the recipient's mail program shows it, framed by the message page: sandboxed, no
    script, nothing fetched (the mail's own inline styles only)."""
    message = _message_or_404(message_id)
    if not message.body_html:
        abort(404)
    response = make_response(message.body_html)
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/outbox/send", methods=["POST"])
@admin_required
def outbox_send():
    """Ask the worker to deliver now every pending and failed message (their waiting time is waived)."""
    if ConfirmForm().validate_on_submit():
        waiting = retry_now()
        if not enqueue(sweep_outbox):
            flash(_("The job queue cannot be reached: the messages stay in the outbox and leave as soon as it "
                    "answers again."), "warning")
        elif not worker_alive(last_heartbeat()):
            flash(_("No worker has been seen for two minutes: the messages leave when one runs "
                    "(flask worker)."), "warning")
        else:
            flash(ngettext("%(num)d message handed to the worker.", "%(num)d messages handed to the worker.",
                           waiting), "info")
    return redirect(url_for("admin.outbox"), 303)
