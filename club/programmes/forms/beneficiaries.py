"""forms of the programmes domain: beneficiaries. What a field accepts; the rules that need the programme (dates,
ages, consent, duplicates) are the services' (``services.beneficiaries.clean_person``), shown at their fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from club.core.storage import FileWithinLimit
from club.core.timezones import local_today
from club.forms import FlaskForm, VersionField, choices, no_line_breaks, strip_filter
from club.programmes.models import (
    AGE_BAND_LABELS,
    BENEFICIARY_STATUS_LABELS,
    GENDER_LABELS,
    AgeBand,
    BeneficiaryStatus,
    Gender,
)


def _text_only(value):
    """A file sent where text is expected counts as nothing sent."""
    return value if isinstance(value, str) or value is None else None


class BeneficiaryForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip_filter],
                       validators=[DataRequired(message=_l("Enter the person's name.")), Length(max=120),
                                   no_line_breaks])
    birth_year = IntegerField(_l("Birth year"), validators=[Optional(), NumberRange(min=1900, max=2100)],
                              description=_l("Or, if the person prefers, an age band below."))
    age_band = SelectField(_l("Age band"), default="", choices=choices(
        [("", _l("— no age band —"))] + [(b.value, label) for b, label in AGE_BAND_LABELS.items()]))
    gender = SelectField(_l("Gender"), default="", choices=choices(
        [("", _l("— choose —"))] + [(g.value, label) for g, label in GENDER_LABELS.items()]))
    commune = StringField(_l("Commune"), filters=[strip_filter], validators=[Length(max=100), no_line_breaks])
    phone = StringField(_l("Phone"), filters=[strip_filter], validators=[Length(max=30), no_line_breaks])
    email = StringField(_l("Email"), filters=[strip_filter], validators=[Length(max=254), no_line_breaks])
    consent = BooleanField(_l("Consent given to the processing of their data (law 09-08)"))
    consent_on = DateField(_l("Consent given on"), validators=[Optional()])
    enrolled_on = DateField(_l("Enrolled on"), validators=[Optional()], default=local_today)
    version = VersionField()

    @staticmethod
    def values_of(beneficiary) -> dict:
        """The person as this form holds it: the form's start, and the version saved now beside a stale edit."""
        return {
            "name": beneficiary.name, "birth_year": beneficiary.birth_year,
            "age_band": beneficiary.age_band.value if beneficiary.age_band else "",
            "gender": beneficiary.gender.value, "commune": beneficiary.commune or "",
            "phone": beneficiary.phone or "", "email": beneficiary.email or "",
            "consent": beneficiary.consent_on is not None, "consent_on": beneficiary.consent_on,
            "enrolled_on": beneficiary.enrolled_on,
        }

    def person_data(self):
        from club.programmes.services.beneficiaries import PersonData

        return PersonData(
            name=self.name.data or "", gender=Gender(self.gender.data) if self.gender.data else None,
            enrolled_on=self.enrolled_on.data, consent=bool(self.consent.data), consent_on=self.consent_on.data,
            birth_year=self.birth_year.data, age_band=AgeBand(self.age_band.data) if self.age_band.data else None,
            commune=self.commune.data or None, phone=self.phone.data or None, email=self.email.data or None)


STEP_CHOICES = [s for s in BeneficiaryStatus if s != BeneficiaryStatus.PLACED]


class StepForm(FlaskForm):
    """One step (the buttons send ``to``); a placement has its own form."""

    to = HiddenField(filters=[_text_only], validators=[DataRequired()])
    on = DateField(_l("Date of the step"), validators=[Optional()], default=local_today)

    def validate_to(self, field):
        if field.data not in {s.value for s in STEP_CHOICES}:
            raise ValidationError(_l("Unknown step."))


class PlacementForm(FlaskForm):
    employer = StringField(_l("Employer"), filters=[strip_filter],
                           validators=[DataRequired(message=_l("Enter the employer's name.")), Length(max=200),
                                       no_line_breaks],
                           description=_l("An organisation of the register (type its name) or any other employer."))
    placed_on = DateField(_l("Placed on"), validators=[DataRequired(message=_l("Enter the date."))],
                          default=local_today)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file.")), FileWithinLimit()])


class ImportCommitForm(FlaskForm):
    upload = HiddenField(filters=[_text_only], validators=[DataRequired(), Length(max=64)])


STATUS_FILTER = [(s.value, label) for s, label in BENEFICIARY_STATUS_LABELS.items()]
