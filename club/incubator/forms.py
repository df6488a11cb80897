"""Forms of the incubator: one per screen. No owner, status or organisation field a user could forge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import NumberInput

from club.core.timezones import to_local, to_utc  # noqa: E402,F401  (one time-zone database for all)
from club.forms import FlaskForm, VersionField, choices, no_line_breaks, strip_filter
from club.incubator.models import RECOMMENDATION_LABELS, STAGE_LABELS, STATUS_LABELS
from club.members.models import PROVINCE_LABELS
from club.members.pickers import OrganizationField


class CriterionForm(FlaskForm):
    class Meta:
        csrf = False

    criterion_id = HiddenField()
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=120)], filters=[strip_filter])
    weight = IntegerField(_l("Weight"), validators=[Optional(), NumberRange(min=1, max=100)], widget=NumberInput(min=1, max=100))
    low_anchor = StringField(_l("What 1 means"), validators=[Optional(), Length(max=300)], filters=[strip_filter])
    high_anchor = StringField(_l("What 5 means"), validators=[Optional(), Length(max=300)], filters=[strip_filter])


class CallForm(FlaskForm):
    version = VersionField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), no_line_breaks],
                        filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)],
                                filters=[strip_filter])
    opens_at = DateTimeLocalField(_l("Opens (Oujda time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes (Oujda time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    capacity = IntegerField(_l("Places in the cohort"), validators=[InputRequired(), NumberRange(min=1, max=1000)],
                            widget=NumberInput(min=1, max=1000))
    is_blind_first_round = BooleanField(_l("Blind first round (reviewers do not see names)"))
    criteria = FieldList(FormField(CriterionForm), min_entries=6, max_entries=20)

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing date must come after the opening date."))

    def validate_criteria(self, field):
        names = []
        for entry in field.entries:
            sub = entry.form
            if not sub.name.data:
                continue
            if not sub.weight.data:
                sub.weight.errors.append(_l("Give a weight from 1 to 100."))
                raise ValidationError(_l("Every criterion needs a weight."))
            names.append(sub.name.data.casefold())
        if not names:
            raise ValidationError(_l("A call needs at least one scoring criterion."))
        if len(set(names)) != len(names):
            raise ValidationError(_l("Two criteria have the same name."))


def _stage_choices():
    return choices([("", _l("Choose…"))] + [(k.value, v) for k, v in STAGE_LABELS.items()])


def _province_choices():
    return choices([("", _l("Choose…"))] + [(k.value, v) for k, v in PROVINCE_LABELS.items()])


class ApplicationForm(FlaskForm):
    """The applicant's form: nothing is required to save a draft; submission checks completeness."""

    version = VersionField()
    startup_name = StringField(_l("Startup name"), validators=[Length(max=200), no_line_breaks], filters=[strip_filter])
    project_title = StringField(_l("Project title"), validators=[Length(max=200), no_line_breaks],
                                filters=[strip_filter])
    problem = TextAreaField(_l("The problem you solve"), validators=[Length(max=5000)], filters=[strip_filter])
    solution = TextAreaField(_l("Your solution"), validators=[Length(max=5000)], filters=[strip_filter])
    market = TextAreaField(_l("Market and customers"), validators=[Length(max=5000)], filters=[strip_filter])
    business_model = TextAreaField(_l("Business model"), validators=[Length(max=5000)], filters=[strip_filter])
    stage = SelectField(_l("Stage of the startup"), choices=_stage_choices, validators=[Optional()])
    team = TextAreaField(_l("Founders and team"), validators=[Length(max=5000)], filters=[strip_filter])
    needs = TextAreaField(_l("What you need from the incubator"), validators=[Length(max=5000)],
                          filters=[strip_filter])
    jobs_12m = IntegerField(_l("Jobs planned in 12 months"), validators=[Optional(), NumberRange(min=0, max=100000)],
                            widget=NumberInput(min=0))
    jobs_36m = IntegerField(_l("Jobs planned in 36 months"), validators=[Optional(), NumberRange(min=0, max=100000)],
                            widget=NumberInput(min=0))
    province = SelectField(_l("Province"), choices=_province_choices, validators=[Optional()])
    consent = BooleanField(_l("I agree to the processing of the personal data in this application by the Oriental "
                              "Offshoring Club for the selection and follow-up of the incubator, under Moroccan "
                              "law 09-08 (I may access, correct and object to it by writing to the secretariat)."))
    deck = FileField(_l("Pitch deck (PDF, at most 10 MB)"), render_kw={"accept": "application/pdf,.pdf"})


class DeckForm(FlaskForm):
    deck = FileField(_l("Pitch deck (PDF, at most 10 MB)"))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)], filters=[strip_filter],
                         render_kw={"rows": 3})


class WithdrawForm(FlaskForm):
    note = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=1000), no_line_breaks],
                       filters=[strip_filter])


class MoveForm(FlaskForm):
    """The secretariat's move, with the email the applicant will get (editable before it goes)."""

    version = VersionField()
    to_status = SelectField(_l("New status"), choices=[], validators=[DataRequired()])
    note = StringField(_l("Internal note"), validators=[Optional(), Length(max=1000), no_line_breaks],
                       filters=[strip_filter])
    send_mail = BooleanField(_l("Email the applicant"), default=True)
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200), no_line_breaks],
                          filters=[strip_filter])
    body = TextAreaField(_l("Message"), validators=[Optional(), Length(max=10000)], filters=[strip_filter],
                         render_kw={"rows": 10})

    def set_targets(self, targets):
        self.to_status.choices = choices([(s.value, STATUS_LABELS[s]) for s in targets])

    def validate_body(self, field):
        if self.send_mail.data and (not field.data or not self.subject.data):
            raise ValidationError(_l("Write the subject and the text of the email, or untick “Email the applicant”."))


class AssignForm(FlaskForm):
    reviewer = SelectField(_l("Reviewer"), choices=[], validators=[DataRequired()])

    def set_reviewers(self, users):
        self.reviewer.choices = choices([("", _l("Choose…"))] + [
            (str(u.id), f"{u.name} ({u.organization.name if u.organization else u.email})") for u in users])


class LinkOrganizationForm(FlaskForm):
    """The secretariat links an application to an organisation: a new one, a suggested one, or any other typed by
    its name (a picker: the register is never listed whole)."""

    organization = SelectField(_l("Organisation of the startup"), choices=[], validators=[Optional()])
    other = OrganizationField(_l("Or another organisation of the register"), description=_l("Type its name."))

    def set_choices(self, application, suggestions, *, can_create: bool):
        name = application.startup_name or "—"
        new = [("new", _l("Create a new startup organisation “%(name)s”", name=name))] if can_create else []
        self.organization.choices = choices(
            [("", _l("Choose…"))] + new + [(str(o.id), _l("Suggested: %(name)s", name=o.name)) for o in suggestions])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.organization.errors or (valid and not self.organization.data and self.other.data is None):
            self.organization.errors = [_l("Choose the organisation of the startup.")]
            return False
        return valid


class ConflictForm(FlaskForm):
    has_conflict = RadioField(_l("Do you have a conflict of interest with this application?"),
                              choices=choices([("no", _l("No, I have no conflict of interest")),
                                               ("yes", _l("Yes, I have a conflict of interest"))]),
                              validators=[DataRequired()])
    note = StringField(_l("Details (optional)"), validators=[Optional(), Length(max=1000), no_line_breaks],
                       filters=[strip_filter])


def _recommendation_choices():
    return choices([(k.value, v) for k, v in RECOMMENDATION_LABELS.items()])


class ReviewForm(FlaskForm):
    """Scores are read from ``score-<criterion id>`` fields by ``read_scores`` (the rubric varies per call)."""

    version = VersionField()
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=10000)], filters=[strip_filter])
    recommendation = RadioField(_l("Recommendation"), choices=_recommendation_choices, validators=[Optional()])


def read_scores(formdata, criteria) -> tuple[dict[int, int | None], dict[int, str]]:
    """Scores posted for each criterion; the raw text of invalid ones (kept to show them back)."""
    scores: dict[int, int | None] = {}
    bad: dict[int, str] = {}
    for criterion in criteria:
        raw = (formdata.get(f"score-{criterion.id}") or "").strip()
        if not raw:
            scores[criterion.id] = None
            continue
        try:
            scores[criterion.id] = int(raw)
        except ValueError:
            bad[criterion.id] = raw
            scores[criterion.id] = None
    return scores, bad


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)], filters=[strip_filter])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=lambda: choices([("", _l("All submitted"))]
                                                 + [(k.value, v) for k, v in STATUS_LABELS.items()]))
