"""Mission forms. Dates are typed in Africa/Casablanca and stored in UTC. No owner, state or organisation
field a member could forge: the views set them (and the services check posted ids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from club.core.timezones import to_local, to_utc
from club.deals.pickers import DealField
from club.forms import FlaskForm, VersionField, choices, no_line_breaks, strip_filter
from club.members.models import ORG_KIND_LABELS, PROVINCE_LABELS, SITE_LABELS, Site
from club.members.pickers import ContactField, OrganizationField, OrganizationsField
from club.missions.models import KIND_LABELS, STATE_LABELS, MissionKind, MissionState

DT_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class MissionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200), no_line_breaks])
    kind = SelectField(_l("Kind"), choices=choices((k.value, KIND_LABELS[k]) for k in MissionKind))
    destination = StringField(_l("Destination"), filters=[strip_filter],
                              validators=[DataRequired(), Length(max=200), no_line_breaks],
                              description=_l("City and venue, e.g. Casablanca, Casa-shore."))
    site = SelectField(_l("Park"), choices=choices([("", lazy_pgettext("park", "— none —"))] + [(s.value, label) for s, label in
                                                                        SITE_LABELS.items()]))
    starts_at = DateTimeLocalField(_l("Starts"), format=DT_FORMAT, validators=[DataRequired()],
                                   description=_l("Moroccan time (Africa/Casablanca)."))
    ends_at = DateTimeLocalField(_l("Ends"), format=DT_FORMAT, validators=[DataRequired()])
    registration_deadline = DateTimeLocalField(_l("Registration deadline"), format=DT_FORMAT, validators=[Optional()],
                                               description=_l("After it, only the secretariat registers people."))
    capacity = IntegerField(_l("Capacity (seats)"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    seats_per_organization = IntegerField(_l("Seats per organisation"), filters=[int_or_none],
                                          validators=[Optional(), NumberRange(min=1, max=100000)],
                                          description=_l("Leave empty for no limit."))
    objectives = TextAreaField(_l("Objectives"), filters=[strip_filter], validators=[Length(max=5000)])
    partner_ids = OrganizationsField(_l("Partner organisations"))
    version = VersionField()

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The end must not be before the start."))

    def validate_registration_deadline(self, field):
        if field.data and self.ends_at.data and field.data > self.ends_at.data:
            raise ValidationError(_l("The registration deadline must not be after the end of the mission."))

    @staticmethod
    def values_of(mission) -> dict:
        """The mission as this form holds it (Casablanca time): the form's start, and the version saved now shown
        beside a stale edit. Not ``obj=mission``: WTForms would take the UTC datetimes of the object."""
        return {
            "title": mission.title, "kind": mission.kind.value, "destination": mission.destination,
            "site": mission.site.value if mission.site else "", "starts_at": to_local(mission.starts_at),
            "ends_at": to_local(mission.ends_at), "registration_deadline": to_local(mission.registration_deadline),
            "capacity": mission.capacity, "seats_per_organization": mission.seats_per_organization,
            "objectives": mission.objectives or "", "partner_ids": [p.id for p in mission.partners],
        }

    def mission_data(self):
        """What was typed, as the services take it (UTC)."""
        from club.missions.services import MissionData

        return MissionData(
            title=self.title.data, kind=MissionKind(self.kind.data), destination=self.destination.data,
            site=Site(self.site.data) if self.site.data else None,
            starts_at=to_utc(self.starts_at.data), ends_at=to_utc(self.ends_at.data),
            registration_deadline=to_utc(self.registration_deadline.data),
            capacity=self.capacity.data, seats_per_organization=self.seats_per_organization.data,
            objectives=self.objectives.data or None, partner_ids=tuple(self.partner_ids.data or ()),
        )


class RegisterForm(FlaskForm):
    # A person typed by name (or their organisation's), among those the view offers; the service checks the rules.
    contact_id = ContactField(_l("Person"), required_message=_l("Choose a person."),
                              description=_l("Type their name or their organisation's."))


class RegisterFilterForm(FlaskForm):
    """The secretariat's choice of one organisation whose people the registration form offers (a GET form)."""

    class Meta:
        csrf = False

    organization = OrganizationField(_l("Organisation"))


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])

    def validate_to(self, field):
        if field.data not in {s.value for s in MissionState}:
            raise ValidationError(_l("Unknown state."))


class AttendanceForm(FlaskForm):
    present = HiddenField(validators=[DataRequired()])


class AnswerForm(FlaskForm):
    """An invitee's answer by the link in their email: one of two buttons."""

    answer = HiddenField(validators=[DataRequired()])

    def validate_answer(self, field):
        if field.data not in ("accept", "decline"):
            raise ValidationError(_l("Choose to take part or not."))


AUDIENCES = {
    "active": _l("All active members"),
    "filtered": _l("Active members matching the filters below"),
    "chosen": _l("The organisations chosen below"),
}


class InviteForm(FlaskForm):
    audience = RadioField(_l("Invite"), choices=choices(AUDIENCES.items()), default="active")
    kind = SelectField(_l("Kind of organisation"), default="", choices=choices(
        [("", _l("Any"))] + [(k.value, label) for k, label in ORG_KIND_LABELS.items()]))
    province = SelectField(_l("Province"), default="", choices=choices(
        [("", _l("Any"))] + [(p.value, label) for p, label in PROVINCE_LABELS.items()]))
    site = SelectField(_l("Park"), default="", choices=choices(
        [("", _l("Any"))] + [(s.value, label) for s, label in SITE_LABELS.items()]))
    organization_ids = OrganizationsField(_l("Organisations"))
    scope = RadioField(_l("Who receives the invitation"), default="primary", choices=choices([
        ("primary", _l("The primary contact of each organisation")),
        ("all", _l("Every contact with an email")),
    ]))

    def validate_organization_ids(self, field):
        if self.audience.data == "chosen" and not field.data:
            raise ValidationError(_l("Choose at least one organisation."))


class AgendaForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired()])
    starts_at = TimeField(_l("Time"), validators=[Optional()])
    place = StringField(_l("Place"), filters=[strip_filter], validators=[Length(max=200), no_line_breaks])
    title = StringField(_l("What"), filters=[strip_filter], validators=[DataRequired(), Length(max=200), no_line_breaks])


class ReportForm(FlaskForm):
    outcomes = TextAreaField(_l("Outcomes"), filters=[strip_filter], validators=[Length(max=10000)])
    contacts_made = TextAreaField(_l("Contacts made"), filters=[strip_filter], validators=[Length(max=10000)])
    version = VersionField()


class ActionForm(FlaskForm):
    task = StringField(_l("Task"), filters=[strip_filter], validators=[DataRequired(), Length(max=300), no_line_breaks])
    owner_organization_id = OrganizationField(_l("Led by (organisation)"))
    owner_name = StringField(_l("Person in charge"), filters=[strip_filter], validators=[Length(max=120), no_line_breaks])
    due_on = DateField(_l("Due"), validators=[Optional()])


class OutcomeForm(FlaskForm):
    organization_id = OrganizationField(_l("Organisation"), required_message=_l("Choose an organisation."))
    note = StringField(_l("What came of it"), filters=[strip_filter], validators=[Length(max=300), no_line_breaks])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    when = SelectField(_l("When"), validate_choice=False, choices=choices([
        ("upcoming", _l("Upcoming")), ("past", _l("Past")), ("all", lazy_pgettext("missions", "All"))]))
    kind = SelectField(_l("Kind"), validate_choice=False,
                       choices=choices([("", _l("All kinds"))] + [(k.value, KIND_LABELS[k]) for k in MissionKind]))
    state = SelectField(_l("State"), validate_choice=False,
                        choices=choices([("", _l("All states"))] + [(s.value, STATE_LABELS[s]) for s in MissionState]))
    partner = SelectField(_l("Partner"), coerce=int, validate_choice=False)


class DealLinkForm(FlaskForm):
    """Link a deal the mission led to: typed by its title (or its target's name), among the deals one may see."""

    deal_id = DealField(_l("Deal"), required_message=_l("Choose a deal."))
    note = StringField(_l("What came of it"), filters=[strip_filter], validators=[Length(max=300), no_line_breaks])
