from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from club.auth.forms import email_field
from club.forms import FlaskForm, choices, no_line_breaks, strip_filter
from club.members.pickers import OrganizationField
from club.permissions import Role

ROLE_LABELS = {
    Role.SECRETARIAT: _l("Secretariat"),
    Role.PARTNER: _l("Partner"),
    Role.MEMBER: _l("Member contact"),
    Role.APPLICANT: _l("Applicant"),
}


class AccessFields:
    """Role, admin flag and organisation, checked together."""

    def _role(self):
        try:
            return Role(self.role.data)
        except ValueError:
            return None  # the role field reports its own error

    def validate_organization_id(self, field):
        role = self._role()
        if role in (Role.PARTNER, Role.MEMBER) and not field.data:
            raise ValidationError(_l("Partners and member contacts belong to an organisation."))

    def validate_is_admin(self, field):
        if field.data and self._role() != Role.SECRETARIAT:
            raise ValidationError(_l("Only secretariat users can be administrators."))


class InviteForm(AccessFields, FlaskForm):
    email = email_field()
    name = StringField(_l("Full name"), filters=[strip_filter], validators=[DataRequired(), Length(max=120), no_line_breaks])
    role = SelectField(_l("Role"), choices=choices((r.value, ROLE_LABELS[r]) for r in (Role.MEMBER, Role.PARTNER, Role.SECRETARIAT)))
    is_admin = BooleanField(_l("Administrator (manages user accounts)"))
    organization_id = OrganizationField(_l("Organisation"), description=_l("Type its name."))


class AccessForm(AccessFields, FlaskForm):
    role = SelectField(_l("Role"), choices=choices((r.value, ROLE_LABELS[r]) for r in Role))
    is_admin = BooleanField(_l("Administrator (manages user accounts)"))
    organization_id = OrganizationField(_l("Organisation"), description=_l("Type its name."))


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=choices([("", _l("All roles"))] + [(r.value, ROLE_LABELS[r]) for r in Role]),
                       validate_choice=False)
    status = SelectField(_l("Status"), choices=choices([("", _l("All")), ("active", _l("Active")),
                                                 ("inactive", _l("Deactivated")), ("invited", _l("Invitation pending"))]),
                         validate_choice=False)
