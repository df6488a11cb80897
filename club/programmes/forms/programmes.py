"""Programme forms: the programme, its partners, indicators and figures, milestones, progress reports and their
review, documents, and the list's filters. No state, author or organisation field a user could forge: the views set
them; an organisation is typed by its name and resolved against the register (a select of every organisation would
not hold 100,000 of them)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from club.core.storage import FileWithinLimit
from club.forms import (
    MAX_INTEGER,
    MAX_MONEY,
    DecimalText,
    FlaskForm,
    VersionField,
    as_id,
    choices,
    format_decimal_input,
    no_line_breaks,
    strip_filter,
)
from club.members.models import PROVINCE_LABELS, Organization
from club.members.queries import organisation_suggestions, organisations_named
from club.programmes.models import (
    KIND_LABELS,
    MEASURE_LABELS,
    MILESTONE_STATUS_LABELS,
    PARTNER_ROLE_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
    IndicatorSource,
    Measure,
    MilestoneStatus,
    ProgrammeKind,
    ProgrammeState,
)


def Money() -> DecimalText:  # noqa: N802  (reads as the validator it builds)
    """An amount in MAD typed as text (``club.forms.DecimalText``): exact, >= 0, two decimals at most."""
    return DecimalText(Decimal(0), MAX_MONEY, _l("An amount cannot be negative."),
                       _l("Enter an amount in MAD, such as 1800000 or 1 800 000,00."))


def find_organization(name: str) -> tuple[Organization | None, list[str]]:
    """The organisation of the register with that name (``members.queries.organisations_named``), or None and a
    few names that look like it (to say at the field)."""
    found = organisations_named(name)
    if len(found) == 1:
        return found[0], []
    return None, [o.name for o in found] if found else organisation_suggestions(name, limit=5)


class OrganizationName(StringField):
    """An organisation typed by its name, resolved against the register when the form validates
    (``field.organization``); an unknown name is an error at the field with a few names that look like it."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators=validators, filters=[strip_filter], **kwargs)
        self.organization = None

    def post_validate(self, form, validation_stopped):
        self.organization = None
        if validation_stopped or self.errors or not self.data:
            return
        organization, similar = find_organization(self.data)
        if organization is not None:
            self.organization = organization
            return
        if similar:
            self.errors.append(_l("No organisation of the register is named “%(name)s”. Did you mean: %(names)s?",
                                  name=self.data, names=", ".join(similar)))
        else:
            self.errors.append(_l("No organisation of the register is named “%(name)s”: add it to the register "
                                  "first.", name=self.data))


def _blank(label):
    return [("", label)]


def _int_or_none(value):
    if value in (None, ""):
        return None
    return as_id(str(value)) if not isinstance(value, int) else value


class ProgrammeForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), no_line_breaks])
    kind = SelectField(_l("Kind"), choices=choices((k.value, KIND_LABELS[k]) for k in ProgrammeKind))
    lead = OrganizationName(_l("Lead organisation"), validators=[DataRequired(), Length(max=200), no_line_breaks],
                            description=_l("Its name as in the register, e.g. Saccom."))
    province = SelectField(_l("Province"), choices=choices(
        _blank(_l("— several or none —")) + [(p.value, label) for p, label in PROVINCE_LABELS.items()]))
    communes = StringField(_l("Communes"), filters=[strip_filter], validators=[Length(max=300), no_line_breaks],
                           description=_l("Separated by commas, e.g. Jerada, Aïn Bni Mathar."))
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    summary = TextAreaField(_l("Public description"), filters=[strip_filter], validators=[Length(max=5000)],
                            description=_l("What every member sees once the programme is launched."))
    objectives = TextAreaField(_l("Objectives"), filters=[strip_filter], validators=[Length(max=5000)])
    budget = StringField(_l("Budget (MAD)"), filters=[strip_filter], validators=[Length(max=30), Money()])
    mission_action_id = HiddenField(filters=[_int_or_none])
    version = VersionField()

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end must not be before the start."))

    def validate_mission_action_id(self, field):
        if field.raw_data and field.raw_data[0] not in ("", None) and field.data is None:
            raise ValidationError(_l("This form is damaged: reload the page and try again."))

    @staticmethod
    def values_of(programme) -> dict:
        """The programme as this form holds it (the first values of an edit, the version saved now on a stale
        one)."""
        return {
            "title": programme.title, "kind": programme.kind.value, "lead": programme.lead.name,
            "province": programme.province.value if programme.province else "", "communes": programme.communes or "",
            "starts_on": programme.starts_on, "ends_on": programme.ends_on, "summary": programme.summary or "",
            "objectives": programme.objectives or "", "budget": format_decimal_input(programme.budget),
        }

    def programme_data(self):
        from club.members.models import Province
        from club.programmes.services.programmes import ProgrammeData

        return ProgrammeData(
            title=self.title.data, kind=ProgrammeKind(self.kind.data),
            lead_organization_id=self.lead.organization.id,
            province=Province(self.province.data) if self.province.data else None,
            communes=self.communes.data or None, starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            summary=self.summary.data or None, objectives=self.objectives.data or None, budget=self.budget.decimal,
            mission_action_id=self.mission_action_id.data or None,
        )


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])

    def validate_to(self, field):
        if field.data not in {s.value for s in ProgrammeState}:
            raise ValidationError(_l("Unknown state."))


ROLE_CHOICES = [(r.value, label) for r, label in PARTNER_ROLE_LABELS.items()]


class PartnerForm(FlaskForm):
    organization = OrganizationName(_l("Organisation"), id="partner-organization",
                                    validators=[DataRequired(), Length(max=200), no_line_breaks],
                                    description=_l("Its name as in the register."))
    role = SelectField(_l("Role"), id="partner-role", choices=choices(ROLE_CHOICES))
    funding = StringField(_l("Funding share (MAD)"), id="partner-funding", filters=[strip_filter],
                          validators=[Length(max=30), Money()], description=_l("Leave empty if it funds nothing."))


class PartnerEditForm(FlaskForm):
    """One partner's role and share, a row of the partners page (its own prefix: ``partner-<id>``)."""

    role = SelectField(_l("Role"), choices=choices(ROLE_CHOICES))
    funding = StringField(_l("Funding share (MAD)"), filters=[strip_filter], validators=[Length(max=30), Money()])
    version = VersionField()


class IndicatorForm(FlaskForm):
    name = StringField(_l("Indicator"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=200), no_line_breaks],
                       description=_l("E.g. Young people placed in a job."))
    source = SelectField(_l("Result from"), choices=choices((s.value, SOURCE_LABELS[s]) for s in IndicatorSource))
    measure = SelectField(_l("Counting"), choices=choices(
        _blank(_l("— for figures entered by the lead —")) + [(m.value, MEASURE_LABELS[m]) for m in Measure]),
        description=_l("For an indicator counted from the beneficiaries: which of them it counts."))
    target = IntegerField(_l("Target"), validators=[InputRequired(_l("Give a target.")),
                                                    NumberRange(min=0, message=_l("The target cannot be below zero.")),
                                                    NumberRange(max=MAX_INTEGER,
                                                                message=_l("This number is too large."))])
    target_on = DateField(_l("Target date"), validators=[Optional()])
    version = VersionField()

    def validate_measure(self, field):
        if self.source.data == IndicatorSource.BENEFICIARIES.value and not field.data:
            raise ValidationError(_l("Choose what to count among the beneficiaries."))

    def values(self) -> dict:
        source = IndicatorSource(self.source.data)
        return {"name": self.name.data, "source": source,
                "measure": Measure(self.measure.data) if self.measure.data and source == IndicatorSource.BENEFICIARIES
                else None, "target": self.target.data, "target_on": self.target_on.data}

    @staticmethod
    def values_of(indicator) -> dict:
        return {"name": indicator.name, "source": indicator.source.value,
                "measure": indicator.measure.value if indicator.measure else "", "target": indicator.target,
                "target_on": indicator.target_on}


class FigureForm(FlaskForm):
    """A dated figure of one indicator (its own prefix on the page: ``figure-<indicator id>``)."""

    measured_on = DateField(_l("Date"), validators=[DataRequired()])
    value = IntegerField(_l("Figure to date"), validators=[
        InputRequired(_l("Give the figure.")), NumberRange(min=0, message=_l("A figure cannot be below zero.")),
        NumberRange(max=MAX_INTEGER, message=_l("This number is too large."))])
    note = StringField(_l("Note"), filters=[strip_filter], validators=[Length(max=300), no_line_breaks])


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), no_line_breaks])
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=choices((s.value, MILESTONE_STATUS_LABELS[s]) for s in MilestoneStatus))
    done_on = DateField(_l("Done on"), validators=[Optional()], description=_l("When it is done."))
    version = VersionField()

    def validate_done_on(self, field):
        if self.status.data == MilestoneStatus.DONE.value and not field.data:
            raise ValidationError(_l("Give the date it was done."))

    def values(self) -> dict:
        return {"title": self.title.data, "due_on": self.due_on.data, "status": MilestoneStatus(self.status.data),
                "done_on": self.done_on.data}

    @staticmethod
    def values_of(milestone) -> dict:
        return {"title": milestone.title, "due_on": milestone.due_on, "status": milestone.status.value,
                "done_on": milestone.done_on}


class ReportForm(FlaskForm):
    period_start = DateField(_l("Period from"), validators=[DataRequired()])
    period_end = DateField(_l("Period to"), validators=[DataRequired()])
    summary = TextAreaField(_l("What was done"), filters=[strip_filter],
                            validators=[DataRequired(), Length(max=20000)])
    difficulties = TextAreaField(_l("Difficulties"), filters=[strip_filter], validators=[Length(max=20000)])
    next_steps = TextAreaField(_l("Next steps"), filters=[strip_filter], validators=[Length(max=20000)])
    version = VersionField()

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The end of the period must not be before its start."))

    def values(self) -> dict:
        return {"period_start": self.period_start.data, "period_end": self.period_end.data,
                "summary": self.summary.data, "difficulties": self.difficulties.data or None,
                "next_steps": self.next_steps.data or None}

    @staticmethod
    def values_of(report) -> dict:
        return {"period_start": report.period_start, "period_end": report.period_end, "summary": report.summary,
                "difficulties": report.difficulties or "", "next_steps": report.next_steps or ""}


class ChangesForm(FlaskForm):
    note = TextAreaField(_l("What should change"), id="review-note", filters=[strip_filter],
                         validators=[DataRequired(_l("Say what should change.")), Length(max=5000)])


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), id="document-title", filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), no_line_breaks],
                        description=_l("E.g. Convention signed with the Province of Jerada."))
    file = FileField(_l("File (PDF, DOCX or XLSX, 10 MB at most)"), id="document-file",
                     validators=[FileRequired(_l("Choose a file to send.")), FileWithinLimit()])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Title contains"), filters=[strip_filter], validators=[Length(max=100)])
    kind = SelectField(_l("Kind"), validate_choice=False, choices=choices(
        _blank(_l("All kinds")) + [(k.value, KIND_LABELS[k]) for k in ProgrammeKind]))
    state = SelectField(_l("State"), validate_choice=False, choices=choices(
        _blank(_l("All states")) + [(s.value, STATE_LABELS[s]) for s in ProgrammeState]))
    province = SelectField(_l("Province"), validate_choice=False, choices=choices(
        _blank(_l("All provinces")) + [(p.value, label) for p, label in PROVINCE_LABELS.items()]))
    lead = SelectField(_l("Lead organisation"), coerce=_int_or_none, validate_choice=False)
