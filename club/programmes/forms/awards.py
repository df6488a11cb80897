"""The award form: the recipient and the mission are typed by name (the page suggests names as one types; without
JavaScript the name is resolved when the form is sent), never chosen in a list of every organisation or mission.
Names are resolved among what the user may see; the rules between fields (one recipient, a contact of that
organisation, no future date) are the service's (``services.awards``), refused at their field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from club.forms import FlaskForm, VersionField, choices, no_line_breaks, strip_filter
from club.members.queries import organisations_named
from club.programmes.models import AWARD_CATEGORY_LABELS, Award, AwardCategory
from club.programmes.queries import awards as queries


def single_spaced(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _or_none(value):
    return value or None


class AwardForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200), no_line_breaks],
                        description=_l("For instance: Trophée de la continuité d'activité."))
    occasion = StringField(_l("Occasion"), filters=[single_spaced],
                           validators=[DataRequired(), Length(max=200), no_line_breaks],
                           description=_l("For instance: 17e Siccam, Oujda, 10–11 juillet 2020."))
    mission = StringField(_l("Mission"), filters=[strip_filter], validators=[Length(max=230), no_line_breaks],
                          description=_l("Optional: the club's mission where it was given, by its title."),
                          render_kw={"list": "mission-options", "autocomplete": "off"})
    category = SelectField(_l("Category"), choices=choices((c.value, AWARD_CATEGORY_LABELS[c]) for c in AwardCategory))
    awarded_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date of the award."))])
    organization = StringField(_l("Organisation"), filters=[strip_filter],
                               validators=[Length(max=200), no_line_breaks],
                               description=_l("An organisation of the register, by its name."),
                               render_kw={"list": "organization-options", "autocomplete": "off"})
    contact = StringField(_l("Contact of the organisation"), filters=[strip_filter],
                          validators=[Length(max=120), no_line_breaks],
                          description=_l("Optional: one of its contacts, by name."),
                          render_kw={"list": "contact-options", "autocomplete": "off"})
    person_name = StringField(_l("Person outside the register"), filters=[strip_filter],
                              validators=[Length(max=200), no_line_breaks],
                              description=_l("Instead of an organisation: the person's name."))
    person_country = StringField(_l("Country"), filters=[strip_filter], validators=[Length(max=100), no_line_breaks])
    citation = TextAreaField(_l("Citation"), filters=[strip_filter], validators=[Optional(), Length(max=5000)])
    version = VersionField()

    # Resolved by the validators below: the ids the service takes.
    organization_id: int | None = None
    contact_id: int | None = None
    mission_id: int | None = None

    def validate_organization(self, field):
        self.organization_id = None
        if not field.data:
            return
        found = organisations_named(field.data, current_user)
        if not found:
            raise ValidationError(_l("No organisation of that name in the register."))
        if len(found) > 1:
            raise ValidationError(_l("Several organisations bear a name like this one: type its exact name."))
        self.organization_id = found[0].id

    def validate_contact(self, field):
        self.contact_id = None
        if not field.data:
            return
        if not self.organization.data:
            raise ValidationError(_l("Name the contact's organisation too."))
        if self.organization_id is None:
            return  # the organisation's own error says why
        found = queries.contacts_named(self.organization_id, field.data)
        if not found:
            raise ValidationError(_l("This person is not a contact of that organisation."))
        self.contact_id = found[0].id

    def validate_mission(self, field):
        self.mission_id = None
        if not field.data:
            return
        found = queries.missions_titled(field.data, current_user)
        if not found:
            raise ValidationError(_l("No mission of that title."))
        if len(found) > 1:
            raise ValidationError(_l("Several missions bear this title: choose one in the list, its date tells "
                                     "them apart."))
        self.mission_id = found[0].id

    @staticmethod
    def values_of(award: Award) -> dict:
        """The award as this form holds it: its start on the edit page, the version saved now beside a stale edit."""
        from club.extensions import db
        from club.missions.models import Mission

        mission = db.session.get(Mission, award.mission_id) if award.mission_id else None
        return {
            "title": award.title, "occasion": award.occasion, "category": award.category.value,
            "awarded_on": award.awarded_on, "citation": award.citation or "",
            "mission": queries.mission_label(mission) if mission else "",
            "organization": award.organization.name if award.organization else "",
            "contact": award.contact.name if award.contact else "",
            "person_name": award.person_name or "", "person_country": award.person_country or "",
        }

    def award_data(self):
        from club.programmes.services.awards import AwardData

        return AwardData(
            title=self.title.data, occasion=self.occasion.data, category=AwardCategory(self.category.data),
            awarded_on=self.awarded_on.data, citation=_or_none(self.citation.data), mission_id=self.mission_id,
            organization_id=self.organization_id, contact_id=self.contact_id,
            person_name=_or_none(self.person_name.data), person_country=_or_none(self.person_country.data),
        )
