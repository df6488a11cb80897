"""Sign in and out, self-registration, confirmation, invitations, password reset, profile."""

from __future__ import annotations

import flask_babel
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from club.auth import bp, passwords, services
from club.auth.forms import (
    ChangePasswordForm,
    ForgotForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResendConfirmationForm,
    SetPasswordForm,
)
from club.auth.models import User
from club.auth.tokens import Purpose, TokenProblem, read_token
from club.extensions import db, limiter, login_manager
from club.forms import ConfirmForm, form_view
from club.permissions import Role, public, signed_in
from club.security import safe_next

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    try:
        ident, version = (int(part) for part in user_id.split(".", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, ident)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def _login_limit():
    return current_app.config["RATELIMIT_LOGIN"]


def _account_limit():
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def _sensitive_limit():
    return current_app.config["RATELIMIT_SENSITIVE"]


def _posted_email() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _posted_email_from_here() -> str:
    """Failed sign-ins lock the pair (account, address): nobody can lock a colleague out from elsewhere."""
    return f"{_posted_email()}|{request.remote_addr or ''}"


def _failed_sign_in(response) -> bool:
    """Only refused attempts count: a successful sign-in (a redirect) never uses up the limit."""
    return response.status_code != 303


def _home():
    return url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(_account_limit, methods=["POST"], key_func=_posted_email_from_here, deduct_when=_failed_sign_in)
@form_view
@public
def login():
    if current_user.is_authenticated:
        return redirect(_home())
    form = LoginForm(next=request.args.get("next", ""))
    unconfirmed = False
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Email or password is incorrect."))
        elif user.role == Role.APPLICANT and user.confirmed_at is None:
            unconfirmed = True
        else:
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            login_user(user, remember=form.remember.data)
            services.record_login(user)
            db.session.commit()
            flask_babel.refresh()  # from now on the request speaks the user's language, the welcome too
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data, _home()), 303)
    return render_template("auth/login.html", form=form, unconfirmed=unconfirmed)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        services.end_other_sessions(user)
        db.session.commit()
        logout_user()
        session.clear()
        session["locale"] = user.locale  # the sign-in page stays in the user's language
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
@limiter.limit(_sensitive_limit, methods=["POST"], key_func=_posted_email)
@form_view
@public
def register():
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm(locale=session.get("locale", "fr"))
    if form.validate_on_submit():
        try:
            services.register_applicant(name=form.name.data, email=form.email.data,
                                        password=form.password.data, locale=form.locale.data)
            db.session.commit()
        except IntegrityError:  # the same address twice at once (double submit): one account
            db.session.rollback()
        if form.locale.data in current_app.config["LANGUAGES"]:
            session["locale"] = form.locale.data  # the next pages speak the language just chosen
        return redirect(url_for("auth.check_email"), 303)
    return render_template("auth/register.html", form=form)


@bp.route("/check-email")
@public
def check_email():
    return render_template("auth/check_email.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@form_view
@public
def confirm(token: str):
    user, problem = read_token(token, Purpose.CONFIRM)
    form = ConfirmForm()
    if user is not None and form.validate_on_submit():
        services.confirm_email(user)
        db.session.commit()
        flash(_("Your email address is confirmed. You can now sign in."), "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/confirm.html", form=form, user=user, problem=problem,
                           resend_form=ResendConfirmationForm())


@bp.route("/confirm/resend", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
@limiter.limit(_sensitive_limit, methods=["POST"], key_func=_posted_email)
@form_view
@public
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and user.active and user.confirmed_at is None:
            services.send_confirmation(user)
            db.session.commit()
        return redirect(url_for("auth.check_email"), 303)
    return render_template("auth/resend.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
@limiter.limit(_sensitive_limit, methods=["POST"], key_func=_posted_email)
@form_view
@public
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data)
        db.session.commit()
        flash(_("If an account exists for this address, we have emailed it a link to choose a new password. "
                "The link is valid for one hour."), "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form)


def _token_password_page(token: str, purpose: Purpose, template: str, action: str, done_message: str):
    user, problem = read_token(token, purpose)
    form = SetPasswordForm()
    if user is None:
        status = 400 if request.method == "POST" else 200
        return render_template(template, form=None, problem=problem or TokenProblem.INVALID), status
    if form.validate_on_submit():
        services.set_password(user, form.password.data, action=action)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(done_message, "success")
        return redirect(url_for("auth.login"), 303)
    return render_template(template, form=form, user=user, problem=None)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
@form_view
@public
def reset(token: str):
    return _token_password_page(token, Purpose.RESET, "auth/reset.html", "user.password_reset",
                                _("Your password has been changed. You can now sign in."))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_sensitive_limit, methods=["POST"])
@form_view
@public
def invitation(token: str):
    return _token_password_page(token, Purpose.INVITE, "auth/invitation.html", "user.invitation_accepted",
                                _("Your account is ready. You can now sign in."))


@bp.route("/profile", methods=["GET", "POST"])
@form_view
@signed_in
def profile():
    user = db.session.get(User, current_user.id)
    form = ProfileForm(obj=user) if request.method == "GET" else ProfileForm()
    password_form = ChangePasswordForm(prefix="pw")
    if request.method == "POST" and "pw-current_password" not in request.form:
        if form.validate_on_submit():
            services.update_profile(user, name=form.name.data, locale=form.locale.data)
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"), 303)
    elif request.method == "POST":
        form = ProfileForm(formdata=None, obj=user)
        if password_form.validate_on_submit():
            if not passwords.verify(user.password_hash, password_form.current_password.data):
                password_form.current_password.errors.append(_("This is not your current password."))
            else:
                services.set_password(user, password_form.password.data)
                db.session.commit()
                login_user(user)  # this session continues with the new session version
                flash(_("Your password is changed. Your other sessions are signed out."), "success")
                return redirect(url_for("auth.profile"), 303)
    return render_template("auth/profile.html", form=form, password_form=password_form, user=user)
