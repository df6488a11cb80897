"""Account forms. No role, owner or organisation field a visitor could forge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from club.auth import passwords
from club.forms import FlaskForm, choices, no_line_breaks, strip_filter
from club.i18n import LANGUAGE_NAMES

PASSWORD_MESSAGES = {
    "short": _l("Use at least %(n)s characters.", n=passwords.MIN_LENGTH),
    "long": _l("Use at most %(n)s characters.", n=passwords.MAX_LENGTH),
    "common": _l("This password is too common; choose another one."),
}


def lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


def strong_password(form, field):
    issue = passwords.problem(field.data or "")
    if issue:
        raise ValidationError(PASSWORD_MESSAGES[issue])


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[lower_strip],
        validators=[
            DataRequired(),
            Length(max=254),
            no_line_breaks,
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields(label=None):
    password = PasswordField(
        label or _l("New password"),
        validators=[DataRequired(), strong_password],
        description=_l("At least 12 characters. A sentence you will remember works well."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device (14 days)"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=120), no_line_breaks],
                       render_kw={"autocomplete": "name"})
    email = email_field()
    password, confirm = new_password_fields(_l("Password"))
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()), default="fr")


class ResendConfirmationForm(FlaskForm):
    email = email_field()


class ForgotForm(FlaskForm):
    email = email_field()


class SetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=120), no_line_breaks])
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})
    password, confirm = new_password_fields()
